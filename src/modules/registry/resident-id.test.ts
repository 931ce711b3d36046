import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  maskPhone,
  maskResidentId,
  normalizeResidentId,
  residentIdCheckChar,
  validateResidentId,
} from './resident-id.js';

const TODAY = { today: '2025-06-30' };

const rows = readFileSync(new URL('../../../data/reference/resident_id_samples.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .slice(1)
  .map((line) => {
    const [id, source, expectedValid, checksumOk, expectedCheck] = line.split('\t');
    return {
      id: id!,
      source: source!,
      expectedValid: expectedValid!,
      checksumOk: checksumOk!,
      expectedCheck: expectedCheck!,
    };
  });

function makeId(first17: string): string {
  return first17 + residentIdCheckChar(first17);
}

describe('reference rows', () => {
  it('has every row', () => {
    expect(rows).toHaveLength(8);
  });

  it.each(rows)('$id ($source)', ({ id, expectedValid, checksumOk, expectedCheck }) => {
    expect(validateResidentId(id, TODAY).ok).toBe(expectedValid === 'yes');
    expect(residentIdCheckChar(id.slice(0, 17))).toBe(expectedCheck);
    expect(residentIdCheckChar(id.slice(0, 17)) === id[17]).toBe(checksumOk === 'yes');
  });

  it("reads the standard's worked examples", () => {
    expect(validateResidentId('11010519491231002X', TODAY)).toEqual({
      ok: true,
      value: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'female',
    });
    expect(validateResidentId('440524188001010014', TODAY)).toEqual({
      ok: true,
      value: '440524188001010014',
      birthDate: '1880-01-01',
      sex: 'male',
    });
  });

  it('classifies the invalid rows', () => {
    expect(validateResidentId('360426199101010072', TODAY)).toMatchObject({ ok: false, code: 'RID_CHECK' });
    expect(validateResidentId('36042619910102009X', TODAY)).toMatchObject({ ok: false, code: 'RID_CHECK' });
    expect(validateResidentId('360426199113010079', TODAY)).toMatchObject({
      ok: false,
      code: 'RID_BIRTH_DATE',
    });
  });
});

describe('normalisation', () => {
  it('accepts lower-case x, full-width digits and spaces', () => {
    expect(validateResidentId('44011320141005001x', TODAY)).toMatchObject({
      ok: true,
      value: '44011320141005001X',
    });
    expect(validateResidentId('４４０５２４１８８００１０１００１４', TODAY)).toMatchObject({
      ok: true,
      value: '440524188001010014',
    });
    expect(validateResidentId(' 440524 18800101 0014\u3000', TODAY).ok).toBe(true);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        (s) => normalizeResidentId(normalizeResidentId(s)) === normalizeResidentId(s),
      ),
    );
  });
});

describe('errors', () => {
  it.each([
    ['', 'RID_LENGTH'],
    ['44052418800101001', 'RID_LENGTH'],
    ['440524800101001', 'RID_LENGTH'], // 15-digit first-generation numbers are not accepted
    ['4405241880010100144', 'RID_LENGTH'],
    ['44052418800101001A', 'RID_CHARSET'],
    ['4405241880X101001X', 'RID_CHARSET'],
    ['44052418800100001X', 'RID_BIRTH_DATE'], // day 00
    ['440524188002300014', 'RID_BIRTH_DATE'], // 30 February
    ['440524188004310014', 'RID_BIRTH_DATE'], // 31 April
    ['440524188001010015', 'RID_CHECK'],
  ])('%s → %s', (id, code) => {
    const result = validateResidentId(id, TODAY);
    expect(result).toMatchObject({ ok: false, code });
    expect(!result.ok && result.message.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(!result.ok && result.message.en).toBeTruthy();
  });

  it('names the expected check character', () => {
    const result = validateResidentId('440524188001010015', TODAY);
    expect(!result.ok && result.message.zh).toContain('第18位应为4，实为5');
    expect(!result.ok && result.message.en).toContain('position 18 should be 4, not 5');
  });

  it('names the offending position', () => {
    const result = validateResidentId('44052418800101001A', TODAY);
    expect(!result.ok && result.message.zh).toBe('第18位“A”无效，应为数字或X');
  });

  it('rejects a malformed today', () => {
    expect(() => validateResidentId('440524188001010014', { today: '2025/06/30' })).toThrow(/YYYY-MM-DD/);
  });
});

describe('birth date edges', () => {
  it.each([
    ['19000229', false], // 1900 is divisible by 100, not 400
    ['20000229', true], // 2000 is divisible by 400
    ['20240229', true],
    ['20230229', false],
    ['20241231', true],
    ['20241232', false],
    ['20241301', false],
  ])('%s valid: %s', (date, valid) => {
    const result = validateResidentId(makeId(`441900${date}123`), { today: '2025-06-30' });
    expect(result.ok).toBe(valid);
    if (!valid) expect(result).toMatchObject({ code: 'RID_BIRTH_DATE' });
  });

  it('accepts a birth today and rejects tomorrow', () => {
    expect(validateResidentId(makeId('44190020250630123'), TODAY).ok).toBe(true);
    expect(validateResidentId(makeId('44190020250701123'), TODAY)).toMatchObject({
      ok: false,
      code: 'RID_BIRTH_DATE',
      message: { zh: '出生日期2025-07-01晚于今天（2025-06-30）' },
    });
  });

  it('accepts 1800-01-01 and rejects 1799-12-31', () => {
    expect(validateResidentId(makeId('44190018000101123'), TODAY).ok).toBe(true);
    expect(validateResidentId(makeId('44190017991231123'), TODAY)).toMatchObject({
      ok: false,
      code: 'RID_BIRTH_DATE',
    });
  });

  it('uses only the given today, never the clock', () => {
    const id = makeId('44190020300101123');
    expect(validateResidentId(id, { today: '2029-12-31' }).ok).toBe(false);
    expect(validateResidentId(id, { today: '2030-01-01' }).ok).toBe(true);
  });
});

// Valid IDs: any division, a real calendar date between 1800-01-01 and TODAY, any sequence.
const validId = fc
  .record({
    division: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 6, maxLength: 6 }),
    birth: fc.date({
      min: new Date('1800-01-01T00:00:00Z'),
      max: new Date('2025-06-30T00:00:00Z'),
      noInvalidDate: true,
    }),
    seq: fc.integer({ min: 0, max: 999 }),
  })
  .map(({ division, birth, seq }) => ({
    id: makeId(
      division + birth.toISOString().slice(0, 10).replaceAll('-', '') + String(seq).padStart(3, '0'),
    ),
    birthDate: birth.toISOString().slice(0, 10),
    sex: seq % 2 === 1 ? 'male' : 'female',
  }));

describe('properties', () => {
  it('every well-formed ID validates, with its birth date and sex', () => {
    fc.assert(
      fc.property(validId, ({ id, birthDate, sex }) => {
        expect(validateResidentId(id, TODAY)).toEqual({ ok: true, value: id, birthDate, sex });
      }),
    );
  });

  // Mod 11 is prime, weights 2^k mod 11 are non-zero and digit changes are < 11: every single
  // substitution in positions 1–17 is caught; position 18 is compared directly.
  it('rejects any single-character substitution', () => {
    fc.assert(
      fc.property(validId, fc.nat(17), fc.constantFrom(...'0123456789X'), ({ id }, i, ch) => {
        fc.pre(id[i] !== ch);
        return !validateResidentId(id.slice(0, i) + ch + id.slice(i + 1), TODAY).ok;
      }),
    );
  });

  // Neighbouring weights satisfy w_i = 2·w_(i+1) mod 11, so a swap shifts the sum by (a − b)·w_(i+1) ≢ 0.
  it('rejects any swap of two different neighbouring digits within positions 1–17', () => {
    fc.assert(
      fc.property(validId, fc.nat(15), ({ id }, i) => {
        fc.pre(id[i] !== id[i + 1]);
        return !validateResidentId(id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2), TODAY).ok;
      }),
    );
  });

  it('masking keeps the length and hides everything but the first and last four', () => {
    fc.assert(
      fc.property(validId, ({ id }) => {
        const masked = maskResidentId(id);
        expect(masked).toHaveLength(18);
        expect(masked).toBe(`${id.slice(0, 4)}**********${id.slice(-4)}`);
      }),
    );
  });
});

describe('masking', () => {
  it('masks resident IDs', () => {
    expect(maskResidentId('440524188001010014')).toBe('4405**********0014');
    expect(maskResidentId('44011320141005001x')).toBe('4401**********001X');
    expect(maskResidentId('12345678')).toBe('********');
    expect(maskResidentId('')).toBe('');
  });

  it('masks phone numbers', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138 1234 5678')).toBe('138****5678');
    expect(maskPhone('+8613812345678')).toBe('138****5678');
    expect(maskPhone('008613812345678')).toBe('138****5678');
    expect(maskPhone('0769-22112345')).toBe('076*****2345');
    expect(maskPhone('１３８１２３４５６７８')).toBe('138****5678');
    expect(maskPhone('12345')).toBe('*****');
  });

  it("never shows a phone number's middle digits", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 11, maxLength: 11 }),
        (p) => {
          const masked = maskPhone(`1${p.slice(1)}`);
          return masked.length === 11 && masked.slice(3, 7) === '****';
        },
      ),
    );
  });
});
