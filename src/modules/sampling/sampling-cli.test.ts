// `zhihui sampling plans|draw|redraw`: every answer and refusal through the module's own commands
// in this process on every dialect (fast), then the real `zhihui` in child processes on a SQLite
// file: the JSON the issue fixes, `identical` with exit 0, the differences with exit 1 after the
// stored draw is tampered with, and exit 2 without a stack trace for bad input.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliEnv, type RunnableCliEnv, runProgram } from '../../cli/env.js';
import { fixedClock } from '../../core/clock.js';
import { loadConfig } from '../../core/config.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { createRuntime } from '../../runtime.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { samplingCli } from './cli.js';
import { confirmDraw, previewDraw } from './draw-store.js';
import { addReferral } from './inspectors.js';
import { createPlan, type Plan } from './plans.js';
import {
  CHANGAN,
  HUMEN,
  makeLab,
  makeMakers,
  planBody,
  publishedPlan,
  serviceInspectors,
} from './testing.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const actor = systemActor('test');

type City = {
  lab: { id: string };
  closed: { id: string; uscc: string };
  referred: { id: string; uscc: string };
  drawn: Plan;
  open: Plan;
  draft: Plan;
  provincial: Plan;
};

/** Makers of 0101 in two towns (one closed, one referred by a complaint), inspectors and four plans. */
async function buildCity(rt: Runtime): Promise<City> {
  const lab = await makeLab(rt);
  await serviceInspectors(rt, ['cli.insp1', 'cli.insp2', 'cli.insp3']);
  const makers = [...(await makeMakers(rt, 24, '0101')), ...(await makeMakers(rt, 6, '0101', HUMEN))];
  const [closed] = await makeMakers(rt, 1, '0101', CHANGAN, { status: 'revoked' });
  const drawn = await publishedPlan(rt, { code: 'CLI-2026-01', year: 2026, category: '0101', labId: lab.id });
  await confirmDraw(rt, actor, drawn.id, 99);
  const open = await publishedPlan(rt, { code: 'CLI-2026-02', year: 2026, category: '0101', labId: lab.id });
  const referred = makers[3]!;
  await addReferral(rt, actor, {
    uscc: referred.uscc,
    categoryCode: '0101',
    reason: 'complaint',
    reference: '12315-2026-0042',
    note: null,
  });
  const draft = await createPlan(rt, actor, {
    code: 'CLI-2026-DRAFT',
    year: 2026,
    title: '2026年草稿计划',
    kind: 'routine',
    level: 'city',
    body: planBody('0101', lab.id),
  });
  const provincial = await publishedPlan(rt, {
    code: 'GD-2026-01',
    year: 2026,
    category: '0101',
    labId: lab.id,
    level: 'provincial',
  });
  return { lab, closed: closed!, referred, drawn, open, draft, provincial };
}

/** Breaks the stored draw's record (the first drawn item moves to another enterprise); undo() restores it. */
async function tamper(db: Runtime['db'], planId: string) {
  const row = await db
    .selectFrom('sampling_draws')
    .select(['id', 'record'])
    .where('plan_id', '=', planId)
    .executeTakeFirstOrThrow();
  const record = JSON.parse(row.record) as {
    output: { items: { enterpriseId: string; categoryCode: string }[] };
  };
  const item = record.output.items[0]!;
  const was = `${item.categoryCode}/${item.enterpriseId}`;
  item.enterpriseId = `${item.enterpriseId.slice(0, -4)}0000`;
  await db
    .updateTable('sampling_draws')
    .set({ record: JSON.stringify(record) })
    .where('id', '=', row.id)
    .execute();
  return {
    was,
    now: `${item.categoryCode}/${item.enterpriseId}`,
    undo: () =>
      db.updateTable('sampling_draws').set({ record: row.record }).where('id', '=', row.id).execute(),
  };
}

const DRAW_KEYS = ['plan', 'seed', 'ruleSet', 'strata', 'excluded', 'items'];

describe.each(DIALECTS)('zhihui sampling (in process) on %s', (dialect) => {
  let rt: Runtime;
  let city: City;

  beforeAll(async () => {
    rt = await testContext(dialect, { clock: fixedClock('2026-03-02T02:00:00Z') });
    city = await buildCity(rt);
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
  });

  /** Runs `zhihui sampling …args` against the test database: exit code, stdout and stderr. */
  async function sampling(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command('zhihui').configureOutput({
      writeOut: (s) => out.push(s),
      writeErr: (s) => err.push(s),
    });
    const base = createCliEnv({ out: (s) => out.push(`${s}\n`), err: (s) => err.push(`${s}\n`) });
    // the same env, on the test database (left open for the next command)
    const env: RunnableCliEnv = Object.assign(Object.create(base) as RunnableCliEnv, {
      withRuntime: <T>(fn: (r: Runtime) => Promise<T>) => fn(rt),
    });
    samplingCli(program, env);
    const code = await runProgram(program, ['node', 'zhihui', 'sampling', ...args], env);
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  const count = async (table: 'sampling_draws' | 'sampling_tasks') =>
    Number(
      (
        await rt.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('lists the plans as [{id, code, year, title, state}]', async () => {
    const r = await sampling('plans', '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const plans = JSON.parse(r.stdout) as Record<string, unknown>[];
    for (const p of plans) expect(Object.keys(p)).toEqual(['id', 'code', 'year', 'title', 'state']);
    expect(plans.map((p) => [p.code, p.state]).sort()).toEqual([
      ['CLI-2026-01', 'published'],
      ['CLI-2026-02', 'published'],
      ['CLI-2026-DRAFT', 'draft'],
      ['GD-2026-01', 'published'],
    ]);
    expect(plans.find((p) => p.code === 'CLI-2026-02')).toEqual({
      id: city.open.id,
      code: 'CLI-2026-02',
      year: 2026,
      title: city.open.title,
      state: 'published',
    });
    const text = await sampling('plans');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`${city.draft.id}  CLI-2026-DRAFT v1  2026  draft`);
  });

  it('prints a dry-run draw in the issue’s JSON and writes nothing', async () => {
    const before = [await count('sampling_draws'), await count('sampling_tasks')];
    const r = await sampling('draw', city.open.id, '--seed', '7', '--dry-run', '--json');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const d = JSON.parse(r.stdout);
    expect(Object.keys(d)).toEqual(DRAW_KEYS);
    expect(d.plan).toMatchObject({ id: city.open.id, code: 'CLI-2026-02' });
    expect(d.seed).toBe(7);
    expect(d.ruleSet).toEqual({ id: 'dg-2024', version: 1 });
    for (const s of d.strata) expect(Object.keys(s)).toEqual(['grade', 'population', 'drawn', 'ratio']);
    expect(d.strata.map((s: { grade: string }) => s.grade)).toEqual(['A', 'B', 'C', 'D']);
    // 30 operating makers at B (the referred one drawn apart): ceil(5 % of 30)
    expect(d.strata[1]).toEqual({ grade: 'B', population: 30, drawn: 2, ratio: 0.05 });
    for (const e of d.excluded) expect(Object.keys(e)).toEqual(['uscc', 'reason']);
    expect(d.excluded).toEqual([{ uscc: city.closed.uscc, reason: 'notOperating' }]);
    for (const i of d.items) expect(Object.keys(i)).toEqual(['uscc', 'grade', 'town', 'reason']);
    expect(d.items[0]).toEqual({ uscc: city.referred.uscc, grade: 'B', town: CHANGAN, reason: 'complaint' });
    expect(d.items.slice(1).map((i: { reason: string }) => i.reason)).toEqual(['stratum', 'stratum']);
    // the very draw the web app previews with that seed
    const preview = await previewDraw(rt, city.open.id, 7);
    expect(d.items.map((i: { uscc: string }) => i.uscc)).toEqual(preview.items.map((i) => i.uscc));
    // nothing written: no draw, no task, the complaint still waiting for a draw
    expect([await count('sampling_draws'), await count('sampling_tasks')]).toEqual(before);
    const referral = await rt.db.selectFrom('sampling_referrals').select('draw_id').executeTakeFirstOrThrow();
    expect(referral.draw_id).toBeNull();
    // another seed, another draw; the same seed, the same
    const again = await sampling('draw', city.open.id, '--seed', '7', '--dry-run', '--json');
    expect(again.stdout).toBe(r.stdout);
    const other = JSON.parse(
      (await sampling('draw', city.open.id, '--seed', '8', '--dry-run', '--json')).stdout,
    );
    expect(other.seed).toBe(8);
  });

  it('prints the draw as text without --json', async () => {
    const r = await sampling('draw', city.open.id, '--seed', '7', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CLI-2026-02 v1  种子 seed 7  规则集 dg-2024@1  企业池 pool 31');
    expect(r.stdout).toMatch(/ {2}B +2 \/ 30 +比例 ratio 0\.05/);
    expect(r.stdout).toContain('排除 excluded 1，抽中 drawn 3');
    expect(r.stdout).toContain(`${city.referred.uscc}  B  `);
  });

  it('verifies a stored draw: identical with exit 0, the differences with exit 1 once tampered with', async () => {
    const ok = await sampling('redraw', city.drawn.id, '--verify');
    expect(ok).toEqual({ code: 0, stdout: 'identical\n', stderr: '' });
    const t = await tamper(rt.db, city.drawn.id);
    try {
      const bad = await sampling('redraw', city.drawn.id, '--verify');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe('');
      expect(bad.stdout).toBe(
        [
          `drawn in the record, not on recomputing: ${t.now}`,
          `drawn on recomputing, not in the record: ${t.was}`,
          `no task for drawn ${t.now}`,
          `task not in the draw: ${t.was}`,
          '',
        ].join('\n'),
      );
    } finally {
      await t.undo();
    }
    expect((await sampling('redraw', city.drawn.id, '--verify')).code).toBe(0);
  });

  it.each([
    [['draw', 'PLAN', '--seed', 'abc', '--dry-run'], '随机种子须为', 'seed'],
    [['draw', 'PLAN', '--seed', '1.5', '--dry-run'], '随机种子须为', 'seed'],
    [['draw', 'PLAN', '--seed', '-3', '--dry-run'], '随机种子须为', 'seed'],
    [['draw', 'PLAN', '--seed', '2147483648', '--dry-run'], '随机种子须为', 'seed'],
    [['draw', 'PLAN', '--seed', '99999999999', '--dry-run'], '随机种子须为', 'seed'],
    [['draw', 'PLAN', '--seed', '7'], '--dry-run', '--dry-run'],
    [['draw', 'PLAN', '--dry-run'], '', "required option '--seed <n>' not specified"],
    [['draw', 'PLAN', '--seed', '7', '--dry-run', '--bogus'], '', "unknown option '--bogus'"],
    [['redraw', 'PLAN'], '请加 --verify', 'Add --verify'],
  ])('refuses %j with exit code 2, a message and no stack trace', async (args, zh, en) => {
    const before = [await count('sampling_draws'), await count('sampling_tasks')];
    const r = await sampling(...args.map((a) => (a === 'PLAN' ? city.open.id : a)));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(zh);
    expect(r.stderr).toContain(en);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect([await count('sampling_draws'), await count('sampling_tasks')]).toEqual(before);
  });

  it('refuses to draw a draft, a higher-level plan or an unknown one (exit 1, the reason in words)', async () => {
    const draft = await sampling('draw', city.draft.id, '--seed', '7', '--dry-run', '--json');
    expect(draft).toMatchObject({ code: 1, stdout: '' });
    expect(draft.stderr).toContain('错误 INVALID_STATE: 只能对已发布且现行的计划抽取');
    const higher = await sampling('draw', city.provincial.id, '--seed', '7', '--dry-run', '--json');
    expect(higher).toMatchObject({ code: 1, stdout: '' });
    expect(higher.stderr).toContain('上级计划由上级部门抽取');
    const unknown = await sampling(
      'draw',
      '0190f000-0000-7000-8000-000000000000',
      '--seed',
      '7',
      '--dry-run',
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('NOT_FOUND');
    const never = await sampling('redraw', city.open.id, '--verify');
    expect(never.code).toBe(1);
    expect(never.stderr).toContain('NOT_FOUND');
    for (const r of [draft, higher, unknown, never]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('zhihui sampling (CLI)', () => {
  let dir: string;
  let city: City;
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'bin', 'zhihui.js'), 'sampling', ...args], {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: `sqlite:${path.join(dir, 'cli.db')}`, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 120_000,
    });
  /** Opens the file the commands use, in this process, for setting up and tampering. */
  const open = () =>
    createRuntime(
      loadConfig({
        DATABASE_URL: `sqlite:${path.join(dir, 'cli.db')}`,
        ZHIHUI_STATE_DIR: path.join(dir, 'var'),
      }),
    );

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-sampling-cli-'));
    const rt = await open();
    try {
      city = await buildCity(rt);
    } finally {
      await rt.close();
    }
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists the plans as JSON', () => {
    const r = run('plans', '--json');
    expect(r.status, r.stderr).toBe(0);
    const plans = JSON.parse(r.stdout) as { code: string }[];
    expect(plans.map((p) => p.code).sort()).toEqual([
      'CLI-2026-01',
      'CLI-2026-02',
      'CLI-2026-DRAFT',
      'GD-2026-01',
    ]);
  }, 120_000); // one CLI start: ten seconds alone, several times that on a loaded machine

  it('prints the dry-run draw as {plan, seed, ruleSet, strata, excluded, items}', () => {
    const r = run('draw', city.open.id, '--seed', '7', '--dry-run', '--json');
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(Object.keys(d)).toEqual(DRAW_KEYS);
    expect(d.excluded).toEqual([{ uscc: city.closed.uscc, reason: 'notOperating' }]);
    expect(d.items[0]).toEqual({ uscc: city.referred.uscc, grade: 'B', town: CHANGAN, reason: 'complaint' });
  }, 120_000);

  it('verifies the stored draw: identical (exit 0), then the differences (exit 1) after tampering', async () => {
    const ok = run('redraw', city.drawn.id, '--verify');
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('identical\n');
    const rt = await open();
    try {
      const t = await tamper(rt.db, city.drawn.id);
      const bad = run('redraw', city.drawn.id, '--verify');
      expect(bad.status, bad.stderr).toBe(1);
      expect(bad.stdout).toContain(`no task for drawn ${t.now}`);
      expect(bad.stdout).toContain(`task not in the draw: ${t.was}`);
      await t.undo();
    } finally {
      await rt.close();
    }
  }, 240_000);

  it('refuses a bad seed with exit code 2 and no stack trace', () => {
    const r = run('draw', city.open.id, '--seed', '2147483648', '--dry-run');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('错误：随机种子须为');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);
});
