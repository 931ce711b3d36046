import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cleanText,
  type ProductCategoryMatch,
  parseBusinessDate,
  type ReferenceLookup,
  validateEnterprise,
} from './enterprise-input.js';

/** A small catalogue: 0101 and 0104 active, 0199 retired, "电源" the name of two categories. */
const CATALOGUE: Record<string, ProductCategoryMatch> = {
  '0101': { code: '0101', name: '电线电缆', active: true },
  电线电缆: { code: '0101', name: '电线电缆', active: true },
  '0104': { code: '0104', name: '电源适配器及充电器', active: true },
  电源适配器及充电器: { code: '0104', name: '电源适配器及充电器', active: true },
  '0199': { code: '0199', name: '旧类别', active: false },
  电源: { ambiguous: ['0104', '0105'] },
};
const refs: ReferenceLookup = {
  town: (raw) => ({ '441900119': '441900119', 长安镇: '441900119', 长安: '441900119' })[raw],
  industry: (raw) => (['39', '38', 'C'].includes(raw) ? raw : undefined),
  productCategory: (raw) => (Object.hasOwn(CATALOGUE, raw) ? CATALOGUE[raw] : undefined),
};
const TODAY = '2026-11-26';
const good = {
  uscc: '91441900MA4UJ2TEX1',
  name: '东莞市测试电子有限公司',
  townCode: '长安镇',
  industryCode: '39',
  registeredOn: '2015-03-02',
};

describe('parseBusinessDate', () => {
  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2024/2/29', '2024-02-29'],
    ['2024年2月29日', '2024-02-29'],
    ['20240229', '2024-02-29'],
    ['2024.12.31', '2024-12-31'],
  ])('reads %s', (raw, want) => expect(parseBusinessDate(raw)).toBe(want));

  it.each(['2023-02-29', '2100-02-29', '2024-04-31', '2024-13-01', '2024-00-10', 'yesterday', '2024-1', ''])(
    'rejects %s',
    (raw) => expect(parseBusinessDate(raw)).toBeNull(),
  );

  it('accepts exactly the calendar dates (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString().slice(0, 10);
          expect(parseBusinessDate(iso)).toBe(iso);
          expect(parseBusinessDate(iso.replaceAll('-', '/'))).toBe(iso);
        },
      ),
    );
  });
});

describe('cleanText', () => {
  it('folds full-width characters and trims', () => {
    expect(cleanText('　９１４４１９００ＭＡ４ＵＪ２ＴＥＸ１ ')).toBe('91441900MA4UJ2TEX1');
    expect(cleanText('   ')).toBeNull();
    expect(cleanText(null)).toBeNull();
  });
});

describe('validateEnterprise', () => {
  it('normalises a good row', () => {
    const r = validateEnterprise(
      { ...good, status: '存续', scale: '小型', tags: '出口企业；高新技术企业' },
      refs,
      TODAY,
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value).toMatchObject({
        townCode: '441900119',
        status: 'operating',
        scale: 'small',
        tags: ['exporter', 'highTech'],
      });
    }
  });

  it('defaults the status to operating', () => {
    const r = validateEnterprise(good, refs, TODAY);
    expect(r.ok && r.value.status).toBe('operating');
  });

  it('reports every problem of a row, each with its field and code', () => {
    const r = validateEnterprise(
      {
        uscc: '91441900MA4UJ2TEX2',
        name: '',
        townCode: '火星镇',
        industryCode: '99',
        registeredOn: '2027-01-01',
        status: '倒闭',
        scale: '巨型',
        tags: '不存在',
      },
      refs,
      TODAY,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const byField = Object.fromEntries(r.errors.map((e) => [e.field, e.code]));
      expect(byField).toEqual({
        uscc: 'USCC_CHECK',
        name: 'REQUIRED',
        townCode: 'UNKNOWN_TOWN',
        industryCode: 'UNKNOWN_INDUSTRY',
        registeredOn: 'FUTURE_DATE',
        status: 'INVALID_STATUS',
        scale: 'INVALID_SCALE',
        tags: 'UNKNOWN_TAG',
      });
      for (const e of r.errors) expect(e.message.zh.length).toBeGreaterThan(0);
    }
  });

  it('accepts a registration date of today and rejects tomorrow', () => {
    expect(validateEnterprise({ ...good, registeredOn: TODAY }, refs, TODAY).ok).toBe(true);
    expect(validateEnterprise({ ...good, registeredOn: '2026-11-27' }, refs, TODAY).ok).toBe(false);
  });
});

describe('names', () => {
  it('keeps the full-width brackets of official names and folds ideographic spaces', () => {
    const r = validateEnterprise({ ...good, name: '　东莞市甲乙电子（东莞）有限公司　' }, refs, TODAY);
    expect(r.ok && r.value.name).toBe('东莞市甲乙电子（东莞）有限公司');
  });
});

describe('validateEnterprise: hostile text', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'])(
    'treats "%s" as an unknown status, scale and tag',
    (key) => {
      const v = validateEnterprise({ ...good, status: key, scale: key, tags: [key] }, refs, TODAY);
      expect(v.ok).toBe(false);
      if (v.ok) return;
      expect(v.errors.map((e) => [e.field, e.code])).toEqual([
        ['status', 'INVALID_STATUS'],
        ['scale', 'INVALID_SCALE'],
        ['tags', 'UNKNOWN_TAG'],
      ]);
    },
  );

  it('refuses control characters in every field, the import included', () => {
    for (const field of [
      'uscc',
      'name',
      'legalRepresentative',
      'registeredAddress',
      'townCode',
      'status',
    ] as const) {
      for (const bad of ['\u0000', '\u0008', '\u001b', '\u007f', '\u0085', '\ud800']) {
        const v = validateEnterprise({ ...good, [field]: `甲${bad}乙` }, refs, TODAY);
        expect(v.ok, `${field} ${JSON.stringify(bad)}`).toBe(false);
        if (!v.ok) expect(v.errors[0]).toMatchObject({ field, code: 'CONTROL_CHARACTER' });
      }
    }
    const tags = validateEnterprise({ ...good, tags: ['exporter', 'a\u0000'] }, refs, TODAY);
    expect(tags.ok || tags.errors[0]).toMatchObject({ field: 'tags', code: 'CONTROL_CHARACTER' });
  });

  it('folds tab and line breaks in one-line fields into spaces', () => {
    const v = validateEnterprise({ ...good, name: '东莞市\n测试\t电子\r\n有限公司' }, refs, TODAY);
    expect(v.ok && v.value.name).toBe('东莞市 测试 电子 有限公司');
  });
});

describe('validateEnterprise: product categories', () => {
  const check = (productCategories: unknown, linked?: string[]) =>
    validateEnterprise({ ...good, productCategories }, refs, TODAY, { linkedProductCategories: linked });

  it('leaves them out when not given, so the links stay as they are', () => {
    const v = validateEnterprise(good, refs, TODAY);
    expect(v.ok && 'productCategories' in v.value).toBe(false);
  });

  it('reads codes and exact names, from a list or one text with ；;、, between, sorted and distinct', () => {
    expect(check(['0104', '电线电缆', '0101'])).toMatchObject({
      ok: true,
      value: { productCategories: ['0101', '0104'] },
    });
    for (const text of [
      '电源适配器及充电器；0101',
      '0101;0104',
      '０１０１、电源适配器及充电器',
      '0104,0101，0101',
    ])
      expect(check(text), text).toMatchObject({ ok: true, value: { productCategories: ['0101', '0104'] } });
    expect(check('')).toMatchObject({ ok: true, value: { productCategories: [] } });
    expect(check([])).toMatchObject({ ok: true, value: { productCategories: [] } });
  });

  it('names each unknown, ambiguous or retired entry in its error', () => {
    const v = check('0101、玩具、电源、0199、constructor');
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.errors.map((e) => [e.field, e.code])).toEqual([
      ['productCategories', 'UNKNOWN_PRODUCT_CATEGORY'],
      ['productCategories', 'AMBIGUOUS_PRODUCT_CATEGORY'],
      ['productCategories', 'INACTIVE_PRODUCT_CATEGORY'],
      ['productCategories', 'UNKNOWN_PRODUCT_CATEGORY'],
    ]);
    expect(v.errors[0]!.message.zh).toContain('玩具');
    expect(v.errors[1]!.message.zh).toContain('0104、0105');
    expect(v.errors[2]!.message.zh).toBe('产品类别 0199（旧类别）已停用');
  });

  it('keeps a retired category the enterprise makes already', () => {
    expect(check(['0199', '0101'], ['0199'])).toMatchObject({
      ok: true,
      value: { productCategories: ['0101', '0199'] },
    });
  });

  it('takes at most 20 distinct categories', () => {
    const many: Record<string, ProductCategoryMatch> = {};
    for (let i = 1; i <= 21; i++) {
      const code = `09${String(i).padStart(2, '0')}`;
      many[code] = { code, name: code, active: true };
    }
    const wide: ReferenceLookup = { ...refs, productCategory: (raw) => many[raw] };
    const codes = Object.keys(many);
    const twenty = validateEnterprise(
      { ...good, productCategories: [...codes.slice(0, 20), codes[0]] },
      wide,
      TODAY,
    );
    expect(twenty.ok).toBe(true);
    const over = validateEnterprise({ ...good, productCategories: codes }, wide, TODAY);
    expect(over.ok || over.errors).toEqual([
      expect.objectContaining({ field: 'productCategories', code: 'TOO_MANY_PRODUCT_CATEGORIES' }),
    ]);
  });

  it('refuses a control character in a category', () => {
    const v = check(['0101', '01\u000001']);
    expect(v.ok || v.errors[0]).toMatchObject({ field: 'productCategories', code: 'CONTROL_CHARACTER' });
  });
});
