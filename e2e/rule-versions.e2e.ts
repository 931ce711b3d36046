// Rule-set versions as a regulator sees them: a published version whose date is ahead reads
// 将于 YYYY-MM-DD 生效 in the list and the editor, the one in force 现行; in the editor,
// 与上一版本比较 lists the changes in words (a rule's points before → after, the effective date).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraft, getRuleSet, publishRuleSet } from '../src/modules/credit/rule-store.js';
import { systemActor } from '../src/platform/context.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('rule-set versions', () => {
  it('labels a future version, and compares it with the previous one', async () => {
    const current = await h.rt.db
      .selectFrom('credit_rule_sets')
      .select(['id', 'version'])
      .where('status', '=', 'published')
      .orderBy('version', 'desc')
      .executeTakeFirstOrThrow();
    const { body } = await getRuleSet(h.rt, current.id, current.version);
    const today = h.rt.clock.now().toISOString().slice(0, 10);
    const future = `${Number(today.slice(0, 4)) + 1}-01-01`;
    const first = body.rules[0]!;
    const rules = body.rules.map((r) => (r.id === first.id ? { ...r, points: r.points - 1 } : r));
    const draft = await createDraft(h.rt, systemActor('e2e'), { ...body, rules, effectiveFrom: future });
    await publishRuleSet(h.rt, systemActor('e2e'), draft.id, draft.version, today);

    const { page } = await h.newPage();
    await h.login(page, 'regulator');
    await page.goto('/credit/rule-sets');
    const table = page.getByTestId('ruleset-table');
    const futureRow = table.locator('tr', { hasText: `v${draft.version}` });
    await expect
      .poll(() => futureRow.getByTestId('ruleset-status').textContent())
      .toBe(`将于 ${future} 生效`);
    const currentRow = table.locator('tr', { hasText: `v${current.version}` });
    await expect.poll(() => currentRow.getByTestId('ruleset-status').textContent()).toBe('现行');
    await h.screenshot(page, 'rule-versions-list');

    await page.goto(`/credit/rule-sets/${encodeURIComponent(draft.id)}/${draft.version}`);
    await expect
      .poll(() => page.getByTestId('ruleset-status').first().textContent())
      .toBe(`将于 ${future} 生效`);
    await page.getByTestId('ruleset-compare').click();
    const diff = page.getByTestId('ruleset-diff');
    await diff.waitFor();
    const pointsRow = diff.locator('tr', { hasText: `规则 ${first.id} · 分值` });
    const fmt = (n: number) => (n > 0 ? `+${n}` : String(n));
    await expect
      .poll(() => pointsRow.getByTestId('ruleset-diff-values').textContent())
      .toBe(`${fmt(first.points)} → ${fmt(first.points - 1)}`);
    await expect.poll(() => diff.locator('tr', { hasText: '生效日期' }).textContent()).toContain(future);
    await h.screenshot(page, 'rule-versions-diff');
  });
});
