// `zhihui audit verify|checkpoint|seal`: tamper evidence of the credit archive and the audit log
// (docs/SECURITY.md). verify exits with code 2 when anything does not hold.
import type { Command } from 'commander';
import { type Checkpoint, writeCheckpoint } from '../modules/credit/integrity/checkpoint.js';
import { type IntegrityReport, verifyIntegrity } from '../modules/credit/integrity/verify.js';
import { sealAuditLog } from '../platform/audit.js';
import type { Runtime } from '../platform/bootstrap.js';
import { keyring } from '../platform/integrity-keys.js';
import { progressBar } from './progress.js';

/** Checks everything; `ok` false (exit code 2) names the first thing that does not hold in each part. */
export async function auditVerify(rt: Runtime, opts: { json?: boolean }) {
  const bar = opts.json ? null : progressBar('Verifying credit chains');
  const report = await verifyIntegrity(rt, { onProgress: bar?.update });
  bar?.stop();
  if (opts.json) return { text: JSON.stringify(report), ok: report.ok };
  return { text: verifyText(report, rt), ok: report.ok };
}

function verifyText(r: IntegrityReport, rt: Runtime): string {
  const lines: string[] = [];
  const b = r.firstBroken;
  if (!b)
    lines.push(
      `OK: ${r.chains} chains, ${r.records} credit records, every link holds${r.legacyRecords ? ` (${r.legacyRecords} legacy records covered by checkpoint #1)` : ''}.`,
    );
  else
    lines.push(
      `BROKEN: first broken link in the chain of ${b.uscc ?? b.enterpriseId} at link ${b.seq}${b.recordId ? ` (record ${b.recordId})` : ''}`,
      `  ${b.problem}: ${b.message.en}`,
      `  ${b.message.zh}`,
      `  (checked ${r.records} records in ${r.chains} chains before it)`,
    );
  const cp = r.checkpoints;
  if (cp.problem)
    lines.push(
      `BROKEN: checkpoint log${cp.problem.no ? ` at #${cp.problem.no}` : ''}`,
      `  ${cp.problem.problem}: ${cp.problem.message.en}`,
      `  ${cp.problem.message.zh}`,
    );
  else if (cp.latest)
    lines.push(
      `OK: ${cp.count} checkpoints signed; every chain and link of #${cp.latest.no} (${cp.latest.at}, root ${cp.latest.root.slice(0, 16)}…) is there.`,
    );
  else
    lines.push(
      'NOTE: no checkpoint yet: a chain deleted whole would not show (run `zhihui audit checkpoint`). 尚无检查点。',
    );
  if (r.ruleSets.first)
    lines.push(
      `BROKEN: rule set ${r.ruleSets.first.ruleSet}`,
      `  ${r.ruleSets.first.message.en}`,
      `  ${r.ruleSets.first.message.zh}`,
    );
  else if (r.ruleSets.checked)
    lines.push(`OK: ${r.ruleSets.checked} published rule sets as the latest checkpoint recorded them.`);
  const g = r.grades;
  if (g.first)
    lines.push(
      `BROKEN: ${g.mismatches} of ${g.checked} stored grades differ from the archive; first ${g.first.uscc ?? g.first.enterpriseId}`,
      `  ${g.first.message.en}`,
      `  ${g.first.message.zh}`,
    );
  else lines.push(`OK: ${g.checked} stored grades equal the grades recomputed from the archive.`);
  const bl = r.blacklist;
  if (bl.first)
    lines.push(
      `BROKEN: blacklist entry ${bl.first.entryId} of ${bl.first.uscc ?? bl.first.enterpriseId}`,
      `  ${bl.first.problem}: ${bl.first.message.en}`,
      `  ${bl.first.message.zh}`,
    );
  else lines.push(`OK: ${bl.checked} blacklist entries agree with their records and the audit log.`);
  const a = r.auditLog;
  if (a.problem)
    lines.push(
      `BROKEN: audit log${a.problem.sealNo ? ` at seal ${a.problem.sealNo}` : ''}`,
      `  ${a.problem.problem}: ${a.problem.message.en}`,
      `  ${a.problem.message.zh}`,
    );
  else
    lines.push(
      `OK: ${a.sealedRows} audit rows under ${a.seals} seals; ${a.unsealedRows} newer rows not sealed yet.`,
    );
  const keys = keyring(rt.config);
  if (keys.source === 'file')
    lines.push(
      `NOTE: keys from ${keys.file} (demo); production sets AUDIT_KEYS. 演示密钥文件, 生产环境请配置 AUDIT_KEYS。`,
    );
  return lines.join('\n');
}

export async function auditCheckpoint(rt: Runtime, opts: { json?: boolean }) {
  const { checkpoint, witness, sealed } = await writeCheckpoint(rt);
  if (opts.json) return JSON.stringify(checkpoint satisfies Checkpoint);
  return [
    `审计日志封存 Audit log: ${sealed.rows} rows sealed in ${sealed.seals} seals.`,
    `检查点已追加 Checkpoint appended to ${rt.config.stateDir}/checkpoints/checkpoints.log; 请交见证人保存 / give this line to the witness:`,
    witness,
  ].join('\n');
}

type WithRuntime = <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>;

export function registerAuditCommands(program: Command, withRuntime: WithRuntime) {
  const audit = program.command('audit').description('Integrity checks (docs/SECURITY.md)');
  audit
    .command('verify')
    .description(
      'Check every credit chain, the checkpoints, grades, blacklist and audit log; names what does not hold (exit code 2)',
    )
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) =>
      withRuntime(async (rt) => {
        const r = await auditVerify(rt, opts);
        console.log(r.text);
        if (!r.ok) process.exitCode = 2;
      }),
    );
  audit
    .command('checkpoint')
    .description(
      'Seal the audit log and append a signed checkpoint of every chain head; prints it for a witness',
    )
    .option('--json', 'print the checkpoint as JSON')
    .action((opts: { json?: boolean }) =>
      withRuntime(async (rt) => console.log(await auditCheckpoint(rt, opts))),
    );
  audit
    .command('seal')
    .description('Seal the audit rows older than the lag (serve does this every minute)')
    .action(() =>
      withRuntime(async (rt) => {
        const r = await sealAuditLog(rt);
        console.log(
          `Sealed ${r.rows} audit rows in ${r.seals} seals${r.last ? `; last seal ${r.last.no}` : ''}.`,
        );
      }),
    );
}
