import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../core/clock.js';
import { DIALECTS, testContext } from '../testing/db.js';
import { writeAudit } from './audit.js';
import type { Runtime } from './bootstrap.js';
import { systemActor } from './context.js';
import { dispatchPending, type EventHandler, emitEvents } from './events/outbox.js';
import { type Job, runDueJobs } from './jobs.js';

for (const dialect of DIALECTS) {
  describe(`platform: outbox, jobs, audit [${dialect}]`, () => {
    let rt: Runtime;
    const clock = offsetClock('2026-01-31T15:59:00.000Z'); // 23:59 in Shanghai, last day of January
    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
    });
    afterAll(async () => rt?.close());

    it('refuses an event whose payload does not match the catalogue', async () => {
      await expect(
        rt.db.transaction().execute((trx) =>
          emitEvents(
            trx,
            [
              {
                type: 'registry.enterprise.created',
                occurredAt: clock.now(),
                payload: { enterpriseId: 'x' } as never,
              },
            ],
            clock.now(),
          ),
        ),
      ).rejects.toThrow(/does not match/);
    });

    it('delivers each event once per handler, in order, even when dispatched twice at once', async () => {
      const seen: string[] = [];
      const handler: EventHandler = {
        name: 'test.counter',
        types: ['registry.enterprise.created'],
        handle: async (_ctx, _trx, e) => {
          seen.push((e.payload as { uscc: string }).uscc);
        },
      };
      await rt.db.transaction().execute((trx) =>
        emitEvents(
          trx,
          ['A', 'B', 'C'].map((uscc) => ({
            type: 'registry.enterprise.created' as const,
            occurredAt: clock.now(),
            payload: { enterpriseId: `id-${uscc}`, uscc, name: uscc, source: 'test' },
          })),
          clock.now(),
        ),
      );
      const [a, b] = await Promise.all([dispatchPending(rt, [handler]), dispatchPending(rt, [handler])]);
      expect(a + b).toBe(3);
      expect(seen).toEqual(['A', 'B', 'C']);
      expect(await dispatchPending(rt, [handler])).toBe(0);
    });

    it('rolls back a failing handler so the event is delivered again later', async () => {
      let fail = true;
      const handler: EventHandler = {
        name: 'test.flaky',
        types: ['registry.enterprise.created'],
        handle: async () => {
          if (fail) throw new Error('boom');
        },
      };
      await expect(dispatchPending(rt, [handler])).rejects.toThrow('boom');
      fail = false;
      expect(await dispatchPending(rt, [handler])).toBe(3);
    });

    it('runs a daily job once per Shanghai day and a monthly job once per month', async () => {
      const runs: string[] = [];
      const jobs: Job[] = [
        { name: 'test.daily', every: 'day', run: async (_c, key) => void runs.push(`d:${key}`) },
        { name: 'test.monthly', every: 'month', run: async (_c, key) => void runs.push(`m:${key}`) },
      ];
      await runDueJobs(rt, jobs);
      await runDueJobs(rt, jobs);
      clock.advance(60_000); // 00:00 on 1 February in Shanghai, still 31 January in UTC
      await runDueJobs(rt, jobs);
      expect(runs).toEqual(['d:2026-01-31', 'm:2026-01', 'd:2026-02-01', 'm:2026-02']);
    });

    it('records a failed job run with its error', async () => {
      await runDueJobs(rt, [
        {
          name: 'test.broken',
          every: 'day',
          run: async () => {
            throw new Error('disk full');
          },
        },
      ]);
      const row = await rt.db
        .selectFrom('job_runs')
        .selectAll()
        .where('job', '=', 'test.broken')
        .executeTakeFirstOrThrow();
      expect(row.status).toBe('failed');
      expect(row.detail).toContain('disk full');
    });

    it('writes audit rows only when the transaction commits', async () => {
      const entry = {
        actor: systemActor('t'),
        action: 'test.do',
        resourceType: 'thing',
        resourceId: 'r1',
        before: { a: 1 },
        after: { a: 2 },
        at: clock.now(),
      };
      await rt.db.transaction().execute((trx) => writeAudit(trx, entry));
      await rt.db
        .transaction()
        .execute(async (trx) => {
          await writeAudit(trx, { ...entry, resourceId: 'r2' });
          throw new Error('rollback');
        })
        .catch(() => {});
      const rows = await rt.db
        .selectFrom('audit_log')
        .select(['resource_id', 'before', 'after'])
        .where('action', '=', 'test.do')
        .execute();
      expect(rows).toEqual([{ resource_id: 'r1', before: '{"a":1}', after: '{"a":2}' }]);
    });
  });
}
