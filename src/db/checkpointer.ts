// SQLite's write-ahead log, checkpointed off the request path.
//
// In WAL mode every commit appends to the log, and by default the commit that takes the log past
// 1,000 pages (4 MB) also copies the log back into the database and syncs it — on the main thread,
// inside whichever request happened to commit then. At city scale that is one request in thirty
// taking 10–100 ms longer (a result entered, a grade moved): the tail of every latency figure.
//
// So a file database gets a checkpointer: every second the main thread looks at the log's size (a
// stat, no query) and, past CHECKPOINT_BYTES, asks a worker thread with its own connection for a
// PASSIVE checkpoint, which waits for no reader and blocks no writer. The main connection's own
// automatic checkpoint stays as a safety net, at SAFETY_NET_PAGES, should the worker fall behind.
// The worker starts with the first checkpoint it is asked for, so a database that is only read (or
// a short test) never starts one.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The log's size past which the worker checkpoints (SQLite's own default, 1,000 pages of 4 KiB). */
export const CHECKPOINT_BYTES = 4 * 1024 * 1024;
/** The main connection's automatic checkpoint, in pages: only if the worker falls far behind. */
export const SAFETY_NET_PAGES = 16_384;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
});
`;

export type CheckpointResult = { busy: number; log: number; checkpointed: number } | { error: string };

export type Checkpointer = {
  /** Checkpoints now (in the worker) whatever the log's size; resolves with SQLite's answer. */
  checkpoint: () => Promise<CheckpointResult>;
  /** Stops the timer and the worker. */
  close: () => Promise<void>;
};

export function startCheckpointer(file: string, opts: { intervalMs?: number } = {}): Checkpointer {
  const walFile = `${file}-wal`;
  let worker: Worker | null = null;
  let waiting: ((r: CheckpointResult) => void)[] = [];
  let inFlight: Promise<CheckpointResult> | null = null;
  let closed = false;

  const spawn = () => {
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    w.unref();
    w.on('message', (m: CheckpointResult) => {
      const done = waiting;
      waiting = [];
      for (const r of done) r(m);
    });
    const fail = (err: unknown) => {
      if (worker === w) worker = null;
      const done = waiting;
      waiting = [];
      for (const r of done) r({ error: String((err as Error)?.message ?? err) });
    };
    w.on('error', fail);
    w.on('exit', () => fail(new Error('checkpoint worker exited')));
    return w;
  };

  const checkpoint = (): Promise<CheckpointResult> => {
    if (closed) return Promise.resolve({ error: 'closed' });
    if (inFlight) return inFlight;
    worker ??= spawn();
    const w = worker;
    inFlight = new Promise<CheckpointResult>((resolve) => {
      waiting.push(resolve);
      w.postMessage('checkpoint');
    }).finally(() => {
      inFlight = null;
    });
    return inFlight;
  };

  const timer = setInterval(() => {
    if (inFlight) return;
    let size = 0;
    try {
      size = fs.statSync(walFile).size;
    } catch {
      return; // no log yet
    }
    if (size >= CHECKPOINT_BYTES) void checkpoint();
  }, opts.intervalMs ?? 1000);
  timer.unref();

  return {
    checkpoint,
    close: async () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      worker?.ref(); // the checkpoint in flight, too, must not be cut short by the process ending
      await inFlight;
      const w = worker;
      worker = null;
      if (!w) return;
      // While closing, the worker and the fallback timer hold the process open: with both unref'd
      // (as they are while running), a caller awaiting close() at the end of a command would see
      // the process exit under it, with the rest of its work undone.
      w.ref();
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      let fallbackTimer: NodeJS.Timeout | undefined;
      const fallback = new Promise<void>((resolve) => {
        fallbackTimer = setTimeout(resolve, 2000);
      });
      w.postMessage('close');
      await Promise.race([exited, fallback]);
      clearTimeout(fallbackTimer);
      await w.terminate();
    },
  };
}
