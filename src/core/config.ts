// The one place configuration is read. Every setting is typed, validated and documented here;
// nothing else in the code base reads process.env.
import path from 'node:path';

export type DatabaseConfig =
  | { dialect: 'sqlite'; file: string; url: string }
  | { dialect: 'postgres'; connectionString: string; url: string };

export type Config = {
  /** DATABASE_URL: `sqlite:./var/zhihui.db` (default: zhihui.db in ZHIHUI_STATE_DIR) or
   *  `postgres://user:pass@host:5432/db`. */
  database: DatabaseConfig;
  /** PORT: HTTP port (default 3000). */
  port: number;
  /** HOST: interface to bind (default 0.0.0.0). */
  host: string;
  /** LOG_LEVEL: fatal | error | warn | info | debug | trace | silent (default info). */
  logLevel: string;
  /** SESSION_IDLE_MINUTES: a session unused this long expires (default 30). */
  sessionIdleMinutes: number;
  /** SESSION_ABSOLUTE_HOURS: a session expires this long after login, used or not (default 12). */
  sessionAbsoluteHours: number;
  /** LOGIN_MAX_FAILURES: failed sign-ins to one account from one address before that pair must
   *  wait between attempts (default 5). Accounts are never locked (platform/auth/throttle.ts). */
  loginMaxFailures: number;
  /** LOGIN_LOCK_MINUTES: the longest wait of the back-off (2, 4, 8 … seconds), in minutes (default 15). */
  loginLockMinutes: number;
  /** LOGIN_ACCOUNT_FAILURES: failed sign-ins to one account from all addresses within an hour after
   *  which every address gets a single free failure before its back-off (default 20). */
  loginAccountFailures: number;
  /** COOKIE_SECURE: set the Secure flag on the session cookie (default: true when PUBLIC_BASE_URL
   *  is https, else false). */
  cookieSecure: boolean;
  /** DEMO: a demonstration deployment (default false; `npm start` sets it). Outside the demo, an
   *  account whose password is published (the demo password) or common must change it at sign-in. */
  demo: boolean;
  /** UPLOAD_MAX_MB: largest accepted upload (default 20). */
  uploadMaxMb: number;
  /** BODY_MAX_KB: largest accepted JSON body (default 512). */
  bodyMaxKb: number;
  /** IMPORT_MAX_ROWS: data rows one imported file may hold, CSV or XLSX (default 200,000 — the
   *  city's register); a longer file is refused whole (413 IMPORT_LIMIT_EXCEEDED), nothing written. */
  importMaxRows: number;
  /** IMPORT_MAX_COLUMNS: columns holding a value in an imported file (default 200). */
  importMaxColumns: number;
  /** IMPORT_MAX_CELL_CHARS: characters in one cell of an imported file (default 32,767, Excel's own). */
  importMaxCellChars: number;
  /** IMPORT_MAX_UNCOMPRESSED_MB: what an .xlsx may inflate to — the parts read plus the shared text
   *  its cells repeat — whatever its zip layout (default 200). */
  importMaxUncompressedMb: number;
  /** IMPORT_REPORT_MAX_REJECTIONS: rejected rows an import report lists in full (the first, by
   *  line); the others are counted by code (default 1,000). */
  importReportMaxRejections: number;
  /** TRUST_PROXY: addresses of reverse proxies whose X-Forwarded-For is believed, comma-separated
   *  (e.g. `127.0.0.1,10.0.0.0/8`); empty (default) trusts none, so clients cannot fake their IP
   *  to dodge the login rate limit. */
  trustProxy: string[];
  /** CHROMIUM_PATH: the browser that renders PDF credit reports (default /usr/bin/chromium). */
  chromiumPath: string;
  /** PUBLIC_BASE_URL: the portal's address printed in report QR codes (default http://localhost:PORT). */
  publicBaseUrl: string;
  /** TZ_BUSINESS: the time zone business dates are reckoned in (fixed: Asia/Shanghai). */
  businessTimeZone: 'Asia/Shanghai';
  /** ZHIHUI_STATE_DIR: where runtime state lives — the default SQLite file, keys, checkpoints,
   *  uploads (default ./var). Never data/, which holds the reference data the product ships. */
  stateDir: string;
  /** AUDIT_KEYS: HMAC keys of the credit archive, audit seals and checkpoints, as
   *  `kid:base64key,…` (each key ≥ 32 bytes); the first signs, the others only verify (rotation).
   *  Empty (default): a key file `<stateDir>/audit-keys` is created (mode 0600) on first use —
   *  fine for the demo, production configures its own (docs/SECURITY.md). */
  auditKeys: { kid: string; key: Buffer }[];
};

export class ConfigError extends Error {}

export function parseDatabaseUrl(raw: string, cwd = process.cwd()): DatabaseConfig {
  const url = raw.trim();
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { dialect: 'postgres', connectionString: url, url };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!file) throw new ConfigError('DATABASE_URL sqlite: needs a file path, e.g. sqlite:./var/zhihui.db');
    return { dialect: 'sqlite', file: file === ':memory:' ? file : path.resolve(cwd, file), url };
  }
  throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres:// (got "${url}")`);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return n;
}

/** `kid:base64key,…` → keys; a kid is 1–32 of A-Z a-z 0-9 . _ -, a key at least 32 bytes. */
export function parseAuditKeys(raw: string | undefined): { kid: string; key: Buffer }[] {
  const keys: { kid: string; key: Buffer }[] = [];
  for (const part of (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf(':');
    const kid = part.slice(0, i);
    const key = Buffer.from(part.slice(i + 1), 'base64');
    if (i < 1 || !/^[A-Za-z0-9._-]{1,32}$/.test(kid) || key.length < 32)
      throw new ConfigError(
        `AUDIT_KEYS must be kid:base64key,… with keys of at least 32 bytes (openssl rand -base64 32); bad entry "${kid || part.slice(0, 8)}…"`,
      );
    if (keys.some((k) => k.kid === kid)) throw new ConfigError(`AUDIT_KEYS names key id "${kid}" twice`);
    keys.push({ kid, key });
  }
  return keys;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}")`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel))
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    database: parseDatabaseUrl(
      env.DATABASE_URL || `sqlite:${path.join(path.resolve(env.ZHIHUI_STATE_DIR || './var'), 'zhihui.db')}`,
    ),
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    logLevel,
    sessionIdleMinutes: int(env, 'SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    sessionAbsoluteHours: int(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 30),
    loginMaxFailures: int(env, 'LOGIN_MAX_FAILURES', 5, 1, 100),
    loginLockMinutes: int(env, 'LOGIN_LOCK_MINUTES', 15, 1, 24 * 60),
    loginAccountFailures: int(env, 'LOGIN_ACCOUNT_FAILURES', 20, 1, 10_000),
    cookieSecure: bool(env, 'COOKIE_SECURE', /^https:/i.test(env.PUBLIC_BASE_URL ?? '')),
    demo: bool(env, 'DEMO', false),
    uploadMaxMb: int(env, 'UPLOAD_MAX_MB', 20, 1, 1024),
    bodyMaxKb: int(env, 'BODY_MAX_KB', 512, 1, 100 * 1024),
    importMaxRows: int(env, 'IMPORT_MAX_ROWS', 200_000, 1, 10_000_000),
    importMaxColumns: int(env, 'IMPORT_MAX_COLUMNS', 200, 10, 16_384),
    importMaxCellChars: int(env, 'IMPORT_MAX_CELL_CHARS', 32_767, 100, 1_000_000),
    importMaxUncompressedMb: int(env, 'IMPORT_MAX_UNCOMPRESSED_MB', 200, 1, 4096),
    importReportMaxRejections: int(env, 'IMPORT_REPORT_MAX_REJECTIONS', 1_000, 0, 1_000_000),
    trustProxy: (env.TRUST_PROXY ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    chromiumPath: env.CHROMIUM_PATH || '/usr/bin/chromium',
    publicBaseUrl: (env.PUBLIC_BASE_URL || `http://localhost:${int(env, 'PORT', 3000, 0, 65535)}`).replace(
      /\/+$/,
      '',
    ),
    businessTimeZone: 'Asia/Shanghai',
    stateDir: path.resolve(env.ZHIHUI_STATE_DIR || './var'),
    auditKeys: parseAuditKeys(env.AUDIT_KEYS),
  };
}
