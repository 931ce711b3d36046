// The credit-grade draw screen (按信用等级抽取), as a city regulator uses it: from the menu, a draw for
// one town with a seed typed in; the strata and the drawn list agree with the rule set's ratios; the
// link with the seed gives the same list again; the list exports as a CSV Excel opens in Chinese.
// A town officer has no such menu entry and cannot open the page.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

type Draw = {
  seed: number;
  counts: Record<'A' | 'B' | 'C' | 'D', { population: number; drawn: number; ratio: number }>;
  items: { uscc: string; name: string; grade: string }[];
};

describe('the credit-grade draw screen', () => {
  it('draws a town by seed, shows each grade at its ratio, repeats from the link and exports', async () => {
    const town = await h.rt.db
      .selectFrom('towns')
      .select('code')
      .where('name', '=', '长安镇')
      .executeTakeFirstOrThrow();
    const { page } = await h.newPage();
    await h.login(page, 'regulator');
    await page.getByRole('menuitem', { name: '按信用等级抽取' }).click();
    await page.waitForURL(/\/credit\/supervision\/draw/);
    await page.getByTestId('supervision-draw-title').waitFor();

    // the town, then a seed typed in, then 抽取
    await page.getByTestId('town-select').click();
    await page.keyboard.type('长安');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '长安镇' }).click();
    await page.getByTestId('draw-seed').fill('20261203');
    const answered = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/v1/credit/supervision/draw',
    );
    await page.getByTestId('draw-run').click();
    const draw = (await (await answered).json()) as Draw;
    expect(new URL(page.url()).searchParams.get('town')).toBe(town.code);
    expect(new URL(page.url()).searchParams.get('seed')).toBe('20261203');

    // each grade drawn at ceil(ratio × population), as the strata table says
    const strata = page.getByTestId('draw-strata');
    await strata.waitFor();
    for (const g of ['A', 'B', 'C', 'D'] as const) {
      const c = draw.counts[g];
      expect(c.drawn).toBe(Math.min(c.population, Math.ceil(c.ratio * c.population - 1e-9)));
      const row = strata.locator('tr', { hasText: `${g} ·` });
      await expect.poll(async () => (await row.locator('td').allTextContents()).at(-1)).toBe(String(c.drawn));
    }
    expect(draw.items.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('draw-total').textContent()).toBe(String(draw.items.length));
    const firstRow = page.getByTestId('draw-items').locator('tr.ant-table-row').first();
    await expect.poll(() => firstRow.textContent()).toContain(draw.items[0]!.uscc);
    await h.screenshot(page, 'supervision-draw');

    // the same link draws the same list
    const again = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/v1/credit/supervision/draw',
    );
    await page.reload();
    expect(((await (await again).json()) as Draw).items.map((i) => i.uscc)).toEqual(
      draw.items.map((i) => i.uscc),
    );

    // the export: the list with the headers on screen, readable as UTF-8 by Excel
    const download = page.waitForEvent('download');
    await page.getByTestId('draw-export').click();
    const file = await (await download).path();
    const text = fs.readFileSync(file!, 'utf8');
    expect(text.startsWith('\uFEFF序号,统一社会信用代码,企业名称,信用等级\r\n')).toBe(true);
    const lines = text.trim().split('\r\n');
    expect(lines).toHaveLength(draw.items.length + 1);
    expect(lines[1]).toContain(draw.items[0]!.uscc);
  });

  it('is not offered to a town officer, whose link lands on no draw', async () => {
    const { page } = await h.newPage();
    const apiPaths: string[] = [];
    page.on('request', (r) => {
      const { pathname } = new URL(r.url());
      if (pathname.startsWith('/api/')) apiPaths.push(pathname);
    });
    await h.login(page, 'changan');
    await page.getByRole('menuitem', { name: '信用总览' }).waitFor();
    expect(await page.getByRole('menuitem', { name: '按信用等级抽取' }).count()).toBe(0);
    await page.goto('/credit/supervision/draw?seed=1');
    await page.getByTestId('user-menu').waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('draw-summary').count()).toBe(0);
    expect(apiPaths).not.toContain('/api/v1/credit/supervision/draw');
  });
});
