// The credit report: a one-page PDF in Chinese, rendered from HTML by Chromium, with a QR code that
// opens the portal's check of the report (which shows a code printed here, never the grade).

import { createHash } from 'node:crypto';
import { chromium } from 'playwright-core';
import QRCode from 'qrcode';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { writeAudit } from '../../platform/audit.js';
import type { Actor, AppContext } from '../../platform/context.js';
import { computeGrade } from './grading.js';
import { own } from './own.js';
import { reportCheckCode } from './public.js';
import { today } from './records.js';
import { gradeView, recordViews } from './views.js';

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** An instant as the bureau reads it: Beijing time, to the minute. */
const beijingTime = (iso: string) =>
  `${new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ')} (北京时间)`;

const STATUS_ZH: Record<string, string> = {
  active: '有效',
  expired: '已过期',
  reversed: '已更正',
  pending: '待生效',
  reversal: '更正记录',
};

/** Renders per user in RENDER_WINDOW_MS; a report of an unchanged archive is served, not rendered. */
export const REPORT_RENDER_LIMIT = { perUser: 5, windowMs: 10 * 60_000 };
const renders = new Map<string, number[]>();

function takeRender(user: string, nowMs: number) {
  const recent = (renders.get(user) ?? []).filter((t) => t > nowMs - REPORT_RENDER_LIMIT.windowMs);
  if (recent.length >= REPORT_RENDER_LIMIT.perUser) {
    renders.set(user, recent);
    throw new AppError('RATE_LIMITED', {
      message: {
        zh: `信用报告生成过于频繁: 每${REPORT_RENDER_LIMIT.windowMs / 60_000}分钟最多生成${REPORT_RENDER_LIMIT.perUser}份新报告`,
        en: `Too many credit reports: at most ${REPORT_RENDER_LIMIT.perUser} new reports every ${REPORT_RENDER_LIMIT.windowMs / 60_000} minutes`,
      },
      retryAfterSeconds: Math.ceil((recent[0]! + REPORT_RENDER_LIMIT.windowMs - nowMs) / 1000),
    });
  }
  renders.set(user, [...recent, nowMs]);
}

/**
 * What a report shows, as one hash: the archive's chain head, the day, the grade, and the
 * objections and replies beside the records. The same state serves the stored report again.
 */
async function archiveState(
  ctx: AppContext,
  enterpriseId: string,
  asOf: string,
  grade: { grade: string; score: number; ruleSet: { id: string; version: number } },
) {
  const [head, objections, replies] = await Promise.all([
    ctx.db
      .selectFrom('credit_chain_heads')
      .select(['seq', 'hash'])
      .where('enterprise_id', '=', enterpriseId)
      .executeTakeFirst(),
    ctx.db
      .selectFrom('credit_objections')
      .select(['id', 'state'])
      .where('enterprise_id', '=', enterpriseId)
      .orderBy('id')
      .execute(),
    ctx.db
      .selectFrom('credit_replies')
      .select(['id'])
      .where('enterprise_id', '=', enterpriseId)
      .orderBy('id')
      .execute(),
  ]);
  return createHash('sha256')
    .update(
      JSON.stringify([
        head ?? null,
        asOf,
        grade.grade,
        grade.score,
        grade.ruleSet,
        objections.map((o) => [o.id, o.state]),
        replies.map((r) => r.id),
      ]),
    )
    .digest('hex');
}

export async function issueReport(
  ctx: AppContext,
  actor: Actor,
  enterprise: { id: string; uscc: string; name: string; townName: string },
) {
  const asOf = today(ctx);
  const { result, ruleSet, rows } = await computeGrade(ctx.db, enterprise.id, asOf);
  const state = await archiveState(ctx, enterprise.id, asOf, result);
  const stored = await ctx.db
    .selectFrom('credit_reports')
    .select(['id', 'pdf'])
    .where('enterprise_id', '=', enterprise.id)
    .where('archive_state', '=', state)
    .where('pdf', 'is not', null)
    .orderBy('issued_at', 'desc')
    .executeTakeFirst();
  if (stored?.pdf) return { id: stored.id, pdf: Buffer.from(stored.pdf), cached: true };
  takeRender(actor.label, ctx.clock.now().getTime());
  const grade = await gradeView(ctx.db, result, ruleSet);
  const records = await recordViews(ctx.db, rows, asOf);
  const report = {
    id: newId(),
    enterprise_id: enterprise.id,
    as_of: asOf,
    grade: result.grade,
    score: result.score,
    issued_at: ctx.clock.now().toISOString(),
    issued_by: actor.label,
  };
  const url = `${ctx.config.publicBaseUrl}/portal/credit-reports/${report.id}`;
  const qr = await QRCode.toDataURL(url, { margin: 1, width: 220 });
  const html = reportHtml({
    enterprise,
    grade,
    records,
    report,
    qr,
    url,
    checkCode: reportCheckCode(report),
  });
  const pdf = await renderPdf(ctx, html);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('credit_reports')
      .values({ ...report, archive_state: state, pdf })
      .execute();
    await writeAudit(trx, {
      actor,
      action: 'creditReport.issue',
      resourceType: 'creditReport',
      resourceId: report.id,
      enterpriseId: enterprise.id,
      after: { asOf, grade: result.grade, score: result.score },
      at: ctx.clock.now(),
    });
  });
  return { id: report.id, pdf, cached: false };
}

// One browser at a time: a burst of report requests queues instead of starting a Chromium each.
let renderQueue: Promise<unknown> = Promise.resolve();

function renderPdf(ctx: AppContext, html: string): Promise<Buffer> {
  const next = renderQueue.then(() => renderPdfNow(ctx, html));
  renderQueue = next.catch(() => undefined);
  return next;
}

async function renderPdfNow(ctx: AppContext, html: string): Promise<Buffer> {
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({ executablePath: ctx.config.chromiumPath, args: ['--no-sandbox'] });
  } catch (err) {
    ctx.log.error({ err }, 'credit report: Chromium did not start');
    throw new AppError('SERVICE_UNAVAILABLE', {
      message: {
        zh: '报告生成服务暂不可用(未找到 Chromium), 请联系管理员',
        en: 'Report rendering is unavailable (Chromium not found at CHROMIUM_PATH)',
      },
    });
  }
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' },
    });
  } finally {
    await browser.close();
  }
}

type Views = {
  enterprise: { uscc: string; name: string; townName: string };
  grade: Awaited<ReturnType<typeof gradeView>>;
  records: Awaited<ReturnType<typeof recordViews>>;
  report: { id: string; as_of: string; issued_at: string };
  qr: string;
  url: string;
  checkCode: string;
};

const OPEN_OBJECTION = new Set(['submitted', 'underReview']);

export function reportHtml(v: Views): string {
  const colour: Record<string, string> = { A: '#389e0d', B: '#1677ff', C: '#d46b08', D: '#cf1322' };
  // Corrected records and the corrections themselves count for nothing: left out, with a note.
  const shown = v.records.filter((r) => r.kind !== 'reversal' && r.status !== 'reversed');
  const corrected = v.records.filter((r) => r.status === 'reversed').length;
  const open = shown.filter((r) => r.objection && OPEN_OBJECTION.has(r.objection.state));
  const rows = shown
    .map((r) => {
      const disputed = r.objection && OPEN_OBJECTION.has(r.objection.state);
      const status = `${own(STATUS_ZH, r.status) ?? r.status}${disputed ? '<br><b>异议处理中</b>' : ''}`;
      return `<tr><td class="d">${esc(r.occurredOn)}</td><td>${esc(r.summary)}</td><td class="num">${r.points > 0 ? `+${r.points}` : r.points}</td><td class="d">${esc(r.expiresOn)}</td><td class="s">${status}</td></tr>`;
    })
    .join('');
  const contributions = v.grade.contributions
    .map(
      (c) =>
        `<tr><td>${esc(c.ruleLabel.zh)}</td><td class="d">${esc(c.occurredOn)}</td><td class="num">${c.points > 0 ? `+${c.points}` : c.points}</td></tr>`,
    )
    .join('');
  const objections = open.length
    ? `<h2>异议处理中</h2><p class="note">以下记录的异议尚在处理, 结论以监管部门决定为准:</p><ul>${open
        .map((r) => `<li>${esc(r.occurredOn)} ${esc(r.summary)}</li>`)
        .join('')}</ul>`
    : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
  body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC",sans-serif;color:#1f1f1f;font-size:11pt}
  h1{font-size:20pt;text-align:center;margin:0 0 4mm;letter-spacing:2pt}
  .sub{text-align:center;color:#595959;margin-bottom:6mm}
  .head{display:flex;justify-content:space-between;align-items:center;gap:4mm;border:1px solid #d9d9d9;padding:5mm;border-radius:2mm;break-inside:avoid}
  .grade{font-size:40pt;font-weight:700;color:${colour[v.grade.grade]}}
  .check{text-align:center;font-size:8.5pt;color:#595959;width:34mm}
  table{width:100%;border-collapse:collapse;margin-top:3mm}
  tr{break-inside:avoid}
  th,td{border:1px solid #d9d9d9;padding:1.5mm 2mm;text-align:left;font-size:9.5pt}
  th{background:#fafafa} .num{text-align:right;white-space:nowrap} .d,.s{white-space:nowrap}
  h2{font-size:13pt;margin:6mm 0 1mm;border-left:3pt solid #1677ff;padding-left:2mm;break-after:avoid}
  .note{color:#595959;font-size:9pt}
  .foot{margin-top:8mm;color:#595959;font-size:9pt;break-inside:avoid}
  </style></head><body>
  <h1>企业质量信用报告</h1>
  <div class="sub">报告编号 ${esc(v.report.id)} · 评价日期 <span class="d">${esc(v.report.as_of)}</span></div>
  <div class="head"><div>
    <div><b>${esc(v.enterprise.name)}</b></div>
    <div>统一社会信用代码: ${esc(v.enterprise.uscc)}</div>
    <div>所在镇街: ${esc(v.enterprise.townName)}</div>
    <div>规则集: ${esc(v.grade.ruleSet.name.zh)} (第 ${v.grade.ruleSet.version} 版)</div>
  </div><div style="text-align:center">
    <div class="grade">${esc(v.grade.grade)}</div><div>${esc(v.grade.gradeLabel.zh)} · ${v.grade.score} 分</div>
  </div><div class="check"><img src="${v.qr}" width="96" height="96" alt="QR"><br>核验码 <b>${esc(v.checkCode)}</b></div></div>
  ${v.grade.vetoApplied ? `<p><b>否决项:</b> ${esc(v.grade.vetoApplied.label.zh)}</p>` : ''}
  <h2>评分说明</h2>
  <table><tr><th>项目</th><th>日期</th><th class="num">分值</th></tr>
  <tr><td>基础分</td><td></td><td class="num">${v.grade.base}</td></tr>${contributions}
  <tr><th>合计${v.grade.rawScore !== v.grade.score ? ` (按上下限取 ${v.grade.score})` : ''}</th><th></th><th class="num">${v.grade.rawScore}</th></tr></table>
  <h2>信用记录</h2>
  <table><tr><th>日期</th><th>事项</th><th class="num">分值</th><th>有效期至</th><th>状态</th></tr>${rows || '<tr><td colspan="5">无记录</td></tr>'}</table>
  ${corrected ? `<p class="note">另有 ${corrected} 条记录已依法更正(撤销), 不计分, 未列入本报告。</p>` : ''}
  ${objections}
  <div class="foot">扫描首页二维码或访问 ${esc(v.url)} 核验本报告; 核验码与核验页面显示一致即为真实报告。<br>
    生成时间 ${esc(beijingTime(v.report.issued_at))} · 东莞市市场监督管理局 质汇平台</div>
  </body></html>`;
}
