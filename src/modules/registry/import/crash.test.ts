// Killing the process in the middle of a large import and importing again yields exactly the
// file's content: no duplicates, no half batch. The import runs in a child process on a SQLite
// file database; the test kills it with SIGKILL as soon as the first batch has committed.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.js';
import { systemActor } from '../../../platform/context.js';
import { createRuntime } from '../../../runtime.js';
import { makeUscc } from '../uscc.js';
import { CSV_BOM, csvLine } from './export.js';
import { importEnterprises } from './import.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../../..');
const ROWS = 20_000;
const BATCH = 1000;
const TOWNS = ['长安镇', '虎门镇', '厚街镇', '塘厦镇', '常平镇', '松山湖'];

const checksum = (pairs: { uscc: string; name: string }[]) =>
  createHash('sha256')
    .update(
      pairs
        .map((p) => `${p.uscc}\t${p.name}`)
        .sort()
        .join('\n'),
    )
    .digest('hex');

describe('an import killed midway [sqlite file]', () => {
  let dir: string;
  let dbFile: string;
  let csvFile: string;
  const expected: { uscc: string; name: string }[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-crash-'));
    dbFile = path.join(dir, 'zhihui.db');
    csvFile = path.join(dir, 'enterprises.csv');
    let text =
      CSV_BOM +
      csvLine([
        '统一社会信用代码',
        '企业名称',
        '法定代表人',
        '注册地址',
        '所属镇街',
        '行业代码',
        '成立日期',
        '状态',
      ]);
    for (let i = 0; i < ROWS; i++) {
      const uscc = makeUscc({
        authority: '9',
        entityType: '1',
        division: '441900',
        orgCodeBody8: `K${String(i).padStart(7, '0')}`,
      });
      const name = `东莞市崩溃测试${i}号"精密",五金有限公司`;
      expected.push({ uscc, name });
      text += csvLine([
        uscc,
        name,
        `陈${i % 89}`,
        `广东省东莞市\n测试路${i}号`,
        TOWNS[i % TOWNS.length]!,
        `C33${i % 10}`,
        `2010-01-${String((i % 28) + 1).padStart(2, '0')}`,
        '存续',
      ]);
    }
    fs.writeFileSync(csvFile, text);
    // migrate once up front, so the child only imports
    const rt = await createRuntime(loadConfig({ DATABASE_URL: `sqlite:${dbFile}` }));
    await rt.close();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('leaves whole batches only, and a second import completes the file exactly', async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(HERE, 'fixtures', 'crash-child.ts'), dbFile, csvFile, String(BATCH)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );

    // Poll the database from this process; kill the child once the first batch is in.
    const reader = new SQLite(dbFile, { readonly: true, fileMustExist: true });
    const countNow = () => (reader.prepare('select count(*) as n from enterprises').get() as { n: number }).n;
    let seen = 0;
    const deadline = Date.now() + 60_000;
    while (seen < BATCH && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 2));
      seen = countNow();
    }
    // …at a varying moment: between batches or in the middle of one (the file takes ~1 s)
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 250)));
    child.kill('SIGKILL');
    const exit = await exited;
    expect(exit.signal, `child ended on its own: ${stderr || stdout}`).toBe('SIGKILL');
    expect(stdout).not.toContain('finished');

    const afterKill = countNow();
    const audit = (reader.prepare('select count(*) as n from audit_log').get() as { n: number }).n;
    const events = (reader.prepare('select count(*) as n from outbox_events').get() as { n: number }).n;
    reader.close();
    expect(afterKill).toBeGreaterThanOrEqual(BATCH);
    expect(afterKill).toBeLessThan(ROWS);
    expect(afterKill % BATCH).toBe(0); // whole batches only
    expect(audit).toBe(afterKill); // rows, audit and events committed together
    expect(events).toBe(afterKill);

    // Import the same file again, in this process.
    const rt = await createRuntime(loadConfig({ DATABASE_URL: `sqlite:${dbFile}` }));
    try {
      const report = await importEnterprises({
        ctx: rt,
        actor: systemActor('test'),
        source: csvFile,
        batchSize: BATCH,
      });
      expect(report).toMatchObject({
        total: ROWS,
        imported: ROWS - afterKill,
        updated: 0,
        unchanged: afterKill,
        rejected: [],
      });
      const rows = await rt.db.selectFrom('enterprises').select(['uscc', 'name']).execute();
      expect(rows).toHaveLength(ROWS);
      expect(new Set(rows.map((r) => r.uscc)).size).toBe(ROWS);
      expect(checksum(rows)).toBe(checksum(expected));
      const again = await importEnterprises({
        ctx: rt,
        actor: systemActor('test'),
        source: csvFile,
        batchSize: BATCH,
      });
      expect(again).toMatchObject({ imported: 0, updated: 0, unchanged: ROWS });
    } finally {
      await rt.close();
    }
  }, 120_000);
});
