// The credit report: an enterprise user downloads the PDF (rendered by Chromium on the server), and
// the QR code's page on the public portal confirms it with the same check code, without a grade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCheckCode } from '../src/modules/credit/public.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('the credit report', () => {
  it('downloads as a PDF and is confirmed by the portal check its QR code opens', async () => {
    const { context, page } = await h.newPage();
    await h.login(page, 'enterprise');
    const mine = await (await page.request.get('/api/v1/credit/mine')).json();
    const res = await page.request.get(`/api/v1/credit/enterprises/${mine.uscc}/report.pdf`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    const pdf = await res.body();
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000); // the CJK font is embedded
    await context.close();

    const report = await h.rt.db
      .selectFrom('credit_reports as r')
      .innerJoin('enterprises as e', 'e.id', 'r.enterprise_id')
      .selectAll('r')
      .select('e.name')
      .where('e.uscc', '=', mine.uscc)
      .executeTakeFirstOrThrow();
    const code = reportCheckCode(report);

    const anon = await h.newPage();
    await anon.page.goto(`/portal/credit-reports/${report.id}`);
    await anon.page.getByText(code).waitFor();
    const text = (await anon.page.locator('body').textContent()) ?? '';
    expect(text).toContain(mine.name);
    expect(text).not.toMatch(/信用分|守信|信用等级/); // (the nav's 严重违法失信名单 is a list name, not a grade)
    await h.screenshot(anon.page, 'credit-report-check');
    await anon.page.goto('/portal/credit-reports/019f0000-0000-7000-8000-000000000000');
    await expect
      .poll(async () => (await anon.page.locator('body').textContent()) ?? '')
      .toMatch(/未找到|不存在|无效/);
    await anon.context.close();
  });
});
