// Who sees what: a town officer stays inside the town; the public portal shows public fields only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
const CHANGAN = '441900119';
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const withContact = (h: Harness, townOp: '=' | '!=') =>
  h.rt.db
    .selectFrom('enterprises as e')
    .innerJoin('enterprise_contacts as c', 'c.enterprise_id', 'e.id')
    .select(['e.uscc', 'e.name', 'c.phone', 'c.name as contact'])
    .where('e.town_code', townOp, CHANGAN)
    .where('c.phone', 'is not', null)
    .orderBy('e.uscc')
    .executeTakeFirstOrThrow();

describe('a town officer of 长安镇', () => {
  it('lists only 长安镇 enterprises and cannot open another town’s record', async () => {
    const other = await withContact(h, '!=');
    const { context, page } = await h.newPage();
    await h.login(page, 'changan');
    await page.goto('/registry/enterprises');
    const table = page.getByTestId('enterprise-table');
    await table.locator('tbody tr.ant-table-row').first().waitFor();
    const towns = await table.locator('tbody tr.ant-table-row').allTextContents();
    expect(towns.length).toBeGreaterThan(0);
    for (const t of towns) expect(t).toContain('长安镇');

    const responses: string[] = [];
    page.on('response', async (r) => {
      if (r.url().includes('/api/')) responses.push(await r.text().catch(() => ''));
    });
    await page.goto(`/registry/enterprises/${other.uscc}`);
    await expect.poll(() => page.locator('body').textContent()).toMatch(/管辖范围|无权|403/);
    await h.screenshot(page, 'town-officer-forbidden');
    const leaked = responses.join('\n');
    expect(leaked).not.toContain(other.phone!);
    expect(leaked).not.toContain(other.name);

    const api = await page.request.get(`/api/v1/enterprises/${other.uscc}`);
    expect(api.status()).toBe(403);
    expect(await api.text()).not.toContain(other.phone!);
    await context.close();
  });

  it('sees the contacts of an enterprise in the own town', async () => {
    const own = await withContact(h, '=');
    const { context, page } = await h.newPage();
    await h.login(page, 'changan');
    await page.goto(`/registry/enterprises/${own.uscc}`);
    await expect.poll(() => page.getByTestId('enterprise-contacts').textContent()).toContain(own.phone!);
    await context.close();
  });
});

describe('the public portal', () => {
  it('looks an enterprise up without login and shows no personal data', async () => {
    const target = await withContact(h, '!=');
    const { context, page } = await h.newPage();
    const bodies: string[] = [];
    const urls: string[] = [];
    page.on('response', async (r) => {
      if (!r.url().includes('/api/')) return;
      urls.push(new URL(r.url()).pathname);
      bodies.push(await r.text().catch(() => ''));
    });
    await page.goto('/portal');
    await page.getByTestId('portal-search').fill(target.name.replace(/^东莞市?/, '').slice(0, 4));
    await page.getByTestId('portal-search').press('Enter');
    await page.getByTestId('portal-results').getByText(target.name).first().click();
    await page.getByTestId('portal-detail').waitFor();
    await expect.poll(() => page.getByTestId('portal-detail').textContent()).toContain(target.uscc);
    await h.screenshot(page, 'portal-detail');
    // the portal may ask who is signed in (anonymous: 401, no data); all data comes from the public API
    expect(urls.filter((u) => u !== '/api/auth/me' && !u.startsWith('/api/v1/public/'))).toEqual([]);
    const all = `${bodies.join('\n')}\n${await page.content()}`;
    expect(all).not.toContain(target.phone!);
    expect(bodies.join('\n')).not.toMatch(/"(contacts|phone|residentId)"/);
    await context.close();
  });
});
