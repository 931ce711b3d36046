// Starts a real Zhihui (demo city on a fresh SQLite file, the built web app) on a free port and a
// real Chromium (Debian's, driven by playwright-core). Each test file gets its own server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { ensureDemoData } from '../src/cli/demo.js';
import { loadConfig } from '../src/core/config.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { buildApp } from '../src/server/app.js';

export const DEMO_PASSWORD = 'Zhihui@2026';

export type Harness = {
  baseUrl: string;
  rt: Runtime;
  browser: Browser;
  newPage: () => Promise<{ context: BrowserContext; page: Page }>;
  login: (page: Page, username: string, password?: string) => Promise<void>;
  screenshot: (page: Page, name: string) => Promise<void>;
  close: () => Promise<void>;
};

export async function startHarness(): Promise<Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-e2e-'));
  const config = loadConfig({
    DATABASE_URL: `sqlite:${path.join(dir, 'e2e.db')}`,
    PORT: '0',
    LOG_LEVEL: 'warn',
    DEMO: 'true', // the demo accounts keep the published demo password
  });
  const rt = await createRuntime(config);
  await ensureDemoData(rt);
  const app = await buildApp(rt);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  const shotDir = process.env.E2E_SCREENSHOTS;
  return {
    baseUrl,
    rt,
    browser,
    newPage: async () => {
      const context = await browser.newContext({
        baseURL: baseUrl,
        locale: 'zh-CN',
        viewport: { width: 1440, height: 900 },
      });
      const page = await context.newPage();
      return { context, page };
    },
    login: async (page, username, password = DEMO_PASSWORD) => {
      await page.goto('/login');
      await page.getByTestId('login-username').fill(username);
      await page.getByTestId('login-password').fill(password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('user-menu').waitFor();
    },
    screenshot: async (page, name) => {
      if (!shotDir) return;
      fs.mkdirSync(shotDir, { recursive: true });
      await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await browser.close();
      await app.close();
      await rt.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Chooses `title` in the antd Select whose label is `label` inside `scope`, and waits until the
 * Select shows it. A click that lands while the dropdown is still opening can be lost on a loaded
 * machine; the choice is then made again (at most three times) rather than failing later on a
 * field that never appeared.
 */
export async function chooseOption(page: Page, scope: Locator, label: string, title: string) {
  const shown = scope
    .locator('.ant-form-item', { has: page.getByLabel(label) })
    .locator('.ant-select', { hasText: title });
  for (let attempt = 1; ; attempt++) {
    await scope.getByLabel(label).click();
    await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${title}"]`).click();
    try {
      await shown.waitFor({ timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press('Escape');
    }
  }
}
