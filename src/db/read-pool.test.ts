// The heavy-read gate and pool: a slow read leaves the database free for everything else, runs no
// longer than its time limit (then 503, and the next read works), and the reads beyond the places
// of the gate are refused at once with 503 + Retry-After.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.js';
import type { Runtime } from '../platform/bootstrap.js';
import { DIALECTS, testContext } from '../testing/db.js';
import { Gate, heavyRead, registerHeavyReads } from './read-pool.js';

const refusal = (err: unknown) => {
  expect(err).toBeInstanceOf(AppError);
  const e = err as AppError;
  return { code: e.code, status: e.status, retryAfter: e.retryAfterSeconds };
};

describe('Gate', () => {
  it('runs `active` at once, queues `queued`, refuses the rest at once', async () => {
    const gate = new Gate({ active: 1, queued: 1, timeoutMs: 10_000 });
    let release!: () => void;
    const first = gate.run(() => new Promise<string>((r) => (release = () => r('first'))));
    const second = gate.run(async () => 'second');
    expect(gate.full).toBe(true);
    const start = performance.now();
    const third = await gate.run(async () => 'third').catch((e: unknown) => e);
    expect(performance.now() - start).toBeLessThan(50);
    expect(refusal(third)).toEqual({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfter: 1 });
    release();
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
    expect(gate.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a queued read that waited its whole time limit, rather than start it', async () => {
    const gate = new Gate({ active: 1, queued: 5, timeoutMs: 50 });
    const first = gate.run(() => new Promise((r) => setTimeout(r, 120)));
    let started = false;
    const late = gate
      .run(async () => {
        started = true;
      })
      .catch((e: unknown) => e);
    await first;
    expect(refusal(await late).code).toBe('SERVICE_UNAVAILABLE');
    expect(started).toBe(false);
  });
});

describe.each(DIALECTS)('heavy reads (%s)', (dialect) => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await testContext(dialect);
    registerHeavyReads(
      rt.db,
      {
        dialect,
        file: rt.config.database.dialect === 'sqlite' ? rt.config.database.file : undefined,
      },
      { active: 1, queued: 1, timeoutMs: 300 },
    );
  });
  afterAll(() => rt?.close());

  // seconds of work for the database: a long recursive count on SQLite, a sleep on PostgreSQL
  const slow = () =>
    dialect === 'sqlite'
      ? rt.db.selectNoFrom(
          sql<number>`(with recursive c(x) as (select 1 union all select x + 1 from c limit 5000000) select count(*) from c)`.as(
            'n',
          ),
        )
      : rt.db.selectNoFrom(sql<string>`pg_sleep(5)`.as('n'));

  it('stops a read at its time limit with 503, and the next read works', async () => {
    const start = performance.now();
    const err = await heavyRead(rt.db, slow()).catch((e: unknown) => e);
    const ms = performance.now() - start;
    expect(refusal(err)).toEqual({ code: 'SERVICE_UNAVAILABLE', status: 503, retryAfter: 1 });
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(3_000);
    const towns = await heavyRead(rt.db, rt.db.selectFrom('towns').select('code').orderBy('code').limit(2));
    expect(towns).toHaveLength(2);
  });

  it('leaves the database free for other queries while a heavy read runs', async () => {
    const running = heavyRead(rt.db, slow()).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const start = performance.now();
    await sql`select 1`.execute(rt.db);
    expect(performance.now() - start).toBeLessThan(150);
    // the gate's one place is taken and one read may wait: the next is refused at once
    const waiting = heavyRead(rt.db, rt.db.selectFrom('towns').select('code').limit(1)).catch(
      (e: unknown) => e,
    );
    const refused = await heavyRead(rt.db, rt.db.selectFrom('towns').select('code').limit(1)).catch(
      (e: unknown) => e,
    );
    expect(refusal(refused).code).toBe('SERVICE_UNAVAILABLE');
    expect(refusal(await running).code).toBe('SERVICE_UNAVAILABLE');
    // the waiting read ran once the slow one was stopped (or was refused had it waited too long)
    const w = await waiting;
    if (Array.isArray(w)) expect(w).toHaveLength(1);
    else expect(refusal(w).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('runs in place inside a transaction, which sees its own writes', async () => {
    const rows = await rt.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('towns')
        .set({ sort: 999 })
        .where('code', '=', sql<string>`(select min(code) from towns)`)
        .execute();
      return heavyRead(trx, trx.selectFrom('towns').select('sort').where('sort', '=', 999));
    });
    expect(rows).toEqual([{ sort: 999 }]);
  });
});
