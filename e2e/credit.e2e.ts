// Quality credit end to end, through the real pages: a regulator enters a failed sample on the demo
// enterprise user's own enterprise and its grade drops; the enterprise objects with a file; the
// regulator reviews and upholds the objection; the grade comes back; the public portal never shows
// the reversed record, a grade, a score or a contact's phone number.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseOption, type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

type Grade = 'A' | 'B' | 'C' | 'D';
type Archive = {
  enterprise: { uscc: string; name: string };
  grade: { grade: Grade; score: number; ruleSet: { id: string; version: number } };
};
type RuleSetBody = {
  bounds: { min: number; max: number };
  grades: { grade: Grade; minScore: number }[];
  rules: { eventType: string; match?: Record<string, unknown>; points: number }[];
};

const SAMPLE_NO = 'E2E-CC-20261';
const GROUNDS = '样品封样记录缺失，抽样程序不合规，申请撤销。';
const EVIDENCE = '复检报告-E2E.pdf';
const REASONS = '经复核，抽样单与封样记录不一致。';

const bodyText = async (page: Page) => (await page.locator('body').textContent()) ?? '';
const gradeCard = (page: Page) => ({
  letter: () => page.getByTestId('credit-grade-letter').textContent(),
  score: () => page.getByTestId('credit-grade-score').textContent(),
});

describe('a failed sample, an objection and its review', () => {
  it('drops the grade, restores it when the objection is upheld, and keeps the portal clean', async () => {
    // The demo enterprise account belongs to one enterprise: the whole walk is about that one.
    const ent = await h.newPage();
    await h.login(ent.page, 'enterprise');
    const mineRes = await ent.page.request.get('/api/v1/credit/mine');
    expect(mineRes.status()).toBe(200);
    const mine = (await mineRes.json()) as { uscc: string; name: string };
    const contacts = await h.rt.db
      .selectFrom('enterprise_contacts as c')
      .innerJoin('enterprises as e', 'e.id', 'c.enterprise_id')
      .select('c.phone')
      .where('e.uscc', '=', mine.uscc)
      .where('c.phone', 'is not', null)
      .execute();
    const phones = contacts.map((c) => c.phone!).filter((p) => p.length >= 7);
    expect(phones.length).toBeGreaterThan(0); // otherwise the portal check below proves nothing

    const reg = await h.newPage();
    await h.login(reg.page, 'regulator');
    const before = (await (
      await reg.page.request.get(`/api/v1/credit/enterprises/${mine.uscc}`)
    ).json()) as Archive;
    // What a critical failed sample costs under the rule set in force, and the grade it leads to.
    const rs = (
      (await (
        await reg.page.request.get(
          `/api/v1/credit/rule-sets/${before.grade.ruleSet.id}/${before.grade.ruleSet.version}`,
        )
      ).json()) as { body: RuleSetBody }
    ).body;
    const rule = rs.rules.find(
      (r) => r.eventType === 'sampling.sample.failed' && r.match?.severity === 'critical',
    )!;
    const dropped = Math.max(rs.bounds.min, before.grade.score + rule.points);
    const gradeOf = (score: number) =>
      [...rs.grades].sort((a, b) => b.minScore - a.minScore).find((g) => score >= g.minScore)!.grade;
    // The demo enterprise's grade is whatever its seeded history (credit and sampling) made it; the
    // walk needs only that one critical failure moves it down a letter.
    const was = before.grade.grade;
    const fell = gradeOf(dropped);
    expect(fell).not.toBe(was);

    // 1. The regulator opens the enterprise's credit page and enters the failed sample.
    const r = reg.page;
    await r.goto(`/credit/enterprises/${mine.uscc}`);
    await expect.poll(() => r.getByTestId('credit-enterprise-name').textContent()).toBe(mine.name);
    await expect.poll(gradeCard(r).letter).toBe(was);
    await expect.poll(gradeCard(r).score).toBe(String(before.grade.score));
    await r.getByTestId('credit-add-record').click();
    const drawer = r.getByTestId('credit-record-form');
    await drawer.waitFor();
    await chooseOption(r, drawer, '记录类型', '监督抽查不合格');
    await chooseOption(r, drawer, '不合格程度', '特别严重(涉及安全、健康)');
    await drawer.getByLabel('样品编号').fill(SAMPLE_NO);
    await drawer.getByLabel('产品类别').fill('电动自行车充电器');
    await drawer.getByTestId('credit-record-submit').click();
    await r.getByTestId('credit-record-confirm').click(); // a record can only be reversed: asked first
    await expect.poll(gradeCard(r).letter).toBe(fell);
    await expect.poll(gradeCard(r).score).toBe(String(dropped));
    await r.getByText(`当前等级 ${fell}（${dropped} 分）`).waitFor();
    const regRow = r.getByTestId('credit-records').locator('tr.ant-table-row', { hasText: SAMPLE_NO });
    await regRow.waitFor();
    await h.screenshot(r, 'credit-recorded');

    // 2. The enterprise user finds the own credit file from the menu and objects, with a file.
    const e = ent.page;
    await e.getByRole('menuitem', { name: '我的信用档案' }).click();
    await e.waitForURL(new RegExp(`/credit/enterprises/${mine.uscc}$`));
    await expect.poll(() => e.getByTestId('credit-enterprise-name').textContent()).toBe(mine.name);
    await expect.poll(gradeCard(e).letter).toBe(fell);
    const entRow = e.getByTestId('credit-records').locator('tr.ant-table-row', { hasText: SAMPLE_NO });
    await entRow.waitFor();
    expect(await entRow.textContent()).toContain('特别严重(涉及安全、健康)');
    // The record's details carry the record type's labels, not field names or codes.
    await entRow.locator('.ant-table-row-expand-icon').click();
    const details = e.locator('tr.ant-table-expanded-row').filter({ hasText: SAMPLE_NO });
    await details.getByText('不合格程度').waitFor();
    const labels = await details.locator('.ant-descriptions-item-label').allTextContents();
    const values = await details.locator('.ant-descriptions-item-content').allTextContents();
    expect(labels.slice(0, 3)).toEqual(['不合格程度', '样品编号', '产品类别']);
    expect(values.slice(0, 3)).toEqual(['特别严重(涉及安全、健康)', SAMPLE_NO, '电动自行车充电器']);

    await entRow.getByTestId('credit-object').click();
    const objectDialog = e.getByRole('dialog').filter({ hasText: '对信用记录提出异议' });
    await objectDialog.getByLabel('异议理由').fill(GROUNDS);
    await objectDialog.locator('input[type=file]').setInputFiles({
      name: EVIDENCE,
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'),
    });
    await objectDialog.locator('.ant-upload-list-item-done', { hasText: EVIDENCE }).waitFor();
    await objectDialog.locator('.ant-modal-footer .ant-btn-primary').click();
    await e.getByText('异议已提交').waitFor();
    await entRow.getByText('已提交', { exact: true }).waitFor();
    await h.screenshot(e, 'credit-objected');

    // Meanwhile the public sees the record, marked as under objection.
    const anon = await h.newPage();
    const a = anon.page;
    const apiPaths: string[] = [];
    a.on('request', (req) => {
      const { pathname } = new URL(req.url());
      if (pathname.startsWith('/api/')) apiPaths.push(pathname);
    });
    await a.goto(`/portal/enterprises/${mine.uscc}`);
    const publicRecord = a.getByTestId('portal-credit-record').filter({ hasText: SAMPLE_NO });
    await publicRecord.getByText('异议处理中', { exact: true }).waitFor();

    // 3. The regulator starts the review and upholds the objection in the queue.
    await r.getByRole('menuitem', { name: '异议处理' }).click();
    await r.waitForURL(/\/credit\/objections/);
    const queueRow = r.getByTestId('credit-objections').locator('tr.ant-table-row', { hasText: SAMPLE_NO });
    await queueRow.waitFor();
    expect(await queueRow.textContent()).toContain(GROUNDS);
    await queueRow.getByTestId('credit-objection-evidence').getByText(EVIDENCE).waitFor();
    await expect
      .poll(() => queueRow.getByTestId('credit-evidence-link').getAttribute('href'))
      .toMatch(/^\/api\/v1\/credit\/evidence\/[\w-]+$/);
    const href = (await queueRow.getByTestId('credit-evidence-link').getAttribute('href'))!;
    const file = await r.request.get(href);
    expect(file.status()).toBe(200);
    expect((await file.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await h.screenshot(r, 'credit-objection-queue');

    await queueRow.getByTestId('credit-objection-start').click();
    await r.locator('.ant-popconfirm:visible .ant-btn-primary').click();
    await queueRow.getByText('审查中', { exact: true }).waitFor();
    await queueRow.getByTestId('credit-objection-uphold').click();
    const decision = r.getByRole('dialog').filter({ hasText: GROUNDS });
    await decision.getByText(EVIDENCE).waitFor();
    await decision.getByLabel('决定理由').fill(REASONS);
    await decision.locator('.ant-modal-footer .ant-btn-primary').click();
    await r.getByText('已处理，当前状态：异议成立').waitFor();
    await queueRow.getByText('异议成立', { exact: true }).waitFor();
    expect(await queueRow.textContent()).toContain(REASONS);

    // 4. The grade is back where it was, on the regulator's page and on the enterprise's own.
    await queueRow.getByRole('link', { name: mine.name }).click();
    await r.waitForURL(new RegExp(`/credit/enterprises/${mine.uscc}$`));
    await expect.poll(gradeCard(r).letter).toBe(before.grade.grade);
    await expect.poll(gradeCard(r).score).toBe(String(before.grade.score));
    await regRow.getByText('已更正', { exact: true }).waitFor();
    await r.getByTestId('credit-records').getByText('更正记录', { exact: true }).first().waitFor();
    await h.screenshot(r, 'credit-restored');

    await e.reload();
    await expect.poll(gradeCard(e).letter).toBe(before.grade.grade);
    await expect.poll(gradeCard(e).score).toBe(String(before.grade.score));
    await entRow.getByText('异议成立', { exact: true }).waitFor();

    // 5. The portal, without login: the reversed record is gone; no grade, score or phone number.
    const bodyOf = (path: string) =>
      a.waitForResponse((res) => new URL(res.url()).pathname === path).then((res) => res.text());
    const [creditBody, enterpriseBody] = await Promise.all([
      bodyOf(`/api/v1/public/credit/${mine.uscc}`),
      bodyOf(`/api/v1/public/enterprises/${mine.uscc}`),
      a.reload(),
    ]);
    await a.getByTestId('portal-detail').getByText(mine.uscc).waitFor();
    await a
      .getByTestId('portal-credit')
      .getByText(/依法公示的信用记录|暂无依法公示的信用记录/)
      .waitFor();
    await h.screenshot(a, 'credit-portal-after');
    const shown = await bodyText(a);
    expect(shown).toContain(mine.name);
    expect(shown).not.toContain(SAMPLE_NO);
    expect(shown).not.toContain('特别严重(涉及安全、健康)');
    expect(shown).not.toMatch(/信用等级|信用分|守信|\d+\s*分(?!局)/); // (失信 alone is the blacklist's name)
    expect(await a.getByTestId('credit-grade-letter').count()).toBe(0);
    expect(await a.getByTestId('portal-credit-grade').count()).toBe(0);
    expect(creditBody).not.toContain(SAMPLE_NO);
    const everything = `${shown}\n${await a.content()}\n${creditBody}\n${enterpriseBody}`;
    for (const phone of phones) expect(everything).not.toContain(phone);
    expect(`${creditBody}\n${enterpriseBody}`).not.toMatch(/"(score|grade|phone|contacts)"/);
    // Everything the portal loaded came from the public API (the session probe answers 401).
    expect(apiPaths.filter((p) => p !== '/api/auth/me' && !p.startsWith('/api/v1/public/'))).toEqual([]);

    await anon.context.close();
    await ent.context.close();
    await reg.context.close();
  });
});
