// Password hashing (argon2id, OWASP parameters) and the password rules every new password obeys.
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hash, verify } from '@node-rs/argon2';
import { AppError, type FieldError } from '../../core/errors.js';
import { DATA_DIR } from '../../core/tsv.js';

/** OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1. */
export const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (an ambient const enum: not importable under isolatedModules)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 10;
/** Upper bound so nobody can make the server hash megabytes. */
export const PASSWORD_MAX_LENGTH = 128;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** True when `password` matches `passwordHash`; false for a wrong password or a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;
/**
 * Verifies against a fixed hash with the same parameters and returns false, so a login for an
 * unknown username takes as long as one for a known username with a wrong password.
 */
export async function verifyDummy(password: string): Promise<false> {
  dummy ??= hashPassword('zhihui-dummy-password-never-valid');
  await verifyPassword(await dummy, password);
  return false;
}

/** The character classes counted by the rules: an upper- or lower-case letter, a digit, anything else. */
export function passwordClasses(password: string) {
  return {
    upper: /\p{Lu}/u.test(password),
    lower: /\p{Ll}/u.test(password),
    digit: /\p{Nd}/u.test(password),
    // Punctuation, spaces, and letters without case (e.g. Chinese characters) count as symbols.
    symbol: /[^\p{Lu}\p{Ll}\p{Nd}]/u.test(password),
  };
}

function readList(file: string): Set<string> {
  const text = fs.readFileSync(path.join(DATA_DIR, 'auth', file), 'utf8');
  const entries = text
    .split(/\r?\n/)
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l && !l.startsWith('#'));
  return new Set(entries);
}

let lists: { published: Set<string>; common: Set<string> } | null = null;
const passwordLists = () => {
  lists ??= { published: readList('published-passwords.txt'), common: readList('common-passwords.txt') };
  return lists;
};

const LEET: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '0': 'o',
  '1': 'i',
  '3': 'e',
  $: 's',
  '5': 's',
  '7': 't',
  '!': 'i',
};

/**
 * Whether a password is one an attacker tries first: 'published' (printed by this project, e.g.
 * the demo password), 'common' (data/auth/common-passwords.txt: the whole password, or its core
 * without leading and trailing digits and symbols, or that core with the usual substitutions
 * undone), else null. Case-insensitive.
 */
export function knownPasswordKind(password: string): 'published' | 'common' | null {
  const { published, common } = passwordLists();
  const lower = password.trim().toLowerCase();
  if (published.has(lower)) return 'published';
  if (common.has(lower)) return 'common';
  const trimmed = lower.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
  if (common.has(trimmed)) return 'common';
  const core = lower.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if ([...core].length >= 4) {
    if (common.has(core)) return 'common';
    const unleet = [...core].map((c) => LEET[c] ?? c).join('');
    if (common.has(unleet)) return 'common';
  }
  return null;
}

export type PasswordRuleOptions = {
  /** The demo seed may set a published password (the account is then flagged outside the demo). */
  allowPublished?: boolean;
};

/**
 * The password rules: at least 10 characters (at most 128), at least 3 of the 4 classes, not the
 * username, and not a published or common password. Returns every rule broken, as field errors on
 * `field`.
 */
export function passwordProblems(
  password: string,
  username: string,
  field = 'password',
  options: PasswordRuleOptions = {},
): FieldError[] {
  const problems: FieldError[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    problems.push({
      field,
      code: 'PASSWORD_TOO_SHORT',
      message: {
        zh: `密码至少需要 ${PASSWORD_MIN_LENGTH} 个字符`,
        en: `The password must have at least ${PASSWORD_MIN_LENGTH} characters`,
      },
    });
  }
  if (length > PASSWORD_MAX_LENGTH) {
    problems.push({
      field,
      code: 'PASSWORD_TOO_LONG',
      message: {
        zh: `密码不能超过 ${PASSWORD_MAX_LENGTH} 个字符`,
        en: `The password must have at most ${PASSWORD_MAX_LENGTH} characters`,
      },
    });
  }
  const classes = Object.values(passwordClasses(password)).filter(Boolean).length;
  if (classes < 3) {
    problems.push({
      field,
      code: 'PASSWORD_TOO_WEAK',
      message: {
        zh: '密码须包含大写字母、小写字母、数字、符号中的至少三类',
        en: 'The password must contain at least 3 of: upper-case letters, lower-case letters, digits, symbols',
      },
    });
  }
  if (username && password.trim().toLowerCase() === username.trim().toLowerCase()) {
    problems.push({
      field,
      code: 'PASSWORD_IS_USERNAME',
      message: { zh: '密码不能与用户名相同', en: 'The password must not be the username' },
    });
  }
  const known = knownPasswordKind(password);
  if (known === 'common' || (known === 'published' && !options.allowPublished)) {
    problems.push({
      field,
      code: 'PASSWORD_COMMON',
      message: {
        zh: '该密码过于常见或已公开（如演示密码），很容易被猜中，请换一个',
        en: 'This password is common or published (like the demo password) and easy to guess: choose another',
      },
    });
  }
  return problems;
}

/** Throws VALIDATION_FAILED (field `password` unless told) when the password breaks a rule. */
export function assertPasswordAcceptable(password: string, username: string, field = 'password'): void {
  const problems = passwordProblems(password, username, field);
  if (problems.length > 0) {
    throw new AppError('VALIDATION_FAILED', { fields: problems, message: problems[0]!.message });
  }
}

/** Letters and digits that cannot be misread for one another (no I, l, 1, O, 0). */
const GENERATED_ALPHABET = {
  upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  lower: 'abcdefghijkmnpqrstuvwxyz',
  digit: '23456789',
  symbol: '-_.@#%+=',
} as const;
export const GENERATED_PASSWORD_LENGTH = 16;

/**
 * A password made by the server for an administrator to hand over (a new account or a reset):
 * 16 characters from a CSPRNG, every class present, no look-alike characters, and checked
 * against the same rules as a typed one. Its owner must replace it at the first sign-in.
 */
export function generatePassword(username = ''): string {
  const all = Object.values(GENERATED_ALPHABET).join('');
  for (;;) {
    // One of each class, then the rest from the whole alphabet, shuffled (Fisher–Yates).
    const chars = Object.values(GENERATED_ALPHABET).map((set) => set[randomInt(set.length)]!);
    while (chars.length < GENERATED_PASSWORD_LENGTH) chars.push(all[randomInt(all.length)]!);
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    }
    const password = chars.join('');
    if (passwordProblems(password, username).length === 0) return password;
  }
}
