import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import { isAppError } from '../../core/errors.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import type { EnterpriseInput } from './enterprise-input.js';
import {
  createEnterprise,
  enterpriseHistory,
  findEnterpriseByUscc,
  loadReferenceLookup,
  overviewStats,
  searchEnterprises,
  updateEnterprise,
  upsertEnterprises,
} from './enterprises.js';

const CHANGAN = '441900119';
const HUMEN = '441900121';
const actor = systemActor('test');

for (const dialect of DIALECTS) {
  describe(`register of enterprises [${dialect}]`, () => {
    let rt: Runtime;
    const clock = offsetClock('2026-11-26T02:00:00.000Z');
    beforeAll(async () => {
      rt = await testContext(dialect, { clock });
    });
    afterAll(async () => rt?.close());

    const upsert = (rows: EnterpriseInput[]) =>
      rt.db
        .transaction()
        .execute((trx) => upsertEnterprises(trx, { actor, now: clock.now(), rows, source: 'test' }));

    it('loads the 36 towns and the GB/T 4754 sections and divisions', async () => {
      const towns = await rt.db.selectFrom('towns').select('code').execute();
      expect(towns).toHaveLength(36);
      const sections = await rt.db
        .selectFrom('industries')
        .select('code')
        .where('level', '=', 'section')
        .execute();
      expect(sections).toHaveLength(20);
      const refs = await loadReferenceLookup(rt.db);
      expect(refs.town('长安')).toBe(CHANGAN);
      expect(refs.town('虎门镇')).toBe(HUMEN);
      expect(refs.town('441900121000')).toBe(HUMEN);
      expect(refs.industry('C3911')).toBe('39');
      expect(refs.industry('391')).toBe('39');
    });

    it('upserts by USCC: insert, unchanged, update — with audit and events in step', async () => {
      const a = buildEnterprise();
      const b = buildEnterprise({ townCode: HUMEN });
      expect(await upsert([a, b])).toMatchObject({ imported: 2, updated: 0, unchanged: 0 });
      expect(await upsert([a, b])).toMatchObject({ imported: 0, updated: 0, unchanged: 2 });
      const changed = { ...a, name: `${a.name}（变更）`, status: 'suspended' as const };
      expect(await upsert([changed, b])).toMatchObject({ imported: 0, updated: 1, unchanged: 1 });

      const row = await findEnterpriseByUscc(rt.db, a.uscc);
      expect(row).toMatchObject({ name: changed.name, status: 'suspended', version: 2 });
      const history = await enterpriseHistory(rt, row!.id);
      expect(history.map((h) => h.action)).toEqual(['enterprise.update', 'enterprise.create']);
      expect(history[0]!.changes.map((c) => c.field).sort()).toEqual(['name', 'status']);
      const events = await rt.db
        .selectFrom('outbox_events')
        .select('type')
        .where('enterprise_id', '=', row!.id)
        .orderBy('id')
        .execute();
      expect(events.map((e) => e.type)).toEqual([
        'registry.enterprise.created',
        'registry.enterprise.updated',
        'registry.enterprise.statusChanged',
      ]);
    });

    it('rolls the whole batch back when the transaction fails', async () => {
      const a = buildEnterprise();
      await expect(
        rt.db.transaction().execute(async (trx) => {
          await upsertEnterprises(trx, { actor, now: clock.now(), rows: [a], source: 'test' });
          throw new Error('crash mid-batch');
        }),
      ).rejects.toThrow('crash mid-batch');
      expect(await findEnterpriseByUscc(rt.db, a.uscc)).toBeUndefined();
      const audits = await rt.db
        .selectFrom('audit_log')
        .select('id')
        .where('after', 'like', `%${a.uscc}%`)
        .execute();
      expect(audits).toHaveLength(0);
    });

    it('refuses a duplicate USCC and enforces optimistic locking', async () => {
      const a = buildEnterprise();
      await createEnterprise(rt, actor, a);
      await expect(createEnterprise(rt, actor, a)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
      await updateEnterprise(rt, actor, a.uscc, { scale: 'medium', version: 1 });
      const err = await updateEnterprise(rt, actor, a.uscc, { scale: 'large', version: 1 }).catch((e) => e);
      expect(isAppError(err) && err.code).toBe('CONFLICT');
      const bad = await updateEnterprise(rt, actor, a.uscc, { townCode: '火星镇' }).catch((e) => e);
      expect(isAppError(bad) && bad.fields[0]?.field).toBe('townCode');
    });

    it('searches by Chinese substring, USCC prefix and filters, with stable keyset pages', async () => {
      const marker = `琪瑞${dialect}`;
      const rows = Array.from({ length: 25 }, (_, i) =>
        buildEnterprise({
          name: `东莞市${marker}${String(i).padStart(2, '0')}五金制品有限公司`,
          tags: i % 5 === 0 ? ['exporter'] : [],
        }),
      );
      await upsert(rows);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await searchEnterprises(rt, { q: marker, limit: 10, cursor });
        seen.push(...page.items.map((r) => r.uscc));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);

      const byUscc = await searchEnterprises(rt, { q: rows[3]!.uscc.toLowerCase() });
      expect(byUscc.items.map((r) => r.uscc)).toEqual([rows[3]!.uscc]);
      const tagged = await searchEnterprises(rt, { q: marker, tag: 'exporter', limit: 50 });
      expect(tagged.items).toHaveLength(5);
      const manufacturing = await searchEnterprises(rt, { q: marker, industry: 'C', limit: 50 });
      expect(manufacturing.items).toHaveLength(25);
      const humen = await searchEnterprises(rt, { q: marker, town: HUMEN });
      expect(humen.items).toHaveLength(0);
      const scoped = await searchEnterprises(rt, { q: marker, scope: { townCode: HUMEN } });
      expect(scoped.items).toHaveLength(0);
    });

    it('treats LIKE wildcards in a search as plain text', async () => {
      await upsert([buildEnterprise({ name: '东莞市百分之百_%电子有限公司' })]);
      expect((await searchEnterprises(rt, { q: '_%' })).items.map((r) => r.name)).toEqual([
        '东莞市百分之百_%电子有限公司',
      ]);
      expect((await searchEnterprises(rt, { q: '100%' })).items).toHaveLength(0);
    });

    it('rejects a forged cursor with a clear field error', async () => {
      const err = await searchEnterprises(rt, { cursor: 'not-a-cursor' }).catch((e) => e);
      expect(isAppError(err) && err.fields[0]?.field).toBe('cursor');
    });

    it('counts by status, town and section for the overview', async () => {
      const stats = await overviewStats(rt, undefined);
      const total = await rt.db
        .selectFrom('enterprises')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(stats.total).toBe(Number(total.n));
      expect(stats.byTown.reduce((a, t) => a + t.count, 0)).toBe(stats.total);
      const humenOnly = await overviewStats(rt, { townCode: HUMEN });
      expect(humenOnly.byTown.every((t) => t.code === HUMEN)).toBe(true);
    });
  });
}
