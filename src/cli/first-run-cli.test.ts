// The first run through the real `zhihui` command in a child process: where the database lives by
// default (var/, never data/), what happens when an old data/zhihui.db is found, the demo accounts
// that `seed --scale demo` creates, and the accounts the `serve` banner prints.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin', 'zhihui.js');

/** The environment of a user who has set nothing: no DATABASE_URL, no ZHIHUI_STATE_DIR. */
function cleanEnv(extra: Record<string, string> = {}) {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  delete env.ZHIHUI_STATE_DIR;
  return { ...env, ...extra };
}

const run = (cwd: string, ...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });

/**
 * Starts `serve` on a free port, waits for the banner, runs `whileUp` against the running server,
 * stops it and resolves with its output.
 */
function serveBanner(
  cwd: string,
  args: string[],
  whileUp: (baseUrl: string) => Promise<void> = async () => {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', ...args], {
      cwd,
      env: cleanEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' }),
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner within 60 s:\n${out}`));
    }, 60_000);
    const onData = (b: Buffer) => {
      out += b.toString('utf8');
      // the banner ends with the accounts block, followed by an empty line
      if (
        /is running[\s\S]*(Accounts[^\n]*\n( {2}.*\n)+\n|No account yet[\s\S]*seed --scale demo.*\n)/.test(
          out,
        )
      ) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stderr!.off('data', onData);
        child.once('exit', () => resolve(out));
        const port = /Web:\s+http:\/\/localhost:(\d+)\//.exec(out)?.[1];
        whileUp(`http://127.0.0.1:${port}`).then(
          () => child.kill('SIGTERM'),
          (err) => {
            child.kill('SIGTERM');
            reject(err);
          },
        );
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!/is running/.test(out)) reject(new Error(`serve exited (${code}) before its banner:\n${out}`));
    });
  });
}

describe('first run (CLI)', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'zhihui-first-run-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps the database in var/, apart from the shipped data/', () => {
    const dir = tempDir();
    const r = run(dir, 'migrate');
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'var', 'zhihui.db'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it('refuses to start an empty city beside an old data/zhihui.db, and says what to do', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, 'data'));
    new SQLite(path.join(dir, 'data', 'zhihui.db')).exec('create table kept (x)').close();
    const r = run(dir, 'migrate');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('data/zhihui.db');
    expect(r.stderr).toContain('mv data/zhihui.db* var/');
    expect(r.stderr).toContain('DATABASE_URL=sqlite:data/zhihui.db');
    expect(fs.existsSync(path.join(dir, 'var', 'zhihui.db'))).toBe(false);
    // once moved as the message says, the old city is the one opened
    fs.mkdirSync(path.join(dir, 'var'));
    fs.renameSync(path.join(dir, 'data', 'zhihui.db'), path.join(dir, 'var', 'zhihui.db'));
    expect(run(dir, 'migrate').status).toBe(0);
    const db = new SQLite(path.join(dir, 'var', 'zhihui.db'));
    expect(db.prepare(`select name from sqlite_master where name = 'kept'`).get()).toBeTruthy();
    db.close();
  });

  it('prints how to add an account when there is none', async () => {
    const dir = tempDir();
    const out = await serveBanner(dir, ['--no-demo']);
    expect(out).toContain('No account yet');
    expect(out).toContain('npx zhihui users add --username admin --role admin');
    expect(out).not.toContain('Zhihui@2026');
  }, 90_000);

  describe('migrate, seed --scale demo, serve', () => {
    let dir: string;
    beforeAll(() => {
      dir = tempDir();
      expect(run(dir, 'migrate').status).toBe(0);
      const seeded = run(dir, 'seed', '--scale', 'demo');
      expect(seeded.status, seeded.stderr).toBe(0);
    }, 150_000);

    it('creates the demo accounts with the demo city, once', () => {
      const again = run(dir, 'seed', '--scale', 'demo');
      expect(again.status, again.stderr).toBe(0);
      const db = new SQLite(path.join(dir, 'var', 'zhihui.db'), { readonly: true });
      const users = db.prepare('select username, role, town_code, enterprise_id from users').all() as {
        username: string;
        role: string;
        town_code: string | null;
        enterprise_id: string | null;
      }[];
      db.close();
      // the demo accounts, and the sampling seed's inspectors (insp-…, passwords nobody knows)
      expect(
        users
          .map((u) => u.username)
          .filter((u) => !u.startsWith('insp-'))
          .sort(),
      ).toEqual(['admin', 'changan', 'enterprise', 'lab', 'maintenance', 'regulator'].sort());
      expect(users.find((u) => u.username === 'changan')?.town_code).toBeTruthy();
      for (const name of ['enterprise', 'lab', 'maintenance'])
        expect(users.find((u) => u.username === name)?.enterprise_id).toBeTruthy();
    });

    it('the serve banner lists them with the demo password, and they can sign in', async () => {
      const signIns: number[] = [];
      const out = await serveBanner(dir, ['--no-demo'], async (base) => {
        for (const username of ['admin', 'changan']) {
          const res = await fetch(`${base}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username, password: 'Zhihui@2026' }),
          });
          signIns.push(res.status);
        }
      });
      expect(signIns).toEqual([200, 200]);
      expect(out).toMatch(/Accounts \(演示账号密码 demo password: Zhihui@2026\)/);
      for (const name of ['admin', 'regulator', 'changan', 'enterprise', 'lab', 'maintenance'])
        expect(out).toMatch(new RegExp(`^  ${name} +\\w+`, 'm'));
      expect(out).not.toContain('No account yet');
    }, 90_000);
  });
});
