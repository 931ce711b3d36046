// Tamper evidence for someone who holds only the database, on every dialect: each attack of the
// review's finding is made, `verifyIntegrity` must name it, and the database is put back after.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../../core/clock.js';
import type { Config } from '../../../core/config.js';
import type { Database } from '../../../db/schema.js';
import { sealAuditLog, verifyAuditLog } from '../../../platform/audit.js';
import type { Runtime } from '../../../platform/bootstrap.js';
import { systemActor } from '../../../platform/context.js';
import { DIALECTS, testContext } from '../../../testing/db.js';
import { buildEnterprise } from '../../../testing/factories.js';
import { createEnterprise } from '../../registry/enterprises.js';
import { GENESIS_HASH, recordHash, verifyChains } from '../archive.js';
import { actOnEntry, proposeCandidate } from '../blacklist-store.js';
import { regradeAll, regradeEnterprise } from '../grading.js';
import { addManualRecord } from '../records.js';
import { checkpointLogPath, merkleRoot, readCheckpoints, writeCheckpoint } from './checkpoint.js';
import { verifyIntegrity } from './verify.js';

type RecordRow = Database['credit_records'];
const k1 = { kid: 'k1', key: randomBytes(32) };
const k2 = { kid: 'k2', key: randomBytes(32) };
/** Seal every audit row, even one made this millisecond (ids carry the system clock, maybe ahead). */
const ALL = { lagMs: -60_000 };

describe.each(DIALECTS)('tamper evidence on %s', (dialect) => {
  let base: Runtime;
  let rt: Runtime;
  let dir: string;
  const clock = offsetClock('2026-03-02T02:00:00Z');
  const ents = [buildEnterprise(), buildEnterprise(), buildEnterprise(), buildEnterprise()];
  const ids: string[] = [];
  let entryId = '';
  const withKeys = (keys: Config['auditKeys']): Runtime => ({
    ...base,
    config: { ...base.config, stateDir: dir, auditKeys: keys },
  });
  const chain = (i: number) =>
    rt.db
      .selectFrom('credit_records')
      .selectAll()
      .where('enterprise_id', '=', ids[i]!)
      .orderBy('seq')
      .execute();
  const verify = () => verifyIntegrity(rt);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-integrity-'));
    base = await testContext(dialect, { clock });
    rt = withKeys([k1]);
    for (const e of ents) {
      await createEnterprise(rt, systemActor('test'), e);
      ids.push(
        (
          await rt.db
            .selectFrom('enterprises')
            .select('id')
            .where('uscc', '=', e.uscc)
            .executeTakeFirstOrThrow()
        ).id,
      );
    }
    const add = (i: number, type: string, occurredOn: string, details: Record<string, unknown>) =>
      addManualRecord(
        rt,
        systemActor('test'),
        { id: ids[i]!, uscc: ents[i]!.uscc },
        { type, occurredOn, details },
      );
    await add(0, 'recognition.award.granted', '2026-02-02', { level: 'municipal', year: 2025 });
    await add(0, 'metrology.verification.overdue', '2026-02-10', { instrumentId: 'I1' });
    await add(1, 'metrology.verification.overdue', '2026-02-11', { instrumentId: 'I2' });
    await add(2, 'recognition.award.granted', '2026-02-03', { level: 'municipal', year: 2025 });
    // enterprise 1 on the blacklist: its listing record and the veto
    const entry = await proposeCandidate(rt, systemActor('test'), ids[1]!, {
      decisionNo: '东市监罚〔2026〕7号',
      decidedOn: '2026-02-27',
    });
    entryId = entry.id;
    const official = { id: 'reg', kind: 'official' as const };
    await actOnEntry(rt, systemActor('test'), official, entry.id, { type: 'notify' });
    await actOnEntry(rt, systemActor('test'), official, entry.id, { type: 'list', statementHeard: true });
    await regradeAll(rt, '2026-03-02');
  });
  afterAll(async () => {
    await base?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('holds before any tampering, and believes legacy (unkeyed) rows only once a checkpoint covers them', async () => {
    // an archive written before keys existed: enterprise 3's chain hashed the old way
    let prev = GENESIS_HASH;
    for (const seq of [1, 2]) {
      const unhashed: Omit<RecordRow, 'hash'> = {
        ...(await chain(0))[0]!,
        id: `00000000-0000-7000-8000-00000000000${seq}`,
        enterprise_id: ids[3]!,
        seq,
        source_event_id: null,
        prev_hash: prev,
        kid: null,
      };
      const { hash: _h, ...rest } = unhashed as RecordRow;
      const row = { ...rest, hash: recordHash(rest) };
      await rt.db.insertInto('credit_records').values(row).execute();
      prev = row.hash;
    }
    await rt.db
      .insertInto('credit_chain_heads')
      .values({ enterprise_id: ids[3]!, seq: 2, hash: prev })
      .execute();
    await rt.db.transaction().execute((trx) => regradeEnterprise(trx, rt, ids[3]!, '2026-03-02'));

    let r = await verify();
    expect(r.firstBroken).toMatchObject({ enterpriseId: ids[3], seq: 1, problem: 'legacy' });
    expect(r.ok).toBe(false);

    const { checkpoint, witness } = await writeCheckpoint(rt, ALL);
    expect(checkpoint).toMatchObject({ no: 1, chains: 4, records: 2 + 2 + 1 + 2, kid: 'k1' }); // 1: + listing
    expect(witness).toContain(`root=${checkpoint.root}`);
    expect(fs.readFileSync(checkpointLogPath(rt), 'utf8').trim().split('\n')).toHaveLength(1);
    r = await verify();
    expect(r.firstBroken).toBeNull();
    expect(r.legacyRecords).toBe(2);
    expect(r).toMatchObject({ ok: true, checkpoints: { count: 1, problem: null } });
    expect(r.grades).toMatchObject({ checked: 4, first: null });
    expect(r.blacklist).toMatchObject({ checked: 1, first: null });
    expect(r.auditLog.problem).toBeNull();
    expect(r.auditLog.sealedRows).toBeGreaterThan(0);
    expect(r.auditLog.unsealedRows).toBe(0);
  });

  it('names a record changed and re-sealed with the unkeyed SHA-256 (the old attack)', async () => {
    const [first, second] = await chain(0);
    const { hash: _h, ...rest } = { ...second!, points: second!.points + 10, kid: null };
    const forged = recordHash(rest);
    await rt.db
      .updateTable('credit_records')
      .set({ points: rest.points, kid: null, hash: forged })
      .where('id', '=', second!.id)
      .execute();
    await rt.db
      .updateTable('credit_chain_heads')
      .set({ hash: forged })
      .where('enterprise_id', '=', ids[0]!)
      .execute();
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toMatchObject({
      enterpriseId: ids[0],
      seq: 2,
      recordId: second!.id,
      problem: 'legacy',
    });
    // the whole chain downgraded to the old hash: the checkpoint's pin no longer matches
    let prev = GENESIS_HASH;
    for (const row of [first!, { ...second!, points: rest.points }]) {
      const { hash: _x, ...body } = { ...row, kid: null, prev_hash: prev };
      prev = recordHash(body);
      await rt.db
        .updateTable('credit_records')
        .set({ points: body.points, kid: null, prev_hash: body.prev_hash, hash: prev })
        .where('id', '=', row.id)
        .execute();
    }
    await rt.db
      .updateTable('credit_chain_heads')
      .set({ hash: prev })
      .where('enterprise_id', '=', ids[0]!)
      .execute();
    expect((await verify()).firstBroken).toMatchObject({
      enterpriseId: ids[0],
      seq: 2,
      problem: 'checkpointMismatch',
    });
    for (const row of [first!, second!])
      await rt.db
        .updateTable('credit_records')
        .set({ points: row.points, kid: row.kid, prev_hash: row.prev_hash, hash: row.hash })
        .where('id', '=', row.id)
        .execute();
    await rt.db
      .updateTable('credit_chain_heads')
      .set({ hash: second!.hash })
      .where('enterprise_id', '=', ids[0]!)
      .execute();
    expect((await verify()).ok).toBe(true);
  });

  it('finds a whole chain deleted with its head through the checkpoint', async () => {
    const rows = await chain(2);
    const head = await rt.db
      .selectFrom('credit_chain_heads')
      .selectAll()
      .where('enterprise_id', '=', ids[2]!)
      .executeTakeFirstOrThrow();
    await rt.db.deleteFrom('credit_records').where('enterprise_id', '=', ids[2]!).execute();
    await rt.db.deleteFrom('credit_chain_heads').where('enterprise_id', '=', ids[2]!).execute();
    // without the checkpoint nothing in the database remembers the chain
    expect((await verifyChains(rt)).firstBroken?.problem).not.toBe('chainDeleted');
    const r = await verify();
    expect(r.firstBroken).toMatchObject({
      enterpriseId: ids[2],
      uscc: ents[2]!.uscc,
      problem: 'chainDeleted',
    });
    await rt.db.insertInto('credit_records').values(rows).execute();
    await rt.db.insertInto('credit_chain_heads').values(head).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('finds a published rule set altered after a checkpoint recorded it', async () => {
    const rs = await rt.db
      .selectFrom('credit_rule_sets')
      .selectAll()
      .where('status', '=', 'published')
      .executeTakeFirstOrThrow();
    const body = JSON.parse(rs.body);
    body.base += 5;
    await rt.db
      .updateTable('credit_rule_sets')
      .set({ body: JSON.stringify(body) })
      .where('id', '=', rs.id)
      .where('version', '=', rs.version)
      .execute();
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.ruleSets.first).toMatchObject({ ruleSet: `${rs.id}@${rs.version}` });
    await rt.db
      .updateTable('credit_rule_sets')
      .set({ body: rs.body })
      .where('id', '=', rs.id)
      .where('version', '=', rs.version)
      .execute();
    expect((await verify()).ruleSets).toMatchObject({ checked: 1, first: null });
  });

  it('finds a stored grade that is not the archive’s', async () => {
    const g = await rt.db
      .selectFrom('credit_grades')
      .selectAll()
      .where('enterprise_id', '=', ids[1]!)
      .executeTakeFirstOrThrow();
    expect(g.grade).toBe('D'); // the blacklist veto
    await rt.db
      .updateTable('credit_grades')
      .set({ grade: 'A', score: 100 })
      .where('enterprise_id', '=', ids[1]!)
      .execute();
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.firstBroken).toBeNull();
    expect(r.grades).toMatchObject({
      mismatches: 1,
      first: { enterpriseId: ids[1], uscc: ents[1]!.uscc, stored: { grade: 'A' }, computed: { grade: 'D' } },
    });
    await rt.db.updateTable('credit_grades').set(g).where('enterprise_id', '=', ids[1]!).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('finds a blacklist row changed or deleted', async () => {
    const row = await rt.db
      .selectFrom('credit_blacklist')
      .selectAll()
      .where('id', '=', entryId)
      .executeTakeFirstOrThrow();
    // taken off the list in place, body and all: the sealed audit log says otherwise
    const body = { ...JSON.parse(row.body), state: 'expired' };
    await rt.db
      .updateTable('credit_blacklist')
      .set({ state: 'expired', body: JSON.stringify(body) })
      .where('id', '=', entryId)
      .execute();
    let r = await verify();
    expect(r.blacklist.first).toMatchObject({ entryId, enterpriseId: ids[1], problem: 'audit' });
    // the state column alone
    await rt.db
      .updateTable('credit_blacklist')
      .set({ state: 'expired', body: row.body })
      .where('id', '=', entryId)
      .execute();
    expect((await verify()).blacklist.first).toMatchObject({ entryId, problem: 'body' });
    // the row gone: its listing record still stands
    await rt.db.deleteFrom('credit_blacklist').where('id', '=', entryId).execute();
    r = await verify();
    expect(r.blacklist.first).toMatchObject({ entryId, problem: 'rowMissing' });
    expect(r.ok).toBe(false);
    await rt.db.insertInto('credit_blacklist').values(row).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('finds an audit row changed or deleted, and a truncated tail of seals', async () => {
    const victim = await rt.db
      .selectFrom('audit_log')
      .selectAll()
      .where('resource_type', '=', 'enterprise')
      .orderBy('id')
      .limit(1)
      .executeTakeFirstOrThrow();
    await rt.db.updateTable('audit_log').set({ actor_label: 'nobody' }).where('id', '=', victim.id).execute();
    const r = await verify();
    expect(r.auditLog.problem).toMatchObject({ sealNo: 1, problem: 'rowsChanged' });
    expect(r.ok).toBe(false);
    await rt.db.deleteFrom('audit_log').where('id', '=', victim.id).execute();
    expect((await verify()).auditLog.problem).toMatchObject({ sealNo: 1, problem: 'rowsChanged' });
    await rt.db.insertInto('audit_log').values(victim).execute();
    expect((await verify()).ok).toBe(true);
    // newer rows sealed in a second seal; deleting it with its rows is caught by the checkpoint
    await createEnterprise(rt, systemActor('test'), buildEnterprise());
    const sealed = await sealAuditLog(rt, ALL);
    expect(sealed).toMatchObject({ seals: 1, last: { no: 2 } });
    await writeCheckpoint(rt, ALL);
    const seal2 = await rt.db
      .selectFrom('audit_seals')
      .selectAll()
      .where('no', '=', 2)
      .executeTakeFirstOrThrow();
    await rt.db.deleteFrom('audit_seals').where('no', '=', 2).execute();
    expect((await verifyAuditLog(rt)).problem).toBeNull(); // the database alone cannot tell
    expect((await verify()).auditLog.problem).toMatchObject({ problem: 'checkpointSeal' });
    await rt.db.insertInto('audit_seals').values(seal2).execute();
    // a forged seal (no key) is refused
    await rt.db
      .updateTable('audit_seals')
      .set({ rows: seal2.rows + 1 })
      .where('no', '=', 2)
      .execute();
    expect((await verify()).auditLog.problem).toMatchObject({ sealNo: 2, problem: 'sealMac' });
    await rt.db.updateTable('audit_seals').set({ rows: seal2.rows }).where('no', '=', 2).execute();
    expect((await verify()).ok).toBe(true);
  });

  it('verifies rows of a rotated key, and refuses a key it does not know', async () => {
    rt = withKeys([k2, k1]);
    await addManualRecord(
      rt,
      systemActor('test'),
      { id: ids[2]!, uscc: ents[2]!.uscc },
      { type: 'metrology.verification.overdue', occurredOn: '2026-02-20', details: { instrumentId: 'I3' } },
    );
    const rows = await chain(2);
    expect(rows.map((x) => x.kid)).toEqual(['k1', 'k2']);
    await writeCheckpoint(rt, ALL);
    const r = await verify();
    expect(r.ok).toBe(true);
    expect(readCheckpoints(rt)).toMatchObject({ count: 3, latest: { kid: 'k2' }, first: { kid: 'k1' } });
    // k1 dropped from the configuration: what it signed can no longer be checked
    rt = withKeys([k2]);
    expect((await verifyChains(rt)).firstBroken).toMatchObject({ problem: 'unknownKey' });
    rt = withKeys([k2, k1]);
  });

  it('refuses, with a clear conflict, a checkpoint whose number another process is writing', async () => {
    const file = checkpointLogPath(rt);
    const before = fs.readFileSync(file, 'utf8');
    const next = readCheckpoints(rt).count + 1;
    const claimed = path.join(path.dirname(file), `${String(next).padStart(6, '0')}.leaves.gz`);
    fs.writeFileSync(claimed, '');
    try {
      await expect(writeCheckpoint(rt, ALL)).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(fs.readFileSync(file, 'utf8')).toBe(before);
    } finally {
      fs.rmSync(claimed);
    }
  });

  it('finds a checkpoint line altered, and builds its Merkle root as documented', async () => {
    const file = checkpointLogPath(rt);
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.trim().split('\n');
    const altered = JSON.parse(lines[1]!);
    altered.records += 1;
    fs.writeFileSync(file, `${[lines[0], JSON.stringify(altered), ...lines.slice(2)].join('\n')}\n`);
    expect((await verify()).checkpoints.problem).toMatchObject({ no: 2, problem: 'mac' });
    fs.writeFileSync(file, text);
    const h = (b: Buffer) => createHash('sha256').update(b).digest();
    const leaf = (s: string) => h(Buffer.concat([Buffer.from([0]), Buffer.from(s)]));
    const [a, b, c] = [leaf('e1\t1\tx'), leaf('e2\t2\ty'), leaf('e3\t3\tz')];
    const one = Buffer.from([1]);
    expect(
      merkleRoot([
        { enterpriseId: 'e1', seq: 1, hash: 'x' },
        { enterpriseId: 'e2', seq: 2, hash: 'y' },
        { enterpriseId: 'e3', seq: 3, hash: 'z' },
      ]),
    ).toBe(h(Buffer.concat([one, h(Buffer.concat([one, a, b])), c])).toString('hex'));
  });
});
