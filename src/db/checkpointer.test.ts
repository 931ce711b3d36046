// The write-ahead log is copied back into the database by the checkpointer's worker, not by the
// commit of whichever request came next: with the writer's own automatic checkpoint off, the log's
// pages still reach the database file once it passes the threshold, and a database nobody writes
// starts no worker.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKPOINT_BYTES, type Checkpointer, startCheckpointer } from './checkpointer.js';
import { openDatabase } from './connect.js';

const dirs: string[] = [];
const opened: { close: () => unknown }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function writer() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-ckpt-'));
  dirs.push(dir);
  const file = path.join(dir, 'c.db');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0'); // only the checkpointer copies the log back
  db.exec('create table t (id integer primary key, body text)');
  opened.push(db);
  return { file, db };
}

/** Commits about `bytes` of rows, one transaction per 64 KiB, as requests would. */
function fill(db: SQLite.Database, bytes: number) {
  const insert = db.prepare('insert into t (body) values (?)');
  const row = 'x'.repeat(4000);
  for (let done = 0; done < bytes; done += 64 * 1024)
    db.transaction(() => {
      for (let i = 0; i < 16; i++) insert.run(row);
    })();
}

const waitFor = async (ok: () => boolean, ms = 10_000) => {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('WAL checkpointer', () => {
  it('copies the log into the database file once it passes the threshold, off the writer', async () => {
    const { file, db } = writer();
    const ck: Checkpointer = startCheckpointer(file, { intervalMs: 20 });
    opened.push(ck);
    const before = fs.statSync(file).size;
    fill(db, CHECKPOINT_BYTES + 512 * 1024);
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThanOrEqual(CHECKPOINT_BYTES);
    // nobody on this thread checkpoints: the database file grows only by the worker's hand
    await waitFor(() => fs.statSync(file).size > before + CHECKPOINT_BYTES);
    const r = await ck.checkpoint();
    expect(r).not.toHaveProperty('error');
    if (!('error' in r)) expect(r.checkpointed).toBe(r.log);
    // and the rows are all there, read through a fresh connection
    const reader = new SQLite(file, { readonly: true });
    opened.push(reader);
    expect((reader.prepare('select count(*) as n from t').get() as { n: number }).n).toBeGreaterThan(1000);
  });

  it('leaves a small log alone and stops cleanly, however often it is closed', async () => {
    const { file, db } = writer();
    const ck = startCheckpointer(file, { intervalMs: 20 });
    fill(db, 256 * 1024);
    const size = fs.statSync(file).size;
    await new Promise((r) => setTimeout(r, 150));
    expect(fs.statSync(file).size).toBe(size);
    await ck.close();
    await ck.close();
    expect(await ck.checkpoint()).toEqual({ error: 'closed' });
  });

  it('runs with every file database the product opens, which still closes at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-ckpt-'));
    dirs.push(dir);
    const file = path.join(dir, 'app.db');
    const handle = openDatabase({ dialect: 'sqlite', file, url: `sqlite:${file}` });
    const pages = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(handle.db);
    expect(pages.rows[0]!.wal_autocheckpoint).toBeGreaterThan(1000);
    const t = Date.now();
    await handle.close();
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('lets a command finish after closing the database: the process does not end under close()', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-ckpt-'));
    dirs.push(dir);
    const here = path.dirname(fileURLToPath(import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(here, 'fixtures', 'checkpoint-child.ts'), path.join(dir, 'child.db')],
      { cwd: path.resolve(here, '../..'), timeout: 60_000 },
    );
    expect(stdout.trim().split('\n')).toEqual(['checkpointed', 'closed']);
  });
});
