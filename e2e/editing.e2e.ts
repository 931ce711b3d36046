// Officials keep the register's details current: contacts with validated phone numbers, and the
// product-category catalogue that later modules reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('contacts on the enterprise page', () => {
  it('refuses a bad phone on the field, then saves a good one and shows it', async () => {
    const target = await h.rt.db
      .selectFrom('enterprises')
      .select(['id', 'uscc'])
      .where('town_code', '=', '441900119')
      .orderBy('uscc')
      .executeTakeFirstOrThrow();
    const { context, page } = await h.newPage();
    await h.login(page, 'regulator');
    await page.goto(`/registry/enterprises/${target.uscc}`);
    await page.getByTestId('contact-add').click();
    const form = page.getByTestId('contact-form');
    await form.getByLabel('姓名').fill('端到端联系人');
    await form.getByLabel('联系电话').fill('12345');
    await page.getByTestId('contact-save').click();
    await expect.poll(() => form.textContent()).toContain('电话号码应为11位手机号或带区号的固定电话');
    await form.getByLabel('联系电话').fill('13912345678');
    await page.getByTestId('contact-save').click();
    await expect.poll(() => page.getByTestId('enterprise-contacts').textContent()).toContain('13912345678');
    const saved = await h.rt.db
      .selectFrom('enterprise_contacts')
      .select('phone')
      .where('enterprise_id', '=', target.id)
      .where('name', '=', '端到端联系人')
      .executeTakeFirstOrThrow();
    expect(saved.phone).toBe('13912345678');
    await context.close();
  });
});

describe('product-category catalogue', () => {
  it('lets an administrator add a category that then appears in the catalogue', async () => {
    const { context, page } = await h.newPage();
    await h.login(page, 'admin');
    await page.goto('/admin/product-categories');
    await page.getByTestId('category-table').getByText('电子电器产品').waitFor();
    await page.getByTestId('category-create').click();
    const form = page.getByTestId('category-form');
    await form.getByLabel('代码').fill('0299');
    await form.getByLabel('名称', { exact: true }).fill('端到端测试类别');
    await page.getByTestId('category-save').click();
    await expect
      .poll(
        async () =>
          (
            await h.rt.db
              .selectFrom('product_categories')
              .select('name')
              .where('code', '=', '0299')
              .executeTakeFirst()
          )?.name,
      )
      .toBe('端到端测试类别');
    await h.screenshot(page, 'product-categories');
    await context.close();
  });
});
