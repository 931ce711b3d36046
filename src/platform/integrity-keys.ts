// The HMAC keys that make the credit archive, the audit seals and the checkpoints tamper-evident to
// someone who holds only the database: the keys live outside it. AUDIT_KEYS (config) names them,
// the first signs and the others verify (rotation); without it, a key file under the state
// directory is created on first use (mode 0600) for the embedded/demo setup. Each signed row
// stores the id of its key, so a rotated key still verifies what it signed.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../core/config.js';
import { parseAuditKeys } from '../core/config.js';

export type Keyring = {
  /** The key new rows are signed with. */
  signer: { kid: string; key: Buffer };
  /** The key of an id, to verify what it signed; undefined when unknown. */
  key: (kid: string) => Buffer | undefined;
  /** Where the keys came from: AUDIT_KEYS, or the generated file (demo). */
  source: 'config' | 'file';
  file: string | null;
};

export const KEY_FILE = 'audit-keys';

const cache = new Map<string, Keyring>();

function ring(keys: { kid: string; key: Buffer }[], source: Keyring['source'], file: string | null): Keyring {
  const byId = new Map(keys.map((k) => [k.kid, k.key]));
  return { signer: keys[0]!, key: (kid) => byId.get(kid), source, file };
}

/**
 * The keyring of a configuration: AUDIT_KEYS when set, else `<stateDir>/audit-keys` (one
 * `kid:base64key` a line, the first signs), created with a fresh random key on first use.
 * Read once per process and configuration.
 */
export function keyring(config: Pick<Config, 'auditKeys' | 'stateDir'>): Keyring {
  // Once per configuration object: appendRecord asks for every record.
  const known = byConfig.get(config);
  if (known) return known;
  const k = loadKeyring(config);
  byConfig.set(config, k);
  return k;
}

const byConfig = new WeakMap<object, Keyring>();

function loadKeyring(config: Pick<Config, 'auditKeys' | 'stateDir'>): Keyring {
  if (config.auditKeys.length > 0) {
    const id = `config:${config.auditKeys.map((k) => `${k.kid}:${k.key.toString('base64')}`).join(',')}`;
    let k = cache.get(id);
    if (!k) {
      k = ring(config.auditKeys, 'config', null);
      cache.set(id, k);
    }
    return k;
  }
  const file = path.join(config.stateDir, KEY_FILE);
  const cached = cache.get(`file:${file}`);
  if (cached) return cached;
  if (!fs.existsSync(file)) {
    // Written aside, then linked into place: two processes starting at once agree on one key.
    fs.mkdirSync(config.stateDir, { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const kid = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    fs.writeFileSync(tmp, `${kid}:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const keys = parseAuditKeys(
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .join(','),
  );
  if (keys.length === 0) throw new Error(`${file} holds no key`);
  const k = ring(keys, 'file', file);
  cache.set(`file:${file}`, k);
  return k;
}

export const hmacHex = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest('hex');

/** Constant-time comparison of two hex digests. */
export function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
