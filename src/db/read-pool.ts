// Heavy reads (substring search over the register…) kept from starving everything else.
//
// better-sqlite3 runs a statement synchronously on the thread that calls it, and Kysely serialises
// every statement of a SQLite database through one connection: a 50 ms LIKE '%…%' walk holds the
// event loop for 50 ms, and two hundred of them queued make /api/health wait seconds. So on SQLite a
// heavy read runs in a small pool of worker threads, each with its own read-only connection (WAL lets
// readers run beside the writer and see every committed write); the main thread stays free for the
// light requests. A statement that runs past the time limit is stopped by ending its worker (the
// only way to interrupt better-sqlite3), and the worker is replaced.
//
// On both databases, heavy reads are admitted by a gate: at most `active` at once (on PostgreSQL
// fewer than the pool's connections, so health checks and sign-ins always find one), at most
// `queued` waiting; beyond that, or when a read waited or ran past its limit, the caller gets a
// fast 503 SERVICE_UNAVAILABLE with Retry-After instead of a place at the back of a long queue.
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { type Compilable, type CompiledQuery, sql } from 'kysely';
import { AppError } from '../core/errors.js';
import type { Db, Dialect } from './connect.js';

export type HeavyReadOptions = {
  /** Reads running at once: worker threads on SQLite, pool connections on PostgreSQL. */
  active: number;
  /** Reads waiting for their turn before the next is refused with 503. */
  queued: number;
  /** Longest a read may wait plus run, in milliseconds, before it is refused or stopped. */
  timeoutMs: number;
};

export const DEFAULT_HEAVY_READS: HeavyReadOptions = {
  // one core stays with the main thread: on 2 cores, one reader
  active: Math.max(1, Math.min(4, os.availableParallelism() - 1)),
  queued: 32,
  timeoutMs: 5_000,
};

/** Seconds a shed client is told to wait (Retry-After). */
const RETRY_AFTER_SECONDS = 1;

const busy = (why: 'queue' | 'timeout') =>
  new AppError('SERVICE_UNAVAILABLE', {
    detail:
      why === 'queue'
        ? 'Too many searches are running; retry in a moment. 查询繁忙，请稍后重试。'
        : 'The search took too long and was stopped; narrow it or retry. 查询超时，请缩小范围或稍后重试。',
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });

type Job = {
  run: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  at: number;
};

/** At most `active` jobs at once, `queued` waiting; a job that waited past the limit is refused. */
export class Gate {
  private running = 0;
  private readonly waiting: Job[] = [];
  constructor(private readonly opts: HeavyReadOptions) {}

  get load() {
    return { running: this.running, waiting: this.waiting.length };
  }

  get full() {
    return this.running >= this.opts.active && this.waiting.length >= this.opts.queued;
  }

  /** Reads the gate holds at most: running and waiting. */
  get capacity() {
    return this.opts.active + this.opts.queued;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running < this.opts.active) return this.start(fn);
    if (this.waiting.length >= this.opts.queued) return Promise.reject(busy('queue'));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ run: fn, resolve: resolve as (v: unknown) => void, reject, at: Date.now() });
    });
  }

  private start<T>(fn: () => Promise<T>): Promise<T> {
    this.running++;
    const done = () => {
      this.running--;
      this.next();
    };
    return fn().finally(done);
  }

  private next() {
    while (this.running < this.opts.active && this.waiting.length) {
      const job = this.waiting.shift()!;
      // it waited its whole time limit already: refuse rather than start work nobody waits for
      if (Date.now() - job.at >= this.opts.timeoutMs) {
        job.reject(busy('timeout'));
        continue;
      }
      this.start(job.run).then(job.resolve, job.reject);
    }
  }
}

// --- SQLite: read-only connections in worker threads ------------------------------------------

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -32768');
const cache = new Map();
parentPort.postMessage({ ready: true });
parentPort.on('message', ({ id, sql, parameters }) => {
  try {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (cache.size >= 200) cache.delete(cache.keys().next().value);
      cache.set(sql, stmt);
    }
    if (!stmt.reader) throw new Error('a heavy read must be a SELECT');
    parentPort.postMessage({ id, rows: stmt.all(parameters) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

type Pending = { resolve: (rows: unknown[]) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout };
type Thread = { worker: Worker; pending: Map<number, Pending>; ready: Promise<void>; dead: boolean };

/** One worker thread with a read-only connection, replaced when it is ended or fails. */
class SqliteReader {
  private thread: Thread | null = null;
  private seq = 0;
  constructor(
    private readonly file: string,
    private readonly timeoutMs: number,
  ) {}

  private spawn(): Thread {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: this.file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    worker.unref();
    let onReady!: () => void;
    const t: Thread = { worker, pending: new Map(), ready: new Promise((r) => (onReady = r)), dead: false };
    worker.on('message', (m: { id: number; rows?: unknown[]; error?: string; ready?: true }) => {
      if (m.ready) return onReady();
      const p = t.pending.get(m.id);
      if (!p) return;
      t.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.rows!);
    });
    const fail = (err: unknown) => {
      t.dead = true;
      onReady();
      if (this.thread === t) this.thread = null;
      for (const p of t.pending.values()) {
        clearTimeout(p.timer);
        p.reject(err);
      }
      t.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new Error('read worker exited')));
    this.thread = t;
    return t;
  }

  get idle() {
    return !this.thread || this.thread.pending.size === 0;
  }

  /** Starts the worker ahead of the first read. */
  warm() {
    if (!this.thread) this.spawn();
  }

  /** Runs the query within budgetMs of its start in the worker (a worker's start-up not counted). */
  async all(query: CompiledQuery, budgetMs: number): Promise<unknown[]> {
    const t = this.thread ?? this.spawn();
    const id = ++this.seq;
    await t.ready;
    if (t.dead) throw new Error('the read worker stopped before the read');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          // better-sqlite3 cannot be interrupted: end the worker (and its statement); the next read
          // starts a fresh one
          const p = t.pending.get(id);
          t.pending.delete(id);
          if (this.thread === t) this.thread = null;
          void t.worker.terminate();
          this.spawn(); // the next read finds a worker started
          p?.reject(busy('timeout'));
        },
        Math.max(1, Math.min(budgetMs, this.timeoutMs)),
      );
      t.pending.set(id, { resolve, reject, timer });
      t.worker.postMessage({ id, sql: query.sql, parameters: query.parameters });
    });
  }

  close() {
    const t = this.thread;
    this.thread = null;
    return t ? t.worker.terminate().then(() => undefined) : Promise.resolve();
  }
}

type HeavyReads = {
  gate: Gate;
  warm: () => void;
  exec: (query: CompiledQuery, startedAt: number) => Promise<unknown[]>;
  close: () => Promise<void>;
};

const registry = new WeakMap<object, HeavyReads>();

/**
 * Sets up heavy reads for a database opened by openDatabase: worker threads on a SQLite file (none
 * for :memory:, where a read runs in place but still through the gate), the gate on PostgreSQL.
 */
export function registerHeavyReads(
  db: Db,
  target: { dialect: Dialect; file?: string },
  opts: HeavyReadOptions = DEFAULT_HEAVY_READS,
): () => Promise<void> {
  void registry.get(db)?.close();
  const gate = new Gate(opts);
  let exec: HeavyReads['exec'];
  let close = async () => {};
  let warm = () => {};
  if (target.dialect === 'sqlite' && target.file && target.file !== ':memory:' && opts.active > 0) {
    const readers = Array.from({ length: opts.active }, () => new SqliteReader(target.file!, opts.timeoutMs));
    // the gate lets at most readers.length reads run, so one reader is always idle here
    exec = (query, startedAt) =>
      (readers.find((r) => r.idle) ?? readers[0]!).all(query, opts.timeoutMs - (Date.now() - startedAt));
    close = async () => {
      await Promise.all(readers.map((r) => r.close()));
    };
    warm = () => {
      for (const r of readers) r.warm();
    };
  } else if (target.dialect === 'postgres') {
    // the statement is stopped by the server once its time is up (a transaction-local limit)
    exec = async (query, startedAt) => {
      const ms = Math.max(1, opts.timeoutMs - (Date.now() - startedAt));
      try {
        return await db.transaction().execute(async (trx) => {
          await sql`select set_config('statement_timeout', ${String(ms)}, true)`.execute(trx);
          return (await trx.executeQuery(query)).rows;
        });
      } catch (err) {
        if ((err as { code?: string }).code === '57014') throw busy('timeout'); // query_canceled
        throw err;
      }
    };
  } else {
    exec = async (query) => (await db.executeQuery(query)).rows;
  }
  registry.set(db, { gate, exec, close, warm });
  return close;
}

/**
 * Runs a read-only query that may be slow (a substring search, a scan) through the heavy-read
 * gate: off the event loop on SQLite, with a time limit on both databases. Refused with 503
 * SERVICE_UNAVAILABLE + Retry-After when too many are waiting. Inside a transaction, or on a
 * database not opened by openDatabase, it simply runs.
 */
export async function heavyRead<R>(db: Db, query: Compilable<R>): Promise<R[]> {
  const compiled = query.compile();
  const heavy = db.isTransaction ? undefined : registry.get(db);
  if (!heavy) return (await db.executeQuery(compiled)).rows;
  const startedAt = Date.now();
  return heavy.gate.run(() => heavy.exec(compiled, startedAt)) as Promise<R[]>;
}

/** Running and waiting heavy reads of a database (for tests and the health route). */
export function heavyReadLoad(db: Db) {
  return registry.get(db)?.gate.load ?? { running: 0, waiting: 0 };
}

/** Starts the read workers now rather than on the first heavy read (the server does, at start). */
export function warmHeavyReads(db: Db) {
  registry.get(db)?.warm();
}

/** How many heavy reads the gate of this database holds at most (running and waiting). */
export function heavyReadCapacity(db: Db): number {
  return registry.get(db)?.gate.capacity ?? Number.POSITIVE_INFINITY;
}
