// Evidence uploads, the supervision draw, the scheduled jobs and the blacklist's automatic expiry,
// on every dialect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { systemActor } from '../../platform/context.js';
import { runDueJobs } from '../../platform/jobs.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { buildEnterprise } from '../../testing/factories.js';
import { testApp } from '../../testing/http.js';
import { createEnterprise } from '../registry/enterprises.js';
import { actOnEntry, proposeCandidate } from './blacklist-store.js';
import { computeGrade, regradeAll } from './grading.js';
import { creditJobs } from './jobs.js';
import { addManualRecord } from './records.js';
import { safeFilename } from './routes.js';
import { drawTargets } from './supervision.js';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

function multipart(filename: string, content: Buffer) {
  const boundary = '----zhihui-test';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.each(DIALECTS)('credit services on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;
  const clock = offsetClock('2026-03-02T02:00:00Z');
  const a = buildEnterprise();
  const b = buildEnterprise({ townCode: '441900003' });
  let aId = '';

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    await createEnterprise(rt, systemActor('test'), a);
    await createEnterprise(rt, systemActor('test'), b);
    aId = (
      await rt.db.selectFrom('enterprises').select('id').where('uscc', '=', a.uscc).executeTakeFirstOrThrow()
    ).id;
    t = await testApp(rt, [
      { username: 'reg', role: 'regulator' },
      { username: 'entA', role: 'enterprise', enterpriseUscc: a.uscc },
      { username: 'entB', role: 'enterprise', enterpriseUscc: b.uscc },
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  const upload = (who: string, filename: string, content: Buffer) => {
    const m = multipart(filename, content);
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/credit/evidence',
      payload: m.body,
      headers: {
        'content-type': m.contentType,
        cookie: t.sessions[who]!.cookie,
        'x-csrf-token': t.sessions[who]!.csrf,
      },
    });
  };

  it('takes a PDF as evidence, refuses what is not what it claims, and keeps files to their enterprise', async () => {
    const ok = await upload('entA', '检定证书.pdf', PDF);
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ filename: '检定证书.pdf', mime: 'application/pdf', size: PDF.length });
    const fake = await upload('entA', 'virus.pdf', Buffer.from('MZ\x90\x00 not a pdf'));
    expect(fake.statusCode).toBe(400);
    expect(fake.json().code).toBe('UNSUPPORTED_FILE');
    expect((await upload('entA', 'run.exe', PDF)).statusCode).toBe(400);
    expect((await upload('entA', 'empty.pdf', Buffer.alloc(0))).statusCode).toBe(400);
    const id = ok.json().id;
    const mine = await t.call('entA', 'GET', `/api/v1/credit/evidence/${id}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-disposition']).toContain("filename*=UTF-8''");
    expect(mine.rawPayload.equals(PDF)).toBe(true);
    expect((await t.call('entB', 'GET', `/api/v1/credit/evidence/${id}`)).statusCode).toBe(403);
    const audit = await rt.db
      .selectFrom('audit_log')
      .select('action')
      .where('resource_id', '=', id)
      .execute();
    expect(audit.map((r) => r.action)).toEqual(['creditEvidence.upload']);
    expect(safeFilename('../../etc/passwd\u0000')).toBe('.._.._etc_passwd_');
  });

  it('draws proactive-check targets per grade at the rule set’s ratios, reproducibly', async () => {
    const extra = [];
    for (let i = 0; i < 60; i++) extra.push(buildEnterprise());
    for (const e of extra) await createEnterprise(rt, systemActor('test'), e);
    await runDueJobs(rt, creditJobs); // grades everyone not yet graded
    const one = await drawTargets(rt.db, '2026-03-02', { purpose: 'sampling', seed: 42 });
    const two = await drawTargets(rt.db, '2026-03-02', { purpose: 'sampling', seed: 42 });
    expect(one.items).toEqual(two.items);
    expect(one.counts.B).toMatchObject({ population: 62, drawn: Math.ceil(0.05 * 62), ratio: 0.05 });
    const other = await drawTargets(rt.db, '2026-03-02', { purpose: 'sampling', seed: 43 });
    expect(other.items).not.toEqual(one.items);
    const onSite = await drawTargets(rt.db, '2026-03-02', {
      purpose: 'onSite',
      seed: 42,
      townCode: '441900003',
    });
    expect(onSite.counts.B.population).toBe(1);
    expect(onSite.items.map((i) => i.uscc)).toEqual([b.uscc]);
  });

  it('applies the vetoes in the city-wide regrade as the per-enterprise grade does', async () => {
    const honoured = buildEnterprise({ tags: ['abnormalOperations'] });
    await createEnterprise(rt, systemActor('test'), honoured);
    const e = await rt.db
      .selectFrom('enterprises')
      .select(['id', 'uscc'])
      .where('uscc', '=', honoured.uscc)
      .executeTakeFirstOrThrow();
    await addManualRecord(rt, systemActor('test'), e, {
      type: 'recognition.award.granted',
      occurredOn: '2026-02-02',
      details: { level: 'municipal', year: 2025 },
    });
    await rt.db.deleteFrom('credit_grades').where('enterprise_id', '=', e.id).execute();
    const report = await regradeAll(rt, '2026-03-02');
    expect(report.changed).toBeGreaterThanOrEqual(1);
    const stored = await rt.db
      .selectFrom('credit_grades')
      .selectAll()
      .where('enterprise_id', '=', e.id)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      grade: 'C',
      score: 110,
      raw_score: 110,
      veto_id: 'veto.abnormalOperations',
    });
    expect((await computeGrade(rt.db, e.id, '2026-03-02')).result).toMatchObject({ grade: 'C', score: 110 });
  });

  it('expires a listing at three years to the day, lifting the veto, and the monthly job regrades once a month', async () => {
    const entry = await proposeCandidate(rt, systemActor('test'), aId, {
      decisionNo: '东市监罚〔2026〕9号',
      decidedOn: '2026-02-27',
    });
    const official = { id: 'reg', kind: 'official' as const };
    await actOnEntry(rt, systemActor('test'), official, entry.id, { type: 'notify' });
    await actOnEntry(rt, systemActor('test'), official, entry.id, { type: 'list', statementHeard: true });
    await actOnEntry(rt, systemActor('test'), official, entry.id, { type: 'publish' });
    expect((await computeGrade(rt.db, aId, '2026-03-02')).result).toMatchObject({ grade: 'D', score: 60 });

    clock.set('2029-03-01T15:59:00Z'); // 23:59 on 2029-03-01 in Dongguan: the last day listed
    await runDueJobs(rt, creditJobs);
    let row = await rt.db
      .selectFrom('credit_blacklist')
      .select('state')
      .where('id', '=', entry.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('published');
    clock.set('2029-03-01T16:00:00Z'); // midnight: 2029-03-02, three years after listing
    await runDueJobs(rt, creditJobs);
    row = await rt.db
      .selectFrom('credit_blacklist')
      .select('state')
      .where('id', '=', entry.id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('expired');
    const g = await rt.db
      .selectFrom('credit_grades')
      .selectAll()
      .where('enterprise_id', '=', aId)
      .executeTakeFirstOrThrow();
    expect(g).toMatchObject({ grade: 'B', score: 100, as_of: '2029-03-02' });
    const runs = await rt.db
      .selectFrom('job_runs')
      .select(['job', 'period_key', 'status'])
      .orderBy('period_key')
      .execute();
    expect(runs.filter((r) => r.job === 'credit.monthlyRegrade').map((r) => r.period_key)).toEqual([
      '2026-03',
      '2029-03',
    ]);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
  });
});
