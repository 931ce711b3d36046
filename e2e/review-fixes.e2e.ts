// What the review of the web app found (issue 7), each held by what a user would notice: the grade
// history drawn where each grade applied, no record written by Enter in a date field, no clean-record
// tag beside a failed sample, titles and filters of the user's own scope with no 403 on the way,
// the whole side menu reachable at 1440×900, and a portal that logs no error.

import type { Page, Request, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseOption, type Harness, startHarness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

type Grade = 'A' | 'B' | 'C' | 'D';
type HistoryEntry = { validFrom: string; grade: Grade; score: number };
type Archive = { grade: { grade: Grade; score: number; asOf: string }; history: HistoryEntry[] };

const CHANGAN = '441900119';

/** The little of the DOM the page-side functions use (this project compiles without DOM types). */
type CanvasLike = {
  width: number;
  height: number;
  clientWidth: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  } | null;
};
type ElementLike = {
  textContent: string | null;
  closest(selector: string): ElementLike | null;
  querySelector(selector: string): CanvasLike | null;
  zhihuiChart?: { convertToPixel: (finder: object, value: unknown[]) => [number, number] };
};
type DomLike = {
  querySelector(selector: string): ElementLike | null;
  elementFromPoint(x: number, y: number): ElementLike | null;
};
const DAY = 86_400_000;
const dayNum = (d: string) => Date.parse(`${d}T00:00:00Z`) / DAY;
const dateOf = (n: number) => new Date(Math.round(n) * DAY).toISOString().slice(0, 10);
const shanghaiToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** POSTs as the signed-in user of `page` (cookie + the session's CSRF token). */
async function post(page: Page, path: string, body: unknown) {
  const me = (await (await page.request.get('/api/auth/me')).json()) as { csrfToken: string };
  return page.request.post(path, { data: body, headers: { 'x-csrf-token': me.csrfToken } });
}

/** Operating enterprises outside 长安镇 with no credit record yet, in a stable order. */
async function freshEnterprises(n: number) {
  const rows = await h.rt.db
    .selectFrom('enterprises as e')
    .select(['e.uscc', 'e.name'])
    .where('e.status', '=', 'operating')
    .where('e.town_code', '<>', CHANGAN)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('credit_records as r').select('r.id').whereRef('r.enterprise_id', '=', 'e.id'))),
    )
    .orderBy('e.uscc')
    .limit(n)
    .execute();
  expect(rows.length).toBe(n);
  return rows;
}

/** Opens the record drawer on an enterprise's credit page and fills a critical failed sample. */
async function fillFailedSample(page: Page, uscc: string, sampleNo: string, note?: string) {
  await page.goto(`/credit/enterprises/${uscc}`);
  await page.getByTestId('credit-add-record').click();
  const drawer = page.getByTestId('credit-record-form');
  await drawer.waitFor();
  await chooseOption(page, drawer, '记录类型', '监督抽查不合格');
  await chooseOption(page, drawer, '不合格程度', '特别严重(涉及安全、健康)');
  await drawer.getByLabel('样品编号').fill(sampleNo);
  await drawer.getByLabel('产品类别').fill('电动自行车充电器');
  if (note) await drawer.getByLabel('备注').fill(note);
  return drawer;
}

describe('the grade-history chart (11)', () => {
  it('draws each grade from the day it applied, not over the period before it', async () => {
    // An enterprise whose history has a change of grade with a month or more on either side.
    const ids = await h.rt.db
      .selectFrom('credit_grade_history as g')
      .innerJoin('enterprises as e', 'e.id', 'g.enterprise_id')
      .select('e.uscc')
      .groupBy('e.uscc')
      .having((eb) => eb.fn.count('g.grade').distinct(), '>', 1)
      .orderBy('e.uscc')
      .limit(40)
      .execute();
    const { context, page } = await h.newPage();
    await h.login(page, 'regulator');
    let pick: { uscc: string; before: [string, Grade]; after: [string, Grade] } | null = null;
    for (const { uscc } of ids) {
      const a = (await (await page.request.get(`/api/v1/credit/enterprises/${uscc}`)).json()) as Archive;
      const rows = [...a.history].sort((x, y) => x.validFrom.localeCompare(y.validFrom));
      const axisMin = Math.min(dayNum(rows[0]!.validFrom), dayNum(a.grade.asOf) - 180);
      for (let i = rows.length - 1; i > 0; i--) {
        const prev = rows[i - 1]!;
        const cur = rows[i]!;
        if (prev.grade === cur.grade) continue;
        const end = rows[i + 1]?.validFrom ?? a.grade.asOf;
        const [p0, c0, c1] = [dayNum(prev.validFrom), dayNum(cur.validFrom), dayNum(end)];
        if (c0 - p0 < 40 || c1 - c0 < 40 || p0 < axisMin) continue;
        pick = {
          uscc,
          before: [dateOf((p0 + c0) / 2), prev.grade],
          after: [dateOf((c0 + c1) / 2), cur.grade],
        };
        break;
      }
      if (pick) break;
    }
    expect(pick).not.toBeNull();
    const { uscc, before, after } = pick!;

    await page.goto(`/credit/enterprises/${uscc}`);
    await page.getByTestId('credit-grade-history').locator('canvas').waitFor();
    // Where the drawn line is, in the chart's own pixels, on the day `date`: the canvas column at
    // that date is scanned for the line's colour; the answer is how far that is from the row of
    // `grade` (0 when the line is on it).
    const offset = ([date, grade]: [string, Grade]) =>
      page.evaluate(
        ({ date, grade }) => {
          // (runs in the page; the e2e project has no DOM types)
          const el = (globalThis as unknown as { document: DomLike }).document.querySelector(
            '[data-testid=credit-grade-history] .zhihui-chart',
          );
          const chart = el?.zhihuiChart;
          const canvas = el?.querySelector('canvas');
          if (!chart || !canvas) return null;
          const [x, y] = chart.convertToPixel({ gridIndex: 0 }, [date, ['D', 'C', 'B', 'A'].indexOf(grade)]);
          const ratio = canvas.width / canvas.clientWidth;
          const px = canvas.getContext('2d')!.getImageData(Math.round(x * ratio), 0, 1, canvas.height).data;
          const ys: number[] = [];
          for (let row = 0; row < canvas.height; row++) {
            const [r, g, b] = [px[row * 4]!, px[row * 4 + 1]!, px[row * 4 + 2]!];
            // the line's colour #1f4e9c, allowing for anti-aliasing
            if (Math.abs(r - 31) + Math.abs(g - 78) + Math.abs(b - 156) < 90) ys.push(row / ratio);
          }
          if (!ys.length) return null;
          return Math.round(Math.abs(ys.reduce((s, v) => s + v, 0) / ys.length - y));
        },
        { date, grade },
      );
    // The line animates in; once drawn, it lies on the earlier grade before the change and on the
    // new grade after it.
    await expect.poll(() => offset(before), { timeout: 10_000 }).toBeLessThanOrEqual(3);
    await expect.poll(() => offset(after), { timeout: 10_000 }).toBeLessThanOrEqual(3);
    await h.screenshot(page, 'review-grade-history');
    await context.close();
  });
});

describe('entering a credit record (12)', () => {
  it('writes nothing on Enter in the date field and asks before saving', async () => {
    const [target] = await freshEnterprises(1);
    const { context, page } = await h.newPage();
    await h.login(page, 'regulator');
    const before = (await (
      await page.request.get(`/api/v1/credit/enterprises/${target!.uscc}`)
    ).json()) as Archive;
    const writes: string[] = [];
    page.on('request', (r: Request) => {
      if (
        r.method() === 'POST' &&
        /\/api\/v1\/credit\/enterprises\/[^/]+\/records$/.test(new URL(r.url()).pathname)
      )
        writes.push(r.url());
    });
    const drawer = await fillFailedSample(page, target!.uscc, 'E2E-ENTER-1');
    const date = drawer.getByLabel('发生日期');
    await date.click();
    await date.press('Enter');
    await date.press('Enter');
    await page.waitForTimeout(800);
    expect(writes).toEqual([]);
    await expect.poll(() => drawer.isVisible()).toBe(true);

    // Save asks first, naming what will happen; going back writes nothing either.
    await drawer.getByTestId('credit-record-submit').click();
    const confirm = page.getByRole('dialog').filter({ hasText: '确认录入这条信用记录' });
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('不能删除或修改');
    expect(await confirm.textContent()).toContain(`${before.grade.grade}（${before.grade.score} 分）`);
    await h.screenshot(page, 'review-record-confirm');
    await confirm.getByRole('button', { name: '返回修改' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await page.waitForTimeout(300);
    expect(writes).toEqual([]);
    const records = (await (
      await page.request.get(`/api/v1/credit/enterprises/${target!.uscc}/records`)
    ).json()) as {
      items: unknown[];
    };
    expect(records.items).toEqual([]);
    const after = (await (
      await page.request.get(`/api/v1/credit/enterprises/${target!.uscc}`)
    ).json()) as Archive;
    expect(after.grade.score).toBe(before.grade.score);
    await context.close();
  });
});

describe('the clean-record tag beside a failed sample (13)', () => {
  it('is gone from the portal once the regulator enters a failed sample inside its window', async () => {
    const [, target] = await freshEnterprises(2);
    const { context, page } = await h.newPage();
    await h.login(page, 'regulator');
    const today = shanghaiToday();
    const res = await post(page, `/api/v1/credit/enterprises/${target!.uscc}/records`, {
      type: 'credit.cleanRecord.reached',
      occurredOn: dateOf(dayNum(today) - 60),
      details: { years: '3' },
    });
    expect(res.status()).toBe(201);

    const anon = await h.newPage();
    const a = anon.page;
    await a.goto(`/portal/enterprises/${target!.uscc}`);
    await a.getByTestId('portal-credit-good').getByText('连续3年监督抽查无不合格').waitFor();

    const drawer = await fillFailedSample(page, target!.uscc, 'E2E-CLEAN-1', '现场抽样，企业负责人在场');
    await drawer.getByTestId('credit-record-submit').click();
    await page.getByTestId('credit-record-confirm').click();
    const row = page.getByTestId('credit-records').locator('tr.ant-table-row', { hasText: 'E2E-CLEAN-1' });
    await row.waitFor();
    // (16) The note entered with the record is labelled 备注 in its details, not "note".
    await row.locator('.ant-table-row-expand-icon').click();
    const details = page.locator('tr.ant-table-expanded-row').filter({ hasText: 'E2E-CLEAN-1' });
    await details.getByText('现场抽样，企业负责人在场').waitFor();
    const labels = await details.locator('.ant-descriptions-item-label').allTextContents();
    expect(labels).toContain('备注');
    expect(labels).not.toContain('note');

    await a.reload();
    await a.getByTestId('portal-detail').getByText(target!.uscc).waitFor();
    await a.getByTestId('portal-credit').waitFor();
    await h.screenshot(a, 'review-portal-clean-record');
    expect(await a.getByTestId('portal-credit-good').count()).toBe(0);
    expect(await a.getByTestId('portal-credit').textContent()).not.toContain('连续3年监督抽查无不合格');
    await anon.context.close();
    await context.close();
  });
});

/** Statuses ≥ 400 of API calls made by `page` from now on. */
function failures(page: Page) {
  const bad: string[] = [];
  page.on('response', (r: Response) => {
    if (r.url().includes('/api/') && r.status() >= 400)
      bad.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  return bad;
}

const subtitleOf = (page: Page) =>
  page.locator('.ant-layout-content h4 + .ant-typography').first().textContent();

describe('a town officer (17)', () => {
  it('reads titles and filters of the own town, and gets no 403 on the way', async () => {
    const { context, page } = await h.newPage();
    await h.login(page, 'changan'); // (the login page's own session probe is not this test's)
    const bad = failures(page);
    await page.reload();
    await page.getByText('长安镇市场主体基本情况').waitFor();
    await page.getByTestId('stat-total').waitFor();
    expect(await page.getByTestId('home-town-chart').count()).toBe(0);

    await page.goto('/registry/enterprises');
    await page.getByTestId('enterprise-table').locator('tbody tr.ant-table-row').first().waitFor();
    expect(await subtitleOf(page)).toContain('长安镇');
    expect(await subtitleOf(page)).not.toContain('全市');
    await page.getByTestId('town-select').click();
    const options = page.locator('.ant-select-dropdown:visible .ant-select-item-option');
    await options.first().waitFor();
    expect(await options.allTextContents()).toEqual(['长安镇']);
    await page.keyboard.press('Escape');

    await page.goto('/credit/overview');
    await page.getByText(/截至 .*长安镇共 \d+ 家企业参与信用评价/).waitFor();
    expect(await page.getByTestId('credit-town-chart').count()).toBe(0);

    await page.goto('/credit/objections');
    await page.getByTestId('credit-objections').waitFor();
    expect(await subtitleOf(page)).toContain('长安镇企业');
    expect(await subtitleOf(page)).not.toContain('本企业');

    await page.goto('/credit/blacklist');
    await page.waitForLoadState('networkidle');
    await h.screenshot(page, 'review-town-officer');
    expect(bad).toEqual([]);
    await context.close();
  });
});

describe('enterprise, lab and maintenance users (17)', () => {
  it('get a home of their own enterprise and no 403 from any page of their menu', async () => {
    for (const user of ['enterprise', 'lab', 'maintenance']) {
      const { context, page } = await h.newPage();
      await h.login(page, user);
      const bad = failures(page);
      await page.reload();
      const mine = (await (await page.request.get('/api/v1/credit/mine')).json()) as {
        uscc: string;
        name: string;
      };
      const home = page.getByTestId('org-home');
      await home.waitFor();
      await home.getByText(mine.name).first().waitFor();
      await home.getByTestId('org-home-profile').getByText(mine.uscc).waitFor();
      await home.getByTestId('org-home-credit').getByTestId('credit-grade-letter').waitFor();
      await home.getByTestId('org-home-objections').waitFor();
      expect(await page.locator('.ant-result').count()).toBe(0); // not the bare welcome with its icon
      if (user === 'enterprise') await h.screenshot(page, 'review-enterprise-home');
      const links = await page
        .getByTestId('side-menu')
        .locator('a[href^="/"]')
        .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      for (const href of links) {
        await page.goto(href);
        await page.waitForLoadState('networkidle');
      }
      expect(bad).toEqual([]);
      await context.close();
    }
  });
});

describe('the side menu at 1440×900 (18)', () => {
  it('keeps the last item above the collapse button, where a click reaches it', async () => {
    const { context, page } = await h.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await h.login(page, 'admin');
    const last = page.getByTestId('side-menu').locator('li.ant-menu-item').last();
    await last.scrollIntoViewIfNeeded();
    const box = (await last.boundingBox())!;
    const trigger = (await page.locator('.ant-layout-sider-trigger').boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(trigger.y);
    const hit = await page.evaluate(
      ([x, y]) =>
        (globalThis as unknown as { document: DomLike }).document.elementFromPoint(x!, y!)?.closest('li')
          ?.textContent ?? null,
      [box.x + box.width / 2, box.y + box.height / 2],
    );
    expect(hit).toBe(await last.textContent());
    await last.click({ timeout: 5_000 });
    await page.waitForURL(/\/admin\/audit$/); // the admin group's last entry, 审计日志
    await h.screenshot(page, 'review-menu-1440');
    await context.close();
  });
});

describe('the public portal (22)', () => {
  it('does not ask who is signed in and logs no console error', async () => {
    const [target] = await freshEnterprises(1);
    const { context, page } = await h.newPage();
    const errors: string[] = [];
    const asked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/auth/')) asked.push(r.url());
    });
    await page.goto('/portal');
    await page.getByTestId('portal-search').waitFor();
    await page.goto(`/portal/enterprises/${target!.uscc}`);
    await page.getByTestId('portal-detail').getByText(target!.uscc).waitFor();
    await page.getByTestId('portal-blacklist-nav').click();
    await page.waitForURL(/\/portal\/blacklist/);
    await page.waitForLoadState('networkidle');
    expect(asked).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('labels of the register and the archive (15, 16, 21)', () => {
  it('names profile details, hides an empty source and shows an open objection’s deadline', async () => {
    for (const [user, expected, raw] of [
      ['lab', ['检测领域', '第三方检测机构'], ['fields', 'thirdParty']],
      ['maintenance', ['许可证编号', '许可范围', '持证作业人员'], ['licenceNo', 'scope', 'technicians']],
    ] as const) {
      const { context, page } = await h.newPage();
      await h.login(page, user);
      const mine = (await (await page.request.get('/api/v1/credit/mine')).json()) as { uscc: string };
      await page.goto(`/registry/enterprises/${mine.uscc}`);
      const card = page.getByTestId('enterprise-profile').first();
      await card.waitFor();
      const labels = await card.locator('.ant-descriptions-item-label').allTextContents();
      for (const l of expected) expect(labels).toContain(l);
      for (const k of raw) expect(labels).not.toContain(k);
      if (user === 'maintenance') await h.screenshot(page, 'review-profile-maintenance');
      await context.close();
    }

    // The enterprise user: the timeline names where the register entry came from and shows no
    // bare "来源：" under credit facts; the record with an open objection shows its deadline.
    const { context, page } = await h.newPage();
    await h.login(page, 'enterprise');
    const mine = (await (await page.request.get('/api/v1/credit/mine')).json()) as { uscc: string };
    await page.goto(`/registry/enterprises/${mine.uscc}`);
    await page.getByRole('tab', { name: '监管时间线' }).click();
    await page.getByTestId('enterprise-timeline').waitFor();
    const summaries = await page.getByTestId('enterprise-timeline-summary').allTextContents();
    expect(summaries).toContain('来源：初始数据');
    expect(summaries.filter((x) => /来源：\s*$/.test(x))).toEqual([]);

    const open = (
      (await (await page.request.get(`/api/v1/credit/objections?uscc=${mine.uscc}`)).json()) as {
        items: { state: string; reviewDeadline: string | null; recordSummary: unknown }[];
      }
    ).items.filter((o) => o.state === 'submitted');
    expect(open.length).toBeGreaterThan(0);
    expect(open[0]!.reviewDeadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await page.goto(`/credit/enterprises/${mine.uscc}`);
    await expect
      .poll(() => page.getByTestId('credit-objection-deadline').allTextContents())
      .toContain(`${open[0]!.reviewDeadline} 前审查`);
    await context.close();
  });

  it('shows contact roles, industries and record summaries in English', async () => {
    const { context, page } = await h.newPage();
    await context.addInitScript("localStorage.setItem('zhihui.lang', 'en-US')");
    await h.login(page, 'enterprise');
    const mine = (await (await page.request.get('/api/v1/credit/mine')).json()) as { uscc: string };
    await page.goto(`/registry/enterprises/${mine.uscc}`);
    const contacts = page.getByTestId('enterprise-contacts');
    await contacts.getByText('Quality manager').first().waitFor();
    expect(await contacts.textContent()).not.toContain('质量负责人');
    // The industry in English (a division the reference data has no English name for would show
    // its Chinese name with its section's English name).
    const industry = page
      .getByTestId('enterprise-descriptions')
      .locator('.ant-descriptions-item-label', { hasText: 'Industry' })
      .locator('xpath=following-sibling::*[1]');
    expect(await industry.textContent()).toMatch(/^\d{2} [A-Za-z]/);
    expect(await industry.textContent()).not.toMatch(/[\u4e00-\u9fff]/);

    const records = (
      (await (await page.request.get(`/api/v1/credit/enterprises/${mine.uscc}/records`)).json()) as {
        items: { seq: number; summaryText?: { en: string } }[];
      }
    ).items;
    expect(records[0]!.summaryText?.en).toBeTruthy();
    await page.goto(`/credit/enterprises/${mine.uscc}`);
    const table = page.getByTestId('credit-records');
    await table.locator('tr.ant-table-row').first().waitFor();
    await expect.poll(() => table.textContent()).toContain(records[0]!.summaryText!.en);
    await h.screenshot(page, 'review-english-records');
    await context.close();
  });
});

describe('review leftovers (issue 7): timeline in English, industry chart aligned', () => {
  it('gives the enterprise timeline its titles and sources in English', async () => {
    const { context, page } = await h.newPage();
    await context.addInitScript("localStorage.setItem('zhihui.lang', 'en-US')");
    await h.login(page, 'enterprise');
    const mine = (await (await page.request.get('/api/v1/credit/mine')).json()) as { uscc: string };
    await page.goto(`/registry/enterprises/${mine.uscc}`);
    await page.getByRole('tab', { name: 'Supervision timeline' }).click();
    await page.getByTestId('enterprise-timeline').waitFor();
    const titles = await page.getByTestId('enterprise-timeline-title').allTextContents();
    const summaries = await page.getByTestId('enterprise-timeline-summary').allTextContents();
    expect(titles).toContain('An enterprise entered the register');
    for (const title of titles) expect(title).not.toMatch(/[\u4e00-\u9fff]/);
    expect(summaries).toContain('Source: Initial data');
    // A fact the bureau entered: its source in English (the document number as written).
    expect(summaries.some((s) => s.startsWith('Source: Entered by the bureau'))).toBe(true);
    expect(summaries.filter((s) => s.startsWith('来源'))).toEqual([]);
    await h.screenshot(page, 'review-english-timeline');
    await context.close();
  });

  it('draws every industry bar across the same axis, one stack, one category list', async () => {
    const { context, page } = await h.newPage();
    await h.login(page, 'regulator');
    await page.goto('/credit/overview');
    const chart = page.getByTestId('credit-industry-chart');
    await chart.waitFor();
    type Option = {
      yAxis: { type: string; data: string[] }[];
      series: { type: string; stack?: string; data: (number | { value: number })[] }[];
    };
    type ChartEl = {
      zhihuiChart?: {
        getOption(): Option;
        convertToPixel(finder: object, value: unknown[]): [number, number];
      };
    };
    const read = () =>
      chart.locator('.zhihui-chart').evaluate((el) => {
        const c = (el as unknown as ChartEl).zhihuiChart;
        const o = c?.getOption();
        if (!o?.series.length || !o.yAxis[0]?.data.length) return null;
        const categories = o.yAxis[0].data;
        const values = o.series.map((s) => s.data.map((d) => (typeof d === 'number' ? d : d.value)));
        const ends = categories.map((_, i) => values.reduce((sum, v) => sum + (v[i] ?? 0), 0));
        return {
          categories: categories.length,
          lengths: o.series.map((s) => s.data.length),
          stacks: [...new Set(o.series.map((s) => s.stack))],
          types: [...new Set(o.series.map((s) => s.type))],
          ends,
          endPixels: ends.map((end, i) => c!.convertToPixel({ xAxisIndex: 0, yAxisIndex: 0 }, [end, i])[0]),
        };
      });
    await expect.poll(read).not.toBeNull();
    const got = (await read())!;
    expect(got.categories).toBeGreaterThan(3);
    expect(got.types).toEqual(['bar']);
    expect(got.stacks).toEqual(['grade']);
    for (const n of got.lengths) expect(n).toBe(got.categories);
    // Each bar is its industry's whole (100%), so every bar ends at the same pixel: no industry's
    // bar stands apart from the others.
    for (const end of got.ends) expect(end).toBeCloseTo(100, 6);
    for (const x of got.endPixels) expect(Math.abs(x - got.endPixels[0]!)).toBeLessThan(1);
    await h.screenshot(page, 'review-industry-chart');
    await context.close();
  });
});
