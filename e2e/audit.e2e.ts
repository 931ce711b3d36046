// The audit trail as the bureau uses it: an administrator renames a user, then finds the change on
// 系统管理 › 审计日志 by its actor and reads its diff; the regulator's sign-in is in the login
// history; the export downloads the filtered rows as CSV. A regulator sees this page alone under
// 系统管理. Every read is itself audited.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('审计日志', () => {
  it('shows a regulator 系统管理 › 审计日志 and nothing else of the group', async () => {
    const { context, page } = await h.newPage();
    await h.login(page, 'regulator');
    const menu = page.getByTestId('side-menu');
    // the group is open from the start (every group is)
    expect(await menu.getByText('系统管理').count()).toBe(1);
    await menu.getByRole('menuitem', { name: '审计日志' }).click();
    await page.getByTestId('audit-title').waitFor();
    expect(await menu.getByRole('menuitem', { name: '用户管理' }).count()).toBe(0);
    expect(await menu.getByRole('menuitem', { name: '产品类别目录' }).count()).toBe(0);
    await h.screenshot(page, 'audit-regulator');
    await context.close();
  });

  it('finds an administrator’s change by actor, shows its diff, the login history and exports it', async () => {
    const { context, page } = await h.newPage();
    await h.login(page, 'admin');

    // The change: the administrator renames the town officer (through the API, as the page does).
    const me = await (await page.request.get('/api/auth/me')).json();
    const changan = await h.rt.db
      .selectFrom('users')
      .select('id')
      .where('username', '=', 'changan')
      .executeTakeFirstOrThrow();
    const renamed = await page.request.patch(`/api/v1/users/${changan.id}`, {
      data: { displayName: '长安分局审计专员' },
      headers: { 'x-csrf-token': me.csrfToken },
    });
    expect(renamed.status()).toBe(200);

    const menu = page.getByTestId('side-menu');
    await menu.getByRole('menuitem', { name: '审计日志' }).click();
    await page.getByTestId('audit-title').waitFor();
    await page.getByTestId('audit-actor').fill('admin');
    await page.getByTestId('audit-search').click();
    const table = page.getByTestId('audit-table');
    const row = table.locator('tr', { hasText: '修改用户' }).first();
    await row.waitFor();
    expect(await row.textContent()).toContain(changan.id);
    await h.screenshot(page, 'audit-list');

    await row.getByRole('button', { name: '详情' }).click();
    const diff = page.getByTestId('audit-diff');
    await expect.poll(() => diff.textContent()).toContain('displayName');
    expect(await diff.getByTestId('audit-diff-before').first().textContent()).toBe('长安分局专员');
    expect(await diff.getByTestId('audit-diff-after').first().textContent()).toBe('长安分局审计专员');
    await page.waitForTimeout(600); // the drawer slides in: let it settle for the picture
    await h.screenshot(page, 'audit-diff');
    await page.keyboard.press('Escape');

    // The regulator's sign-in (the first test) in the login history, with its address.
    await page.getByTestId('audit-tab-logins').click();
    await page.getByTestId('audit-login-user').fill('regulator');
    await page.getByTestId('audit-logins-search').click();
    const logins = page.getByTestId('audit-logins-table');
    const signIn = logins.locator('tr', { hasText: '登录成功' }).first();
    await signIn.waitFor();
    expect(await signIn.textContent()).toContain('regulator');
    expect(await signIn.textContent()).toContain('127.0.0.1');
    await h.screenshot(page, 'audit-logins');

    // The export of the filtered list (actor admin): a CSV Excel opens, with the change in it.
    await page.getByRole('tab', { name: '操作记录' }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('audit-export').click(),
    ]);
    const file = fs.readFileSync((await download.path())!);
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = file.toString('utf8');
    expect(text).toContain('时间,操作人,操作,对象类型,对象编号,企业名称,统一社会信用代码,请求编号,记录编号');
    const line = text.split('\r\n').find((l) => l.includes('user.update') && l.includes(changan.id));
    expect(line?.split(',')[1]).toBe('admin');

    // Each of those reads left its own row.
    const reads = await h.rt.db
      .selectFrom('audit_log')
      .select('action')
      .where('actor_label', '=', 'admin')
      .where('action', 'like', 'audit.%')
      .execute();
    const actions = new Set(reads.map((r) => r.action));
    expect([...actions].sort()).toEqual(['audit.export', 'audit.logins', 'audit.search', 'audit.view']);
    await context.close();
  });
});
