// `zhihui credit grade|regrade`: the credit engine from the command line, added to `zhihui` by the
// module's cli hook (the audit commands are still in src/cli/audit.ts).
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { isIsoDate, todayInShanghai } from '../../core/workdays.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { normalizeUscc } from '../registry/index.js';
import type { CliEnv } from '../types.js';
import { computeGrade, regradeAll } from './grading.js';

function asOfOption(raw: string | undefined, rt: Runtime): string {
  const asOf = raw ?? todayInShanghai(rt.clock.now());
  if (!isIsoDate(asOf))
    throw new AppError('INVALID_DATE', {
      fields: [
        {
          field: '--as-of',
          code: 'INVALID_DATE',
          message: { zh: `日期无效: ${asOf}`, en: `Not a YYYY-MM-DD date: ${asOf}` },
        },
      ],
    });
  return asOf;
}

/** The grade and its explanation: score = base + Σ contributions (before clamping to the bounds). */
export async function creditGrade(rt: Runtime, opts: { uscc: string; asOf?: string; json?: boolean }) {
  const asOf = asOfOption(opts.asOf, rt);
  const uscc = normalizeUscc(opts.uscc);
  const e = await rt.db
    .selectFrom('enterprises')
    .select(['id', 'uscc', 'name'])
    .where('uscc', '=', uscc)
    .executeTakeFirst();
  if (!e)
    throw new AppError('NOT_FOUND', {
      message: { zh: `企业不存在: ${uscc}`, en: `No enterprise with USCC ${uscc}` },
    });
  const { result } = await computeGrade(rt.db, e.id, asOf);
  const out = {
    uscc: e.uscc,
    asOf,
    ruleSet: `${result.ruleSet.id}@${result.ruleSet.version}`,
    score: result.score,
    grade: result.grade,
    base: result.base,
    contributions: result.contributions.map((c) => ({
      recordId: c.recordId,
      rule: c.rule,
      points: c.points,
      occurredOn: c.occurredOn,
      expiresOn: c.expiresOn,
    })),
    ...(result.rawScore !== result.score ? { rawScore: result.rawScore } : {}),
    ...(result.vetoApplied ? { veto: result.vetoApplied.id } : {}),
  };
  if (opts.json) return JSON.stringify(out);
  const lines = [
    `${e.name} ${e.uscc}  ${asOf}  规则集 ${out.ruleSet}`,
    `  基础分 base ${String(out.base).padStart(16)}`,
    ...out.contributions.map(
      (c) => `  ${c.rule.padEnd(28)} ${String(c.points).padStart(4)}  ${c.occurredOn} → ${c.expiresOn}`,
    ),
    `  = ${result.rawScore}${result.rawScore !== result.score ? ` (按上下限 clamped ${result.score})` : ''}  等级 grade ${result.grade}${result.vetoApplied ? ` (${result.vetoApplied.label.zh})` : ''}`,
  ];
  return lines.join('\n');
}

export async function creditRegrade(rt: Runtime, opts: { asOf?: string }) {
  const r = await regradeAll(rt, asOfOption(opts.asOf, rt));
  return `Regraded ${r.total} enterprises as of ${r.asOf} under ${r.ruleSet.id}@${r.ruleSet.version} in ${r.elapsedMs} ms: ${r.changed} changed; A ${r.byGrade.A}, B ${r.byGrade.B}, C ${r.byGrade.C}, D ${r.byGrade.D}`;
}

/** The module's commands: `credit grade <uscc>` and `credit regrade`. */
export function creditCli(program: Command, env: CliEnv) {
  const creditCmd = program.command('credit').description('Quality-credit grades');
  creditCmd
    .command('grade <uscc>')
    .description('The grade of one enterprise and every point behind it: score = base + Σ contributions')
    .option('--as-of <date>', 'YYYY-MM-DD (default today in Asia/Shanghai)')
    .option('--json', 'print JSON')
    .action((uscc: string, opts: { asOf?: string; json?: boolean }) =>
      env.withRuntime(async (rt) => env.print(await creditGrade(rt, { uscc, ...opts }))),
    );
  creditCmd
    .command('regrade')
    .description('Recompute every grade as of a date (default today); changed grades enter the history')
    .option('--as-of <date>', 'YYYY-MM-DD')
    .action((opts: { asOf?: string }) =>
      env.withRuntime(async (rt) => env.print(await creditRegrade(rt, opts))),
    );
}
