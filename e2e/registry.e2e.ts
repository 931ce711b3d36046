// A regulator's day: sign in, find an enterprise, open it, import a file with bad rows.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUscc } from '../src/modules/registry/uscc.js';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('sign-in', () => {
  it('refuses a wrong password with a Chinese message, then lets the right one in', async () => {
    const { context, page } = await h.newPage();
    await page.goto('/registry/enterprises');
    await page.waitForURL(/\/login/);
    await page.getByTestId('login-username').fill('regulator');
    await page.getByTestId('login-password').fill('wrong-password-1');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('用户名或密码错误');
    await page.getByTestId('login-password').fill('Zhihui@2026');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-menu').waitFor();
    // back where the user was going
    await page.waitForURL(/\/registry\/enterprises/);
    await context.close();
  });

  it('shows real counts and the chart by town on the home page', async () => {
    const { context, page } = await h.newPage();
    await h.login(page, 'regulator');
    await page.goto('/');
    await page.getByTestId('home-town-chart').locator('canvas').first().waitFor();
    const total = await h.rt.db
      .selectFrom('enterprises')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    await expect
      .poll(() => page.locator('body').textContent())
      .toContain(Number(total.n).toLocaleString('en-US'));
    await page.waitForTimeout(1500); // let the charts finish their entry animation
    await h.screenshot(page, 'home');
    await context.close();
  });
});

describe('the register', () => {
  it('finds an enterprise by a part of its Chinese name and opens its page', async () => {
    const target = await h.rt.db
      .selectFrom('enterprises')
      .select(['uscc', 'name'])
      .where('status', '=', 'operating')
      .orderBy('uscc')
      .executeTakeFirstOrThrow();
    const fragment = target.name.replace(/^东莞市?/, '').slice(0, 4);
    const { context, page } = await h.newPage();
    await h.login(page, 'regulator');
    await page.goto('/registry/enterprises');
    await page.getByTestId('enterprise-search').fill(fragment);
    await page.getByTestId('enterprise-search').press('Enter');
    const row = page.getByTestId('enterprise-table').locator('tr', { hasText: target.uscc });
    await row.waitFor();
    await h.screenshot(page, 'enterprise-list');
    await row.click();
    await page.waitForURL(new RegExp(`/registry/enterprises/${target.uscc}`));
    await expect.poll(() => page.getByTestId('enterprise-name').textContent()).toBe(target.name);
    await expect.poll(() => page.getByTestId('enterprise-descriptions').textContent()).toContain(target.uscc);
    await h.screenshot(page, 'enterprise-page');
    await context.close();
  });

  it('imports a file with bad rows: the dry run lists each with its line and reason, the import keeps the good ones', async () => {
    const good = makeUscc({ authority: '9', entityType: '1', division: '441900', orgCodeBody8: 'E2E00001' });
    const good2 = makeUscc({ authority: '9', entityType: '1', division: '441900', orgCodeBody8: 'E2E00002' });
    const csv = [
      '统一社会信用代码,企业名称,所属镇街,行业代码,成立日期,状态',
      `${good},东莞市端到端测试电子有限公司,长安镇,C3971,2016-03-01,存续`,
      `91441900MA4UJ2TEX2,东莞市校验码错误有限公司,长安镇,C3971,2016-03-01,存续`,
      `${good2},东莞市端到端测试五金有限公司,火星镇,C3311,2016-02-30,存续`,
      `${good},东莞市重复代码有限公司,虎门镇,C3311,2016-03-01,存续`,
    ].join('\r\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-e2e-')), '企业导入.csv');
    fs.writeFileSync(file, `\uFEFF${csv}\r\n`);

    const { context, page } = await h.newPage();
    await h.login(page, 'regulator');
    await page.goto('/registry/import');
    await page.getByTestId('import-upload').locator('input[type=file]').setInputFiles(file);
    await page.getByTestId('import-dryrun').click();
    const report = page.getByTestId('import-dryrun-report');
    await report.waitFor();
    await expect.poll(() => page.getByTestId('import-dryrun-rejected').textContent()).toContain('3');
    const table = page.getByTestId('import-rejected-table');
    const rows = (await table.locator('tbody tr.ant-table-row').allTextContents()).join('\n');
    // one row per rejection, each starting with the line of the file (header = line 1)
    const lines = (await table.locator('tbody tr.ant-table-row td:first-child').allTextContents()).map(
      Number,
    );
    expect(new Set(lines)).toEqual(new Set([3, 4, 5]));
    const text = rows;
    expect(text).toMatch(/校验/);
    expect(text).toMatch(/火星镇/);
    expect(text).toMatch(/重复/);
    await h.screenshot(page, 'import-dryrun');
    expect(
      await h.rt.db.selectFrom('enterprises').select('id').where('uscc', '=', good).executeTakeFirst(),
    ).toBeUndefined();

    await page.getByTestId('import-commit').click();
    await page.getByTestId('import-final-report').waitFor();
    await h.screenshot(page, 'import-final');
    const saved = await h.rt.db
      .selectFrom('enterprises')
      .select(['name', 'town_code'])
      .where('uscc', '=', good)
      .executeTakeFirstOrThrow();
    expect(saved).toEqual({ name: '东莞市端到端测试电子有限公司', town_code: '441900119' });
    expect(
      await h.rt.db.selectFrom('enterprises').select('id').where('uscc', '=', good2).executeTakeFirst(),
    ).toBeUndefined();
    await context.close();
  });
});
