// The worker-thread side of openEnterpriseFileOffThread (off-thread.ts): opens the file here, with
// its limits, and hands the records to the main thread in batches, one batch per request, so the
// main thread's event loop never runs the parser and never holds more than a batch.
import { parentPort } from 'node:worker_threads';
import { isAppError } from '../../../core/errors.js';
import type { ImportLimits } from './limits.js';
import { type FileRecord, internalDetail, openEnterpriseFile } from './parse.js';

export type WorkerInput = {
  source: Uint8Array | string;
  fileName?: string;
  limits: ImportLimits;
};

export type SerializedError =
  | {
      app: true;
      code: string;
      messages: { zh: string; en: string };
      fields: unknown[];
      detail?: string;
      internal?: string;
    }
  | { app: false; internal: string };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'open'; file: Record<string, unknown> }
  | { type: 'records'; records: FileRecord[]; bytesRead: number; done: boolean }
  | { type: 'error'; error: SerializedError };

const BATCH_RECORDS = 500;
const BATCH_CHARS = 2 * 1024 * 1024;

function serialize(e: unknown): SerializedError {
  if (isAppError(e))
    return {
      app: true,
      code: e.code,
      messages: e.messages,
      fields: e.fields,
      detail: e.detail,
      internal: internalDetail(e),
    };
  return { app: false, internal: String((e as Error)?.stack ?? e) };
}

const port = parentPort;
if (port) {
  // The worker is reused: it waits for an `open`, serves that file batch by batch (one `next`, one
  // batch: back-pressure), then waits for the next file.
  let pending = 0;
  let wake: (() => void) | null = null;
  const nextRequest = async () => {
    while (pending === 0)
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    wake = null;
    pending--;
  };

  const serve = async (input: WorkerInput) => {
    const source =
      typeof input.source === 'string'
        ? input.source
        : Buffer.from(input.source.buffer, input.source.byteOffset, input.source.byteLength);
    const file = await openEnterpriseFile(source, { fileName: input.fileName, limits: input.limits });
    const { records, bytesRead, ...rest } = file;
    port.postMessage({ type: 'open', file: rest } satisfies WorkerMessage);
    const it = records[Symbol.asyncIterator]();
    for (;;) {
      await nextRequest();
      const batch: FileRecord[] = [];
      let chars = 0;
      let done = false;
      while (batch.length < BATCH_RECORDS && chars < BATCH_CHARS) {
        const next = await it.next();
        if (next.done) {
          done = true;
          break;
        }
        batch.push(next.value);
        for (const v of Object.values(next.value.values)) chars += v?.length ?? 0;
      }
      port.postMessage({
        type: 'records',
        records: batch,
        bytesRead: bytesRead(),
        done,
      } satisfies WorkerMessage);
      if (done) return;
    }
  };

  port.on('message', (m: { type: 'open'; input: WorkerInput } | { type: 'next' }) => {
    if (m.type === 'next') {
      pending++;
      wake?.();
      return;
    }
    pending = 0;
    serve(m.input).catch((e: unknown) => {
      port.postMessage({ type: 'error', error: serialize(e) } satisfies WorkerMessage);
    });
  });
  port.postMessage({ type: 'ready' });
}
