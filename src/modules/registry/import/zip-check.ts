// Checks an .xlsx (a zip) before exceljs reads it. exceljs's streaming reader (unzipper) walks
// the local headers in order and, when an entry's compressed data is damaged, waits forever for a
// stream that never ends — an upload of a damaged workbook would hang its request. So first, from
// the central directory: every entry must inflate cleanly to its stated size and CRC-32, the
// total must stay under a limit (no zip bombs), and nothing may be encrypted. We also tell whether
// the entries are laid out the way the streaming reader expects; when they are not (valid, but
// unusual writers), the caller reads the workbook through the central directory instead.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export type RandomAccess = { size: number; readAt: (offset: number, length: number) => Promise<Buffer> };

export type ZipVerdict =
  | { ok: true; entries: number; uncompressed: number; streamable: boolean }
  | { ok: false; reason: 'not-zip' | 'damaged' | 'encrypted' | 'too-large' | 'unsupported'; detail: string };

export const MAX_UNCOMPRESSED = 512 * 1024 * 1024;
const MAX_ENTRIES = 10_000;

const EOCD = 0x06054b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;
const DESCRIPTOR = 0x08074b50;

type Entry = {
  name: string;
  flags: number;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  localOffset: number;
};

const fail = (reason: Extract<ZipVerdict, { ok: false }>['reason'], detail: string): ZipVerdict => ({
  ok: false,
  reason,
  detail,
});

async function findEocd(src: RandomAccess): Promise<number> {
  const tail = Math.min(src.size, 22 + 0xffff);
  const buf = await src.readAt(src.size - tail, tail);
  for (let i = buf.length - 22; i >= 0; i--) {
    if (buf.readUInt32LE(i) === EOCD && i + 22 + buf.readUInt16LE(i + 20) <= buf.length)
      return src.size - tail + i;
  }
  return -1;
}

const DESCRIPTOR_BYTES = Buffer.from([0x50, 0x4b, 0x07, 0x08]);

async function inflatesTo(
  src: RandomAccess,
  e: Entry,
  dataStart: number,
  budget: { left: number },
  seen: { descriptorInside: boolean },
): Promise<string | null> {
  let size = 0;
  let crc = 0;
  async function* compressed() {
    let carry: Buffer = Buffer.alloc(0);
    for (let at = 0; at < e.csize; at += 1 << 20) {
      const chunk = await src.readAt(dataStart + at, Math.min(1 << 20, e.csize - at));
      // A reader that finds the end of an entry by the descriptor's signature would stop early.
      if (
        chunk.includes(DESCRIPTOR_BYTES) ||
        Buffer.concat([carry, chunk.subarray(0, 3)]).includes(DESCRIPTOR_BYTES)
      ) {
        seen.descriptorInside = true;
      }
      carry = chunk.subarray(Math.max(0, chunk.length - 3));
      yield chunk;
    }
  }
  const check = async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      size += chunk.length;
      budget.left -= chunk.length;
      if (size > e.usize || budget.left < 0) throw new Error('larger than stated');
      crc = zlib.crc32(chunk, crc);
    }
  };
  try {
    if (e.method === 0) await check(compressed());
    else await pipeline(Readable.from(compressed()), zlib.createInflateRaw(), check);
  } catch (err) {
    return `${e.name}: ${(err as Error).message}`;
  }
  if (size !== e.usize) return `${e.name}: ${size} bytes, stated ${e.usize}`;
  if (crc >>> 0 !== e.crc >>> 0) return `${e.name}: CRC-32 mismatch`;
  return null;
}

export async function verifyZip(src: RandomAccess): Promise<ZipVerdict> {
  if (src.size < 22) return fail('not-zip', 'shorter than an end-of-central-directory record');
  const eocd = await findEocd(src);
  if (eocd < 0) return fail('not-zip', 'no end-of-central-directory record');
  const end = await src.readAt(eocd, 22);
  const count = end.readUInt16LE(10);
  const cdSize = end.readUInt32LE(12);
  const cdOffset = end.readUInt32LE(16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff)
    return fail('unsupported', 'ZIP64');
  if (count > MAX_ENTRIES) return fail('too-large', `${count} entries`);
  if (cdOffset + cdSize > eocd) return fail('damaged', 'central directory out of range');

  const cd = await src.readAt(cdOffset, cdSize);
  const entries: Entry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CDH)
      return fail('damaged', `central directory entry ${i}`);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    if (p + 46 + nameLen > cd.length) return fail('damaged', `central directory entry ${i}`);
    entries.push({
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      csize: cd.readUInt32LE(p + 20),
      usize: cd.readUInt32LE(p + 24),
      localOffset: cd.readUInt32LE(p + 42),
      name: cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  if (entries.length === 0) return fail('damaged', 'no entries');

  const declared = entries.reduce((n, e) => n + e.usize, 0);
  if (declared > MAX_UNCOMPRESSED) return fail('too-large', `${declared} bytes uncompressed`);
  const budget = { left: MAX_UNCOMPRESSED };

  // The streaming reader needs: entries back to back from offset 0 up to the central directory,
  // sizes in the local header unless bit 3 is set, and then a signed data descriptor.
  let streamable = true;
  let expectedNext = 0;
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (const e of byOffset) {
    if (e.flags & 0x1) return fail('encrypted', e.name);
    if (e.method !== 0 && e.method !== 8)
      return fail('unsupported', `${e.name}: compression method ${e.method}`);
    if (e.localOffset + 30 > cdOffset) return fail('damaged', `${e.name}: local header out of range`);
    const lh = await src.readAt(e.localOffset, 30);
    if (lh.readUInt32LE(0) !== LFH) return fail('damaged', `${e.name}: local header signature`);
    const lFlags = lh.readUInt16LE(6);
    const lMethod = lh.readUInt16LE(8);
    const lCrc = lh.readUInt32LE(14);
    const lCsize = lh.readUInt32LE(18);
    const lUsize = lh.readUInt32LE(22);
    const lName = lh.readUInt16LE(26);
    const lExtra = lh.readUInt16LE(28);
    const nameBytes = await src.readAt(e.localOffset + 30, lName);
    if (lMethod !== e.method || nameBytes.toString('utf8') !== e.name)
      return fail('damaged', `${e.name}: local header differs`);
    const dataStart = e.localOffset + 30 + lName + lExtra;
    if (dataStart + e.csize > cdOffset) return fail('damaged', `${e.name}: data out of range`);
    const seen = { descriptorInside: false };
    const problem = await inflatesTo(src, e, dataStart, budget, seen);
    if (problem) return fail(budget.left < 0 ? 'too-large' : 'damaged', problem);

    let next = dataStart + e.csize;
    if (lFlags & 0x8) {
      const d = await src.readAt(next, 16);
      const signed = d.length === 16 && d.readUInt32LE(0) === DESCRIPTOR;
      if (!signed || lCsize !== 0 || seen.descriptorInside) streamable = false;
      if (signed) {
        if (d.readUInt32LE(4) !== e.crc || d.readUInt32LE(8) !== e.csize || d.readUInt32LE(12) !== e.usize) {
          return fail('damaged', `${e.name}: data descriptor differs`);
        }
        next += 16;
      } else next += 12;
    } else if (lCrc !== e.crc || lCsize !== e.csize || lUsize !== e.usize) {
      return fail('damaged', `${e.name}: local header sizes differ`);
    }
    if (e.localOffset !== expectedNext) streamable = false;
    expectedNext = next;
  }
  if (expectedNext !== cdOffset) streamable = false;
  return { ok: true, entries: entries.length, uncompressed: MAX_UNCOMPRESSED - budget.left, streamable };
}
