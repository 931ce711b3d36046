import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { UsccErrorCode } from './uscc.js';
import {
  makeUscc,
  normalizeUscc,
  orgCodeCheckChar,
  USCC_CHARSET,
  usccCheckChar,
  validateUscc,
} from './uscc.js';

const samplesFile = new URL('../../../data/reference/uscc_samples.txt', import.meta.url);
const samples = readFileSync(samplesFile, 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

// Every authority/entity-type pair of the GB 32100 table.
const PAIRS: [string, string][] = [
  ...['1', '2', '3', '9'].map((t): [string, string] => ['1', t]),
  ['2', '1'],
  ['2', '9'],
  ...['1', '2', '3', '4', '5', '9'].map((t): [string, string] => ['3', t]),
  ['4', '1'],
  ['4', '9'],
  ...['1', '2', '3', '9'].map((t): [string, string] => ['5', t]),
  ...['1', '2', '9'].map((t): [string, string] => ['6', t]),
  ...['1', '2', '9'].map((t): [string, string] => ['7', t]),
  ['8', '1'],
  ['8', '9'],
  ...['1', '2', '3'].map((t): [string, string] => ['9', t]),
  ['A', '1'],
  ['A', '9'],
  ...['1', '2', '3', '9'].map((t): [string, string] => ['N', t]),
  ['Y', '1'],
];

// GB/T 2260 province-level prefixes plus 10 (central-level offices).
const PROVINCES =
  '10 11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(
    ' ',
  );

const charsetChar = fc.constantFrom(...USCC_CHARSET);
const validCode = fc
  .record({
    pair: fc.constantFrom(...PAIRS),
    province: fc.constantFrom(...PROVINCES),
    rest: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 4, maxLength: 4 }),
    body: fc.string({ unit: charsetChar, minLength: 8, maxLength: 8 }),
  })
  .map(({ pair, province, rest, body }) =>
    makeUscc({ authority: pair[0], entityType: pair[1], division: province + rest, orgCodeBody8: body }),
  );

const VALID = '91441900MA4WK3L71J'; // made by makeUscc for division 441900

describe('real codes', () => {
  it('has the 200 python-stdnum "found online" codes', () => {
    expect(samples).toHaveLength(200);
  });

  it.each(samples)('%s is valid', (code) => {
    const result = validateUscc(code);
    expect(result).toMatchObject({ ok: true, value: code });
  });

  it('accepts codes whose check character is 0 (the 31 → 0 case)', () => {
    const endingInZero = samples.filter((code) => code.endsWith('0'));
    expect(endingInZero.length).toBeGreaterThan(0);
    for (const code of endingInZero) expect(validateUscc(code).ok).toBe(true);
  });
});

describe('validateUscc parts', () => {
  it('splits a valid code into its parts', () => {
    const result = validateUscc(VALID);
    expect(result).toEqual({
      ok: true,
      value: VALID,
      parts: {
        authority: '9',
        authorityName: { zh: '工商', en: 'market regulation (industry and commerce)' },
        entityType: '1',
        entityTypeName: { zh: '企业', en: 'enterprise' },
        division: '441900',
        orgCode: 'MA4WK3L71',
        checkChar: 'J',
      },
    });
  });
});

describe('invalid codes', () => {
  const cases: [string, UsccErrorCode, number | undefined][] = [
    ['', 'USCC_LENGTH', undefined],
    ['91441900MA4WK3L71', 'USCC_LENGTH', undefined],
    ['91441900MA4WK3L71JX', 'USCC_LENGTH', undefined],
    ['91441900MA4WK3L7IJ', 'USCC_CHARSET', 17],
    ['91441900MO4WK3L71J', 'USCC_CHARSET', 10],
    ['91441900-A4WK3L71J', 'USCC_CHARSET', 9],
    ['9144190OMA4WK3L71J', 'USCC_CHARSET', 8],
    ['B1441900MA4WK3L71J', 'USCC_REGISTRATION_AUTHORITY', 1],
    ['01441900MA4WK3L71J', 'USCC_REGISTRATION_AUTHORITY', 1],
    ['94441900MA4WK3L71J', 'USCC_ENTITY_TYPE', 2],
    ['99441900MA4WK3L71J', 'USCC_ENTITY_TYPE', 2],
    ['Y2441900MA4WK3L71J', 'USCC_ENTITY_TYPE', 2],
    ['A2441900MA4WK3L71J', 'USCC_ENTITY_TYPE', 2],
    ['20441900MA4WK3L71J', 'USCC_ENTITY_TYPE', 2],
    ['9144190AMA4WK3L71J', 'USCC_DIVISION', 3],
    ['91991900MA4WK3L71J', 'USCC_DIVISION', 3],
    ['91001900MA4WK3L71J', 'USCC_DIVISION', 3],
    ['91441900MA4WK3L70F', 'USCC_ORG_CHECK', 17], // position 18 recomputed: only position 17 is wrong
    ['91441900MA4WK3L7AE', 'USCC_ORG_CHECK', 17], // a letter other than X can never be a GB 11714 check
    ['91441900MA4WK3L710', 'USCC_CHECK', 18],
    ['91152201078377449Q', 'USCC_CHECK', 18], // real code, last character changed
    ['91441900MAFWK3L71J', 'USCC_CHECK', 18], // 4 → F: GB 11714 misses it (values differ by 11)
  ];

  it.each(cases)('%s → %s', (input, code, position) => {
    const result = validateUscc(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(code);
    expect(result.position).toBe(position);
    expect(result.message.zh).toMatch(/[\u4e00-\u9fff]/);
    expect(result.message.en.length).toBeGreaterThan(10);
  });

  it('names the expected check characters precisely', () => {
    const check = validateUscc('91441900MA4WK3L710');
    expect(!check.ok && check.message.zh).toContain('第18位校验码应为J，实为0');
    expect(!check.ok && check.message.en).toContain('position 18 should be J, not 0');
    const org = validateUscc('91441900MA4WK3L70F');
    expect(!org.ok && org.message.zh).toContain('第17位应为1，实为0');
  });

  it('says how long the input was', () => {
    const result = validateUscc('9144');
    expect(!result.ok && result.message.zh).toBe('统一社会信用代码应为18位，实为4位');
  });
});

describe('normalisation', () => {
  it('accepts full-width, lower-case and spaced input', () => {
    expect(validateUscc('９１４４１９００ＭＡ４ＷＫ３Ｌ７１Ｊ')).toMatchObject({ ok: true, value: VALID });
    expect(validateUscc(' 91441900ma4wk3l71j\t')).toMatchObject({ ok: true, value: VALID });
    expect(validateUscc('914419\u300000MA4W K3L7 1J')).toMatchObject({ ok: true, value: VALID });
  });

  it('normalises step by step', () => {
    expect(normalizeUscc('  ９１ａｂ　c d ')).toBe('91ABCD');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => normalizeUscc(normalizeUscc(s)) === normalizeUscc(s)),
    );
  });

  it('is idempotent on full-width-heavy input', () => {
    const unit = fc.constantFrom(...'９１ＡａＭｍ　 \tIiOo0-');
    fc.assert(fc.property(fc.string({ unit }), (s) => normalizeUscc(normalizeUscc(s)) === normalizeUscc(s)));
  });
});

describe('check characters', () => {
  it('computes GB 11714 checks with 10 → X and 11 → 0', () => {
    expect(orgCodeCheckChar('MA4WK3L7')).toBe('1');
    expect(orgCodeCheckChar('00000006')).toBe('X'); // Σ = 12 ≡ 1 → 11 − 1 = 10 → X
    expect(orgCodeCheckChar('00000000')).toBe('0'); // Σ = 0 → 11 → 0
    expect(orgCodeCheckChar('07837941')).toBe('X'); // from the real code 9115220107837941X1
  });

  it('computes the GB 32100 check character', () => {
    expect(usccCheckChar('91441900MA4WK3L71')).toBe('J');
    expect(usccCheckChar('12120000401359081')).toBe('6');
    expect(() => usccCheckChar('9144')).toThrow(/17 characters/);
    expect(() => usccCheckChar('91441900MA4WK3LI1')).toThrow(/position 16/);
  });
});

describe('makeUscc', () => {
  it("makes the seed generator's Dongguan codes", () => {
    expect(makeUscc({ authority: '9', entityType: '1', division: '441900', orgCodeBody8: 'MA4WK3L7' })).toBe(
      VALID,
    );
    expect(
      makeUscc({ authority: '9', entityType: '2', division: '441900', orgCodeBody8: 'ma4wk3l7' }),
    ).toMatch(/^92441900MA4WK3L71.$/);
  });

  it.each(PAIRS)('makes valid codes for authority %s, entity type %s', (authority, entityType) => {
    const code = makeUscc({ authority, entityType, division: '441900', orgCodeBody8: '12345678' });
    expect(validateUscc(code).ok).toBe(true);
  });

  it('refuses parts that cannot make a valid code', () => {
    const base = { authority: '9', entityType: '1', division: '441900', orgCodeBody8: 'MA4WK3L7' };
    expect(() => makeUscc({ ...base, entityType: '9' })).toThrow(/entity type/);
    expect(() => makeUscc({ ...base, division: '4419' })).toThrow(/17/);
    expect(() => makeUscc({ ...base, orgCodeBody8: 'MA4WK3L' })).toThrow(/8 characters/);
    expect(() => makeUscc({ ...base, orgCodeBody8: 'MA4WK3LI' })).toThrow(/charset/);
  });
});

describe('properties', () => {
  it('every code made by makeUscc validates', () => {
    fc.assert(fc.property(validCode, (code) => validateUscc(code).ok));
  });

  // Mod 31 is prime and every weight 3^(i−1) is non-zero mod 31, so a single substitution
  // anywhere in positions 1–17 shifts the sum by w·Δ ≢ 0; position 18 is compared directly.
  it('rejects any single-character substitution', () => {
    fc.assert(
      fc.property(validCode, fc.nat(17), charsetChar, (code, i, ch) => {
        fc.pre(code[i] !== ch);
        return !validateUscc(code.slice(0, i) + ch + code.slice(i + 1)).ok;
      }),
    );
  });

  // Swapping neighbours i, i+1 (both within 1–17) shifts the sum by (a − b)(w − 3w) = −2w(a − b) ≢ 0 mod 31.
  it('rejects any swap of two different neighbouring characters within positions 1–17', () => {
    fc.assert(
      fc.property(validCode, fc.nat(15), (code, i) => {
        fc.pre(code[i] !== code[i + 1]);
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
        return !validateUscc(swapped).ok;
      }),
    );
  });

  // GB 11714 alone is weaker: its values run 0–35 with modulus 11, so substitutions whose
  // values differ by 11 or 22 (0↔B, 4↔F, A↔L…) keep position 17 right; only position 18 catches them.
  it('the organisation check alone misses substitutions whose values differ by 11', () => {
    const body = 'MA4WK3L7';
    expect(orgCodeCheckChar(body.replace('4', 'F'))).toBe(orgCodeCheckChar(body));
    expect(validateUscc('91441900MAFWK3L71J')).toMatchObject({ ok: false, code: 'USCC_CHECK' });
  });

  it('validation does not depend on how the input was written', () => {
    fc.assert(
      fc.property(validCode, (code) => {
        const fullWidthLower = [...code.toLowerCase()]
          .map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0))
          .join('');
        return validateUscc(` ${fullWidthLower}　`).ok;
      }),
    );
  });
});
