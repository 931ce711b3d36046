// The real `zhihui import/export enterprises` commands in a child process: exit codes, the report
// file and the summary.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnterprise } from '../../../testing/factories.js';
import { CSV_BOM, csvLine } from './export.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('zhihui import/export enterprises (CLI)', () => {
  let dir: string;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'zhihui.js'), ...args], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'cli.db')}`, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-cli-bin-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 0 with rejected rows and writes the report; exits 1 on a file it cannot take', () => {
    const a = buildEnterprise();
    const b = buildEnterprise();
    fs.writeFileSync(
      path.join(dir, 'in.csv'),
      CSV_BOM +
        [
          ['uscc', 'name', 'town'],
          [a.uscc, a.name, '长安镇'],
          [b.uscc, b.name, '火星'],
          [a.uscc, '重复', '长安镇'],
        ]
          .map((r) => csvLine(r))
          .join(''),
    );
    const dry = run('import', 'enterprises', 'in.csv', '--dry-run');
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('试导入');
    const imp = run('import', 'enterprises', 'in.csv', '--report', 'out/report.json');
    expect(imp.status, imp.stderr).toBe(0);
    expect(imp.stdout).toContain('共 3 行，新增 1，更新 0，未变 0，拒绝 2 行');
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'report.json'), 'utf8'));
    expect(report).toMatchObject({ total: 3, imported: 1, updated: 0, unchanged: 0 });
    expect(report.rejected).toEqual([
      { row: 3, column: 'town', code: 'UNKNOWN_TOWN', message: '未知的镇街：火星' },
      { row: 4, column: 'uscc', code: 'DUPLICATE_IN_FILE', message: expect.stringContaining('第2行') },
    ]);

    const exp = run('export', 'enterprises', 'all.xlsx');
    expect(exp.status, exp.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'all.xlsx')).subarray(0, 2).toString()).toBe('PK');
    const again = run('import', 'enterprises', 'all.xlsx', '--report', 'again.json');
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'again.json'), 'utf8'))).toMatchObject({
      total: 1,
      unchanged: 1,
      rejected: [],
    });

    fs.writeFileSync(path.join(dir, 'bad.csv'), '名称,备注\r\n甲,乙\r\n');
    const bad = run('import', 'enterprises', 'bad.csv');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('VALIDATION_FAILED');
    expect(bad.stderr).toContain('统一社会信用代码');
    const missing = run('import', 'enterprises', 'nope.csv');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('nope.csv');
  }, 120_000);
});
