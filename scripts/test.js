#!/usr/bin/env node
// `npm test`: typecheck, lint, unit + integration tests (SQLite, and PostgreSQL when
// TEST_POSTGRES_URL is set), then the browser tests when /usr/bin/chromium exists.
// With CI=true nothing may be skipped: a missing PostgreSQL or Chromium fails the run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CI = process.env.CI === 'true' || process.env.CI === '1';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const root = path.resolve(import.meta.dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const totals = { passed: 0, failed: 0, skipped: 0 };
const summary = [];

function exec(label, cmd, args, env = {}) {
  console.log(`\n▶ ${label}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  summary.push(`${r.status === 0 ? '✔' : '✘'} ${label} (${secs} s)`);
  return r.status === 0;
}

function run(label, cmd, args, env = {}) {
  if (!exec(label, cmd, args, env)) finish(`${label} failed`);
}

function vitest(label, args, env = {}) {
  const out = path.join(os.tmpdir(), `zhihui-vitest-${process.pid}-${summary.length}.json`);
  const ok = exec(
    label,
    bin('vitest'),
    ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...args],
    env,
  );
  try {
    const r = JSON.parse(fs.readFileSync(out, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + r.numTodoTests;
    fs.rmSync(out, { force: true });
  } catch {}
  if (!ok) finish(`${label} failed`);
}

function finish(error) {
  console.log(`\n${summary.join('\n')}`);
  if (error) console.error(`\n✘ ${error}`);
  if (CI && totals.skipped > 0 && !error) {
    console.error(`✘ ${totals.skipped} tests were skipped; under CI nothing may be skipped`);
    error = 'skipped tests';
  }
  console.log(
    `\ntests: ${totals.passed} passed, ${totals.failed + (error && totals.failed === 0 ? 1 : 0)} failed`,
  );
  process.exit(error ? 1 : 0);
}

const pgUrl = process.env.TEST_POSTGRES_URL;
const hasChromium = fs.existsSync(CHROMIUM);
if (CI && !pgUrl) finish('CI=true but TEST_POSTGRES_URL is not set: the PostgreSQL tests cannot be skipped');
if (CI && !hasChromium) finish(`CI=true but ${CHROMIUM} is missing: the browser tests cannot be skipped`);

run('typecheck (server)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
run('typecheck (web)', bin('tsc'), ['-p', 'web/tsconfig.json', '--noEmit']);
run('lint (biome)', bin('biome'), ['check', '--diagnostic-level=error', '.']);
vitest(
  `unit + integration on ${pgUrl ? 'SQLite and PostgreSQL' : 'SQLite only (set TEST_POSTGRES_URL for PostgreSQL)'}`,
  [],
);

if (hasChromium) {
  run('build web app', process.execPath, [
    path.join(root, 'node_modules/vite/bin/vite.js'),
    'build',
    '--config',
    'web/vite.config.ts',
    '--logLevel',
    'warn',
  ]);
  vitest('browser tests (Chromium)', ['--config', 'e2e/vitest.config.ts'], { CHROMIUM_PATH: CHROMIUM });
} else {
  summary.push(`- browser tests skipped: ${CHROMIUM} not found`);
}
finish();
