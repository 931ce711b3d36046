// Resident identity number (公民身份号码), GB 11643-1999, and masking for display.
// Pure functions: "today" is a parameter so tests and back-dated checks agree.
import type { Bilingual } from './uscc.js';
import { toHalfWidth } from './uscc.js';

export type ResidentIdErrorCode = 'RID_LENGTH' | 'RID_CHARSET' | 'RID_BIRTH_DATE' | 'RID_CHECK';

export type ResidentIdResult =
  | { ok: true; value: string; birthDate: string; sex: 'male' | 'female' }
  | { ok: false; code: ResidentIdErrorCode; message: Bilingual };

// 2^(17−i) mod 11 for i = 1..17.
const WEIGHTS = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);
const CHECK_MAP = '10X98765432';
const EARLIEST_BIRTH = '1800-01-01';

/** Trim, full-width → half-width, drop inner whitespace, x → X. */
export function normalizeResidentId(input: string): string {
  return toHalfWidth(input).replace(/\s+/g, '').toUpperCase();
}

/** GB 11643 check character for the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error(`residentIdCheckChar: expected 17 digits, got "${first17}"`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_MAP[sum % 11]!;
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function fail(code: ResidentIdErrorCode, zh: string, en: string): ResidentIdResult {
  return { ok: false, code, message: { zh, en } };
}

/** Validate an 18-character resident ID as of `today` (YYYY-MM-DD, Asia/Shanghai business date). */
export function validateResidentId(input: string, { today }: { today: string }): ResidentIdResult {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today))
    throw new Error(`validateResidentId: today must be YYYY-MM-DD, got "${today}"`);
  const value = normalizeResidentId(input);
  if (value.length !== 18) {
    return fail(
      'RID_LENGTH',
      `公民身份号码应为18位，实为${value.length}位`,
      `A resident ID number has 18 characters, got ${value.length}`,
    );
  }
  const badAt = [...value].findIndex((ch, i) => !(/\d/.test(ch) || (i === 17 && ch === 'X')));
  if (badAt >= 0) {
    return fail(
      'RID_CHARSET',
      badAt === 17
        ? `第18位“${value[badAt]}”无效，应为数字或X`
        : `第${badAt + 1}位“${value[badAt]}”无效，前17位应为数字`,
      badAt === 17
        ? `Position 18 "${value[badAt]}" is invalid: expected a digit or X`
        : `Position ${badAt + 1} "${value[badAt]}" is invalid: the first 17 characters are digits`,
    );
  }
  const y = Number(value.slice(6, 10));
  const m = Number(value.slice(10, 12));
  const d = Number(value.slice(12, 14));
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    return fail(
      'RID_BIRTH_DATE',
      `第7–14位出生日期“${value.slice(6, 14)}”不是有效日期`,
      `Positions 7–14 (date of birth) "${value.slice(6, 14)}" are not a valid calendar date`,
    );
  }
  // Plain string comparison is safe: both sides are zero-padded YYYY-MM-DD.
  if (birthDate > today) {
    return fail(
      'RID_BIRTH_DATE',
      `出生日期${birthDate}晚于今天（${today}）`,
      `Date of birth ${birthDate} is after today (${today})`,
    );
  }
  if (birthDate < EARLIEST_BIRTH) {
    return fail(
      'RID_BIRTH_DATE',
      `出生日期${birthDate}早于${EARLIEST_BIRTH}`,
      `Date of birth ${birthDate} is before ${EARLIEST_BIRTH}`,
    );
  }
  const expected = residentIdCheckChar(value.slice(0, 17));
  if (value[17] !== expected) {
    return fail(
      'RID_CHECK',
      `校验码不符：按前17位计算，第18位应为${expected}，实为${value[17]}（请逐位核对）`,
      `Check character mismatch: from the first 17 digits, position 18 should be ${expected}, not ${value[17]} (check every digit)`,
    );
  }
  // Position 17 (last digit of the sequence code): odd for men, even for women.
  const sex = Number(value[16]) % 2 === 1 ? 'male' : 'female';
  return { ok: true, value, birthDate, sex };
}

/** Keep the first 4 and last 4 characters (4405**********0014); too short to keep anything → all stars. */
export function maskResidentId(id: string): string {
  const value = normalizeResidentId(id);
  if (value.length <= 8) return '*'.repeat(value.length);
  return value.slice(0, 4) + '*'.repeat(value.length - 8) + value.slice(-4);
}

/** Keep the first 3 and last 4 digits (138****5678); +86 / 0086 prefixes and separators are dropped. */
export function maskPhone(phone: string): string {
  let digits = toHalfWidth(phone).replace(/[\s\-()（）]/g, '');
  // Country code would otherwise be kept as the "first 3" and reveal nothing useful.
  digits = digits.replace(/^(\+|00)86(?=1\d{10}$)/, '');
  if (digits.length < 8) return '*'.repeat(digits.length);
  return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
}
