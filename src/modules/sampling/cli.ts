// `zhihui sampling plans|draw|redraw`: plans and the double-random draw from the command line,
// added to `zhihui` by the module's cli hook.
//   sampling plans [--json]                              [{id, code, year, title, state}]
//   sampling draw PLAN_ID --seed N --dry-run [--json]    the draw, writing nothing
//   sampling redraw PLAN_ID --verify                     `identical` (exit 0) or the differences (exit 1)
import { type Command, CommanderError } from 'commander';
import type { CliEnv } from '../types.js';
import { previewDraw, verifyDraw } from './draw-store.js';
import { listPlans } from './plans.js';

const MAX_SEED = 2 ** 31 - 1;

export function samplingCli(program: Command, env: CliEnv) {
  const cmd = program
    .command('sampling')
    .description('Supervisory product sampling (监督抽查): plans and draws')
    // commander's own refusals (a missing --seed, an unknown option) are bad input too: exit 2;
    // set before the subcommands, which inherit it
    .exitOverride((err) => {
      throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
    });
  cmd
    .command('plans')
    .description('List the sampling plans')
    .option('--json', 'print JSON: [{id, code, year, title, state}]')
    .action(async (opts: { json?: boolean }) => {
      const plans = await env.withRuntime((rt) => listPlans(rt.db, {}));
      if (opts.json)
        env.print(
          JSON.stringify(
            plans.map((p) => ({ id: p.id, code: p.code, year: p.year, title: p.title, state: p.state })),
          ),
        );
      else if (plans.length === 0) env.print('暂无抽查计划 / No sampling plans');
      else
        for (const p of plans)
          env.print(`${p.id}  ${p.code} v${p.version}  ${p.year}  ${p.state.padEnd(10)} ${p.title}`);
    });
  cmd
    .command('draw <planId>')
    .description(
      'Compute the double-random draw of a published city plan with a seed (only --dry-run: confirm draws in the web app)',
    )
    .requiredOption('--seed <n>', 'the seed (0 – 2147483647)')
    .option('--dry-run', 'print the draw without writing anything (required)')
    .option('--json', 'print JSON: {plan, seed, ruleSet, strata, excluded, items}')
    .action(async (planId: string, opts: { seed: string; dryRun?: boolean; json?: boolean }) => {
      const seed = /^\d{1,10}$/.test(opts.seed) ? Number(opts.seed) : Number.NaN;
      if (!(seed <= MAX_SEED))
        env.usageError({
          zh: `随机种子须为0–${MAX_SEED}之间的整数：${opts.seed}`,
          en: `The seed must be a whole number from 0 to ${MAX_SEED}: ${opts.seed}`,
        });
      if (!opts.dryRun)
        env.usageError({
          zh: '命令行只做试抽（--dry-run）；确认抽取请在网页端进行，以便留痕和分配检查人员',
          en: 'The command line only previews a draw (--dry-run); confirm it in the web app, where it is recorded and inspectors are assigned',
        });
      // as the web app previews it: a published city plan only
      const view = await env.withRuntime((rt) => previewDraw(rt, planId, seed));
      if (opts.json) {
        env.print(
          JSON.stringify({
            plan: { id: view.plan.id, code: view.plan.code, version: view.plan.version },
            seed: view.seed,
            ruleSet: view.ruleSet,
            strata: view.strata,
            excluded: view.excluded.map((e) => ({ uscc: e.uscc, reason: e.reason })),
            items: view.items.map((i) => ({
              uscc: i.uscc,
              grade: i.grade,
              town: i.townCode,
              reason: i.reason,
            })),
          }),
        );
        return;
      }
      env.print(
        `${view.plan.code} v${view.plan.version}  种子 seed ${view.seed}  规则集 ${view.ruleSet.id}@${view.ruleSet.version}  企业池 pool ${view.poolSize}`,
      );
      for (const s of view.strata)
        env.print(
          `  ${s.grade}  ${String(s.drawn).padStart(6)} / ${String(s.population).padEnd(7)} 比例 ratio ${s.ratio}`,
        );
      env.print(`  排除 excluded ${view.excluded.length}，抽中 drawn ${view.items.length}`);
      for (const i of view.items.slice(0, 50))
        env.print(`  ${i.uscc}  ${i.grade}  ${i.townName}  ${i.categoryName}  ${i.reason}  ${i.name}`);
      if (view.items.length > 50) env.print(`  … (${view.items.length - 50} more; --json for all)`);
    });
  cmd
    .command('redraw <planId>')
    .description('Recompute a stored draw from its record and compare')
    .option('--verify', 'print `identical` (exit 0) or the differences (exit 1)')
    .action(async (planId: string, opts: { verify?: boolean }) => {
      if (!opts.verify) env.usageError({ zh: '请加 --verify', en: 'Add --verify' });
      const r = await env.withRuntime((rt) => verifyDraw(rt.db, planId));
      if (r.identical) env.print('identical');
      else {
        for (const d of r.differences) env.print(d);
        env.setExitCode(1);
      }
    });
}
