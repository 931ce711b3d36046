// The real `zhihui credit grade`, `credit regrade` and `audit verify` in a child process on a seeded
// demo database: the JSON shape the issue fixes, and exit code 2 naming the first broken link.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('zhihui credit and audit commands (CLI)', () => {
  let dir: string;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'zhihui.js'), ...args], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'cli.db')}`, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 120_000,
    });
  const db = () => new SQLite(path.join(dir, 'cli.db'));

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-credit-cli-'));
    const seeded = run('seed', '--scale', 'demo');
    expect(seeded.status, seeded.stderr).toBe(0);
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints a grade whose score is the base plus every contribution', () => {
    const d = db();
    const { uscc } = d
      .prepare(
        `select e.uscc from credit_chain_heads h join enterprises e on e.id = h.enterprise_id where h.seq >= 2 order by e.uscc limit 1`,
      )
      .get() as { uscc: string };
    d.close();
    const r = run('credit', 'grade', uscc, '--as-of', '2026-06-30', '--json');
    expect(r.status, r.stderr).toBe(0);
    const g = JSON.parse(r.stdout);
    // the shape, in its order (rawScore and veto follow only when they differ or apply)
    expect(Object.keys(g).slice(0, 7)).toEqual([
      'uscc',
      'asOf',
      'ruleSet',
      'score',
      'grade',
      'base',
      'contributions',
    ]);
    expect(g).toMatchObject({ uscc, asOf: '2026-06-30', ruleSet: 'dg-2024@1', base: 100 });
    for (const c of g.contributions)
      expect(Object.keys(c)).toEqual(['recordId', 'rule', 'points', 'occurredOn', 'expiresOn']);
    const raw = g.base + g.contributions.reduce((a: number, c: { points: number }) => a + c.points, 0);
    expect(g.rawScore ?? g.score).toBe(raw);
    expect(run('credit', 'grade', uscc, '--as-of', '2026-02-30').status).toBe(1);
    expect(run('credit', 'grade', '91441900XXXXXXXXXX').status).toBe(1);
  }, 120_000); // four CLI starts: ten seconds alone, several times that on a loaded machine

  it('regrades everyone and refuses to rewrite history before a recorded day', () => {
    const r = run('credit', 'regrade');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Regraded 2000 enterprises as of \d{4}-\d{2}-\d{2} under dg-2024@1/);
    const back = run('credit', 'regrade', '--as-of', '2024-06-30');
    expect(back.status).toBe(1);
    expect(back.stderr).toContain('INVALID_STATE');
  }, 120_000);

  it('verifies every chain, and names the first broken link after a row is tampered with', () => {
    const cp = run('audit', 'checkpoint');
    expect(cp.status, cp.stderr).toBe(0);
    expect(cp.stdout).toMatch(/Zhihui checkpoint #1 \S+ chains=\d+ records=\d+ root=[0-9a-f]{64}/);
    expect(fs.readFileSync(path.join(dir, 'var', 'checkpoints', 'checkpoints.log'), 'utf8')).toContain(
      '"no":1',
    );
    const ok = run('audit', 'verify');
    expect(ok.status, ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/OK: \d+ chains, \d+ credit records, every link holds/);
    expect(ok.stdout).toContain('OK: 1 checkpoints signed');
    expect(ok.stdout).toMatch(/OK: 2000 stored grades equal the grades recomputed from the archive/);
    expect(ok.stdout).toMatch(/OK: \d+ blacklist entries agree/);
    expect(ok.stdout).toMatch(/OK: \d+ audit rows under \d+ seals; \d+ newer rows not sealed yet/);
    const d = db();
    const victim = d
      .prepare(
        `select r.id, r.seq, e.uscc from credit_records r join enterprises e on e.id = r.enterprise_id where r.seq = 2 order by r.enterprise_id limit 1`,
      )
      .get() as { id: string; seq: number; uscc: string };
    d.prepare('update credit_records set points = points + 10 where id = ?').run(victim.id);
    d.close();
    const bad = run('audit', 'verify');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toContain(
      `first broken link in the chain of ${victim.uscc} at link 2 (record ${victim.id})`,
    );
    expect(bad.stdout).toContain('hashMismatch');
    const json = JSON.parse(run('audit', 'verify', '--json').stdout);
    expect(json.firstBroken).toMatchObject({
      uscc: victim.uscc,
      seq: 2,
      recordId: victim.id,
      problem: 'hashMismatch',
    });
  }, 240_000);
});
