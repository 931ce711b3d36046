// Signed checkpoints of the whole archive. A checkpoint pins every chain's head (enterprise, seq,
// head hash) under a Merkle root, names the audit log's latest seal, and is HMAC-signed and
// chained to the checkpoint before it. It is appended as one line to an append-only file under the
// state directory — outside the database — and printed, so that an external witness (a printout in
// the bureau's records, an e-mail to the supervising body) can hold the root too. The leaves go
// beside it, so that `audit verify` can name the chain a checkpoint no longer finds.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AppError } from '../../../core/errors.js';
import { sealAuditLog } from '../../../platform/audit.js';
import type { AppContext } from '../../../platform/context.js';
import { hmacHex, keyring, sameHex } from '../../../platform/integrity-keys.js';
import type { ChainPins } from '../archive.js';

export const CHECKPOINT_DIR = 'checkpoints';
export const CHECKPOINT_LOG = 'checkpoints.log';
/** Leaf files kept besides the first: the latest few (the log keeps every root). */
const KEEP_LEAVES = 7;

export type Checkpoint = {
  v: 1;
  no: number;
  at: string;
  chains: number;
  records: number;
  root: string;
  /** SHA-256 of the leaf file's (uncompressed) text */
  leaves: string;
  /** the audit log's latest seal at the time */
  audit: { no: number; mac: string } | null;
  /** every published rule set then: `id@version` → SHA-256 of its body (grades follow from them) */
  ruleSets: Record<string, string>;
  /** SHA-256 of the previous line of the log (zeros for the first) */
  prev: string;
  kid: string;
  mac: string;
};

const ZERO = '0'.repeat(64);
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest();

/** Leaf of one chain: H(0x00 ‖ enterprise ‖ TAB ‖ seq ‖ TAB ‖ head hash). */
const leaf = (enterpriseId: string, seq: number, hash: string) =>
  sha(Buffer.concat([Buffer.from([0]), Buffer.from(`${enterpriseId}\t${seq}\t${hash}`)]));

/** Merkle root over leaves in enterprise order: H(0x01 ‖ left ‖ right); an odd node moves up. */
export function merkleRoot(leaves: { enterpriseId: string; seq: number; hash: string }[]): string {
  let level: Buffer[] = leaves.map((l) => leaf(l.enterpriseId, l.seq, l.hash));
  if (level.length === 0) return sha('').toString('hex');
  const one = Buffer.from([1]);
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2)
      next.push(i + 1 < level.length ? sha(Buffer.concat([one, level[i]!, level[i + 1]!])) : level[i]!);
    level = next;
  }
  return level[0]!.toString('hex');
}

const signedText = (c: Omit<Checkpoint, 'mac'>) =>
  JSON.stringify([
    'checkpoint',
    c.v,
    c.no,
    c.at,
    c.chains,
    c.records,
    c.root,
    c.leaves,
    c.audit,
    c.ruleSets,
    c.prev,
    c.kid,
  ]);

const dirOf = (ctx: Pick<AppContext, 'config'>) => path.join(ctx.config.stateDir, CHECKPOINT_DIR);
export const checkpointLogPath = (ctx: Pick<AppContext, 'config'>) => path.join(dirOf(ctx), CHECKPOINT_LOG);
const leavesPath = (ctx: Pick<AppContext, 'config'>, no: number) =>
  path.join(dirOf(ctx), `${String(no).padStart(6, '0')}.leaves.gz`);

/** The line a witness keeps: short enough to copy by hand, enough to check the log against. */
export const witnessLine = (c: Checkpoint) =>
  `质汇检查点 Zhihui checkpoint #${c.no} ${c.at} chains=${c.chains} records=${c.records} root=${c.root} audit-seal=${c.audit ? `${c.audit.no}:${c.audit.mac.slice(0, 16)}` : '-'} mac=${c.kid}:${c.mac}`;

/**
 * Seals the audit log, then pins every chain's head in a new signed checkpoint appended to
 * `<stateDir>/checkpoints/checkpoints.log`; returns it and the line to give the witness.
 */
export async function writeCheckpoint(
  ctx: Pick<AppContext, 'db' | 'clock' | 'config'>,
  opts: { lagMs?: number } = {},
) {
  const keys = keyring(ctx.config);
  const seal = await sealAuditLog(ctx, opts);
  const heads = await ctx.db
    .selectFrom('credit_chain_heads')
    .select(['enterprise_id', 'seq', 'hash'])
    .where('seq', '>', 0)
    .orderBy('enterprise_id')
    .execute();
  const leaves = heads.map((h) => ({ enterpriseId: h.enterprise_id, seq: Number(h.seq), hash: h.hash }));
  const text = leaves.map((l) => `${l.enterpriseId}\t${l.seq}\t${l.hash}\n`).join('');
  const ruleSets = await publishedRuleSetDigests(ctx);
  const log = readLog(ctx);
  const last = log.lines.at(-1);
  const body: Omit<Checkpoint, 'mac'> = {
    v: 1,
    no: (last?.checkpoint.no ?? 0) + 1,
    at: ctx.clock.now().toISOString(),
    chains: leaves.length,
    records: leaves.reduce((a, l) => a + l.seq, 0),
    root: merkleRoot(leaves),
    leaves: sha(text).toString('hex'),
    audit: seal.last,
    ruleSets,
    prev: last ? sha(last.text).toString('hex') : ZERO,
    kid: keys.signer.kid,
  };
  const checkpoint: Checkpoint = { ...body, mac: hmacHex(keys.signer.key, signedText(body)) };
  fs.mkdirSync(dirOf(ctx), { recursive: true });
  // The leaves file, created exclusively, is also the lock on the checkpoint's number: a second
  // writer racing for the same number stops here, before the log is touched.
  try {
    fs.writeFileSync(leavesPath(ctx, checkpoint.no), gzipSync(text), { flag: 'wx', mode: 0o640 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    throw new AppError('CONFLICT', {
      message: {
        zh: `检查点 #${checkpoint.no} 正由另一进程写入，请稍后重试`,
        en: `Checkpoint #${checkpoint.no} is being written by another process; try again later`,
      },
    });
  }
  const fd = fs.openSync(checkpointLogPath(ctx), 'a', 0o640);
  try {
    fs.writeSync(fd, `${JSON.stringify(checkpoint)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  // Leaf files of old checkpoints go (their roots stay in the log); the first stays for legacy rows.
  for (let no = checkpoint.no - KEEP_LEAVES; no > 1; no -= 1) {
    const f = leavesPath(ctx, no);
    if (!fs.existsSync(f)) break;
    fs.rmSync(f);
  }
  return { checkpoint, witness: witnessLine(checkpoint), sealed: seal };
}

/** `id@version` → SHA-256 of the body, for every published rule set. */
export async function publishedRuleSetDigests(ctx: Pick<AppContext, 'db'>): Promise<Record<string, string>> {
  const rows = await ctx.db
    .selectFrom('credit_rule_sets')
    .select(['id', 'version', 'body'])
    .where('status', '=', 'published')
    .orderBy('id')
    .orderBy('version')
    .execute();
  return Object.fromEntries(rows.map((r) => [`${r.id}@${r.version}`, sha(r.body).toString('hex')]));
}

type LogLine = { text: string; checkpoint: Checkpoint };

function readLog(ctx: Pick<AppContext, 'config'>): { lines: LogLine[]; exists: boolean } {
  const file = checkpointLogPath(ctx);
  if (!fs.existsSync(file)) return { lines: [], exists: false };
  const lines = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((text) => ({ text, checkpoint: JSON.parse(text) as Checkpoint }));
  return { lines, exists: true };
}

export type CheckpointProblem = {
  no: number | null;
  problem: 'badLine' | 'mac' | 'chain' | 'unknownKey' | 'leavesMissing' | 'leavesChanged';
  message: { zh: string; en: string };
};

export type CheckpointState = {
  count: number;
  first: Checkpoint | null;
  latest: Checkpoint | null;
  pins: {
    first: ChainPins;
    latest: ChainPins;
    firstNo: number;
    latestNo: number;
  } | null;
  problem: CheckpointProblem | null;
};

function loadPins(ctx: Pick<AppContext, 'config'>, c: Checkpoint): ChainPins | CheckpointProblem {
  const f = leavesPath(ctx, c.no);
  if (!fs.existsSync(f))
    return {
      no: c.no,
      problem: 'leavesMissing',
      message: {
        zh: `检查点 #${c.no} 的叶子文件 ${f} 缺失`,
        en: `The leaf file of checkpoint #${c.no} (${f}) is missing`,
      },
    };
  const text = gunzipSync(fs.readFileSync(f)).toString('utf8');
  const leaves = text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [enterpriseId, seq, hash] = l.split('\t');
      return { enterpriseId: enterpriseId!, seq: Number(seq), hash: hash! };
    });
  if (sha(text).toString('hex') !== c.leaves || merkleRoot(leaves) !== c.root)
    return {
      no: c.no,
      problem: 'leavesChanged',
      message: {
        zh: `检查点 #${c.no} 的叶子文件与其签名的根不符`,
        en: `The leaf file of checkpoint #${c.no} does not match its signed root`,
      },
    };
  return new Map(leaves.map((l) => [l.enterpriseId, { seq: l.seq, hash: l.hash }]));
}

/**
 * Reads the checkpoint log and checks it: each line's HMAC (with the key of its id) and its link to
 * the line before; then loads the pins of the first and the latest checkpoint.
 */
export function readCheckpoints(ctx: Pick<AppContext, 'config'>): CheckpointState {
  const keys = keyring(ctx.config);
  const none: CheckpointState = { count: 0, first: null, latest: null, pins: null, problem: null };
  let log: ReturnType<typeof readLog>;
  try {
    log = readLog(ctx);
  } catch {
    return {
      ...none,
      problem: {
        no: null,
        problem: 'badLine',
        message: { zh: '检查点日志无法解析', en: 'The checkpoint log cannot be parsed' },
      },
    };
  }
  if (log.lines.length === 0) return none;
  let prevText: string | null = null;
  for (const [i, { text, checkpoint: c }] of log.lines.entries()) {
    const fail = (problem: CheckpointProblem['problem'], zh: string, en: string): CheckpointState => ({
      ...none,
      count: log.lines.length,
      problem: { no: c.no ?? null, problem, message: { zh, en } },
    });
    const key = keys.key(c.kid);
    if (!key)
      return fail(
        'unknownKey',
        `检查点 #${c.no} 的密钥 ${c.kid} 未配置`,
        `Checkpoint #${c.no} names key ${c.kid}, which is not configured`,
      );
    const { mac, ...body } = c;
    if (!sameHex(hmacHex(key, signedText(body)), mac ?? ''))
      return fail(
        'mac',
        `检查点 #${c.no} 被改动 (HMAC 不符)`,
        `Checkpoint #${c.no} was altered (HMAC mismatch)`,
      );
    if (c.no !== i + 1 || c.prev !== (prevText ? sha(prevText).toString('hex') : ZERO))
      return fail(
        'chain',
        `检查点 #${c.no} 之前的检查点缺失或被替换`,
        `The checkpoints before #${c.no} are missing or replaced`,
      );
    prevText = text;
  }
  const first = log.lines[0]!.checkpoint;
  const latest = log.lines.at(-1)!.checkpoint;
  const firstPins = loadPins(ctx, first);
  if (!(firstPins instanceof Map))
    return { ...none, count: log.lines.length, first, latest, problem: firstPins };
  const latestPins = latest.no === first.no ? firstPins : loadPins(ctx, latest);
  if (!(latestPins instanceof Map))
    return { ...none, count: log.lines.length, first, latest, problem: latestPins };
  return {
    count: log.lines.length,
    first,
    latest,
    pins: { first: firstPins, latest: latestPins, firstNo: first.no, latestNo: latest.no },
    problem: null,
  };
}
