// `zhihui deadline`: every answer and refusal through the command's own parser in this process
// (fast), then the real `zhihui` in a child process: its JSON, exit code 2 without a stack trace,
// the coverage warning, and the help listing both platform and module commands.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerDeadlineCommand } from './deadline.js';
import { createCliEnv, runProgram } from './env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs `zhihui deadline …args` in this process: exit code, stdout and stderr. */
async function deadline(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('zhihui').configureOutput({
    writeOut: (s) => out.push(s),
    writeErr: (s) => err.push(s),
  });
  const env = createCliEnv({ out: (s) => out.push(`${s}\n`), err: (s) => err.push(`${s}\n`) });
  registerDeadlineCommand(program, env);
  const code = await runProgram(program, ['node', 'zhihui', 'deadline', ...args], env);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('zhihui deadline (in process)', () => {
  it('prints the due date in Chinese with the weekday, the start day not counted', async () => {
    const r = await deadline('--from', '2026-03-01', '--days', '15');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('起算日 2026-03-01（星期日，当日不计入）');
    expect(r.stdout).toContain('期间 15 日，最后一日是工作日');
    expect(r.stdout).toContain('届满日 2026-03-16（星期一）');
  });

  it('says when and why the last day was carried to the next working day', async () => {
    const r = await deadline('--from', '2026-09-16', '--days', '15');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('最后一日 2026-10-01（星期四，国庆节假期）不是工作日，顺延');
    expect(r.stdout).toContain('届满日 2026-10-08（星期四）');
    const weekend = await deadline('--from', '2026-03-06', '--days', '15');
    expect(weekend.stdout).toContain('最后一日 2026-03-21（星期六）不是工作日');
    expect(weekend.stdout).toContain('届满日 2026-03-23（星期一）');
  });

  it('answers {from, period, due, rolled} in JSON', async () => {
    const r = await deadline('--from', '2024-01-28', '--days', '15', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['from', 'period', 'due', 'rolled']);
    // the Spring Festival ends on the make-up Sunday 2024-02-18
    expect(json).toEqual({ from: '2024-01-28', period: { days: 15 }, due: '2024-02-18', rolled: true });
    const plain = JSON.parse((await deadline('--from', '2026-09-05', '--days', '15', '--json')).stdout);
    expect(plain).toEqual({ from: '2026-09-05', period: { days: 15 }, due: '2026-09-20', rolled: false });
  });

  it('counts working days, make-up working days included', async () => {
    const json = JSON.parse((await deadline('--from', '2026-02-13', '--workdays', '2', '--json')).stdout);
    expect(json).toEqual({ from: '2026-02-13', period: { workdays: 2 }, due: '2026-02-24', rolled: false });
    const text = await deadline('--from', '2026-02-13', '--workdays', '1');
    expect(text.stdout).toContain('期间 1 个工作日');
    expect(text.stdout).toContain('届满日 2026-02-14（星期六，春节调休上班）');
  });

  it('warns on stderr and in the JSON when the due date lies in a year without a holiday notice', async () => {
    const r = await deadline('--from', '2026-12-20', '--days', '15', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('尚未载入2027年国务院节假日安排通知');
    expect(r.stderr).toContain('Warning: The State Council holiday notice for 2027 is not loaded');
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ due: '2027-01-04', rolled: false });
    expect(json.warning).toMatchObject({ code: 'WORKDAY_CALENDAR_NOT_COVERED', year: 2027 });
    expect(json.warning.message.zh).toContain('2027-01-04');
    const text = await deadline('--from', '2026-12-20', '--days', '15');
    expect(text.stderr).toContain('注意：尚未载入2027年');
    expect(text.stdout).toContain('届满日 2027-01-04');
    expect((await deadline('--from', '2026-12-01', '--days', '15')).stderr).toBe('');
  });

  it.each([
    [['--from', '2026-02-30', '--days', '3'], '--from 不是有效日期', '--from is not a YYYY-MM-DD date'],
    [['--from', '2026/03/01', '--days', '3'], '--from 不是有效日期', '"2026/03/01"'],
    [['--from', '1899-12-31', '--days', '3'], '不得早于 1900-01-01', 'must not be before'],
    [['--days', '3'], '缺少起算日 --from', '--from is required'],
    [['--from', '2026-03-01'], '--days N 或 --workdays N', 'Give the period with'],
    [['--from', '2026-03-01', '--days', '3', '--workdays', '3'], '只能给一个', 'not both'],
    [['--from', '2026-03-01', '--days', '0'], '--days 须为 1 至 3650 的整数', 'got "0"'],
    [['--from', '2026-03-01', '--days', '-5'], '--days 须为 1 至 3650 的整数', 'got "-5"'],
    [['--from', '2026-03-01', '--days', '1.5'], '--days 须为 1 至 3650 的整数', 'got "1.5"'],
    [['--from', '2026-03-01', '--days', '1e3'], '--days 须为 1 至 3650 的整数', 'got "1e3"'],
    [['--from', '2026-03-01', '--days', 'ten'], '--days 须为 1 至 3650 的整数', 'got "ten"'],
    [['--from', '2026-03-01', '--days', '3651'], '--days 须为 1 至 3650 的整数', 'got "3651"'],
    [['--from', '2026-03-01', '--workdays', '0'], '--workdays 须为 1 至 3650 的整数', 'got "0"'],
    [['--from', '9999-12-01', '--days', '3650'], '超出可计算的日期范围', 'past 9999-12-31'],
  ])('refuses %j with exit code 2 and a message in both languages', async (args, zh, en) => {
    const r = await deadline(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^错误：/);
    expect(r.stderr).toContain(zh);
    expect(r.stderr).toContain(en);
    expect(r.stderr).toContain('用法 Usage: zhihui deadline --from YYYY-MM-DD (--days N | --workdays N)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits with 2 on commander's own refusals too", async () => {
    const missing = await deadline('--from', '2026-03-01', '--days');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("option '--days <n>' argument missing");
    const unknown = await deadline('--from', '2026-03-01', '--days', '3', '--bogus');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    const help = await deadline('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--workdays <n>');
  });
});

describe('zhihui deadline (CLI)', () => {
  // no database: the command needs the holiday calendar only
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'zhihui.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('prints the JSON answer and exits with 0', () => {
    const r = run('deadline', '--from', '2025-09-16', '--days', '15', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      from: '2025-09-16',
      period: { days: 15 },
      due: '2025-10-09',
      rolled: true,
    });
  }, 120_000); // one CLI start: ten seconds alone, several times that on a loaded machine

  it('refuses bad input with exit code 2 and no stack trace', () => {
    const r = run('deadline', '--from', '2026-03-01', '--days', '15', '--workdays', '3');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('错误：--days 与 --workdays 只能给一个');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('warns on stderr when the calendar does not cover the due date', () => {
    const r = run('deadline', '--from', '2026-12-25', '--workdays', '10');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('尚未载入2027年国务院节假日安排通知');
    expect(r.stdout).toMatch(/届满日 2027-01-\d\d/);
  }, 120_000);

  it('lists the platform commands and every module’s own (credit) in its help', () => {
    const r = run('--help');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+deadline \[options\]/m);
    expect(r.stdout).toMatch(/^\s+credit/m);
    expect(r.stdout).toMatch(/^\s+audit/m);
  }, 120_000);
});
