// Opens an enterprise file in a worker thread (parse-worker.ts): decoding, unzipping and parsing —
// the CPU of a hostile upload — run there, under a heap limit, while the main thread's event loop
// keeps answering (/api/health, sign-ins, searches). Records come back in batches on request, so
// the main thread holds one batch at a time. At most PARSE_WORKERS files are parsed at once; more
// wait in a short queue, and beyond it the caller gets 503 with Retry-After.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../../../core/errors.js';
import type { ResolvedColumns } from './columns.js';
import { type ImportLimits, limitError } from './limits.js';
import { type FileRecord, type ImportSource, type ParsedFile, withInternal } from './parse.js';
import type { SerializedError, WorkerInput, WorkerMessage } from './parse-worker.js';

/** Files parsed at once (each in its own worker), and how many more may wait for a turn. */
export const PARSE_WORKERS = 2;
const PARSE_QUEUE = 16;
/** The worker's heap: a file that needs more is refused (TOO_COMPLEX), the server lives on. */
const WORKER_HEAP_MB = 256;

// The worker runs TypeScript through tsx, as the CLI and the server do (no build step); a built
// tree (.js) imports the entry directly.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  await import(workerData.entry);
})().catch((e) => { setImmediate(() => { throw e; }); });
`;

const ENTRY = new URL(
  import.meta.url.endsWith('.ts') ? './parse-worker.ts' : './parse-worker.js',
  import.meta.url,
).href;
const TSX = ENTRY.endsWith('.ts') ? tsxApi() : null;

/** tsx's ESM API (its CommonJS twin cannot register hooks in a worker). */
function tsxApi(): string {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
}

function revive(e: SerializedError): AppError {
  if (!e.app)
    return withInternal(
      new AppError('UNSUPPORTED_FILE', {
        message: { zh: '无法读取文件', en: 'Cannot read the file' },
      }),
      e.internal,
    );
  const err = new AppError(e.code as ErrorCode, {
    message: e.messages,
    fields: e.fields as AppError['fields'],
    detail: e.detail,
  });
  return withInternal(err, e.internal);
}

type Slot = { worker: Worker; ready: Promise<void> };

/** Started workers waiting for a file (kept warm: starting one costs the better part of a second). */
const idle: Slot[] = [];
let busy = 0;
const waiting: ((slot: Slot | null) => void)[] = [];

function spawn(): Slot {
  const worker = new Worker(BOOTSTRAP, {
    eval: true,
    workerData: { entry: ENTRY, tsx: TSX },
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: 32 },
    stdout: false,
    stderr: false,
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (m: WorkerMessage) => {
      if (m.type === 'ready') {
        worker.off('message', onMessage);
        resolve();
      }
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('the import worker stopped while starting')));
  });
  ready.catch(() => {});
  return { worker, ready };
}

/** A worker for one file: an idle one, a new one while fewer than PARSE_WORKERS run, or a wait. */
async function acquire(): Promise<Slot> {
  if (busy < PARSE_WORKERS) {
    busy++;
    return idle.pop() ?? spawn();
  }
  if (waiting.length >= PARSE_QUEUE)
    throw new AppError('SERVICE_UNAVAILABLE', {
      message: {
        zh: '正在处理的导入文件过多，请稍后再试',
        en: 'Too many files are being imported; try again in a moment',
      },
      retryAfterSeconds: 5,
    });
  const slot = await new Promise<Slot | null>((resolve) => waiting.push(resolve));
  return slot ?? spawn();
}

/** Gives the turn to the next waiting file; a healthy worker is kept for it, or kept warm. */
function release(slot: Slot, healthy: boolean) {
  slot.worker.removeAllListeners('message');
  slot.worker.removeAllListeners('error');
  slot.worker.removeAllListeners('exit');
  if (!healthy) void slot.worker.terminate();
  const next = waiting.shift();
  if (next) {
    next(healthy ? slot : null);
    return;
  }
  busy--;
  if (healthy) {
    slot.worker.unref(); // an idle worker never keeps the process alive
    idle.push(slot);
  }
}

/** openEnterpriseFile, in a worker thread: the same ParsedFile, its records streamed back. */
export async function openEnterpriseFileOffThread(
  source: ImportSource,
  opts: { fileName?: string; limits: ImportLimits },
): Promise<ParsedFile> {
  let input: Uint8Array | string;
  if (typeof source === 'string' || source instanceof Uint8Array) input = source;
  else {
    const parts: Buffer[] = [];
    for await (const chunk of source)
      parts.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
    input = Buffer.concat(parts);
  }

  const slot = await acquire();
  const { worker } = slot;
  worker.ref();
  let released = false;
  const done = (healthy: boolean) => {
    if (released) return;
    released = true;
    release(slot, healthy);
  };

  // One message at a time is awaited; whatever ends the worker ends the wait with an error.
  let pending: { resolve: (m: WorkerMessage) => void; reject: (e: unknown) => void } | null = null;
  let ended: unknown = null;
  const finish = (e: unknown) => {
    ended ??= e;
    pending?.reject(ended);
    pending = null;
  };
  worker.on('message', (m: WorkerMessage) => {
    if (m.type === 'ready') return;
    if (m.type === 'error') {
      finish(revive(m.error));
      done(true);
      return;
    }
    const p = pending;
    pending = null;
    p?.resolve(m);
  });
  worker.on('error', (e: Error & { code?: string }) => {
    finish(
      e.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? withInternal(limitError('TOO_COMPLEX', opts.limits), e.message)
        : withInternal(
            new AppError('UNSUPPORTED_FILE', { message: { zh: '无法读取文件', en: 'Cannot read the file' } }),
            String(e.stack ?? e),
          ),
    );
  });
  worker.on('exit', () => {
    finish(new AppError('INTERNAL', { detail: 'the import worker stopped' }));
    done(false);
  });
  const receive = () =>
    new Promise<WorkerMessage>((resolve, reject) => {
      if (ended) reject(ended);
      else pending = { resolve, reject };
    });

  let opened: WorkerMessage;
  try {
    await slot.ready;
    const input_: WorkerInput = { source: input, fileName: opts.fileName, limits: opts.limits };
    const first = receive();
    worker.postMessage({ type: 'open', input: input_ });
    opened = await first;
  } catch (e) {
    done(false);
    if (e instanceof AppError) throw e;
    throw withInternal(
      new AppError('UNSUPPORTED_FILE', { message: { zh: '无法读取文件', en: 'Cannot read the file' } }),
      String((e as Error)?.stack ?? e),
    );
  }
  if (opened.type !== 'open') {
    done(false);
    throw new AppError('INTERNAL', { detail: `import worker sent ${opened.type} first` });
  }
  const file = opened.file as {
    format: ParsedFile['format'];
    encoding: ParsedFile['encoding'];
    headerRow: number;
    columns: ResolvedColumns;
    warnings: ParsedFile['warnings'];
    bytesTotal: number | null;
  };
  let bytesRead = 0;

  async function* records(): AsyncGenerator<FileRecord> {
    let complete = false;
    try {
      for (;;) {
        const next = receive();
        worker.postMessage({ type: 'next' });
        const m = await next;
        if (m.type !== 'records') throw new AppError('INTERNAL', { detail: `import worker sent ${m.type}` });
        bytesRead = m.bytesRead;
        if (m.done) complete = true;
        yield* m.records;
        if (m.done) return;
      }
    } finally {
      // a file read to its end leaves the worker ready for the next; one left midway ends it
      done(complete);
    }
  }

  return { ...file, records: records(), bytesRead: () => bytesRead };
}
