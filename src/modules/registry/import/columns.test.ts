import { describe, expect, it } from 'vitest';
import { AppError } from '../../../core/errors.js';
import { COLUMNS, matchHeader, normalizeHeader, resolveColumns } from './columns.js';

describe('matchHeader', () => {
  it.each([
    ['统一社会信用代码', 'uscc'],
    ['\uFEFF统一社会信用代码', 'uscc'],
    [' 统一社会信用代码 ', 'uscc'],
    ['统一社会信用代码*', 'uscc'],
    ['USCC', 'uscc'],
    ['企业名称', 'name'],
    ['Name', 'name'],
    ['企业（单位）名称', 'name'],
    ['企业(单位)名称', 'name'],
    ['法定代表人', 'legalRepresentative'],
    ['法人', 'legalRepresentative'],
    ['legal_representative', 'legalRepresentative'],
    ['Legal Representative', 'legalRepresentative'],
    ['注册地址', 'registeredAddress'],
    ['住所', 'registeredAddress'],
    ['registered_address', 'registeredAddress'],
    ['所属镇街', 'townCode'],
    ['镇街', 'townCode'],
    ['town', 'townCode'],
    ['所属镇（街）', 'townCode'],
    ['行业代码', 'industryCode'],
    ['行业', 'industryCode'],
    ['industry', 'industryCode'],
    ['成立日期', 'registeredOn'],
    ['成立日期（YYYY-MM-DD）', 'registeredOn'],
    ['registered_on', 'registeredOn'],
    ['Registered-On', 'registeredOn'],
    ['状态', 'status'],
    ['经营状态', 'status'],
    ['企业规模', 'scale'],
    ['scale', 'scale'],
    ['企业标签', 'tags'],
    ['tags', 'tags'],
    ['ＵＳＣＣ', 'uscc'],
  ])('%s → %s', (header, key) => expect(matchHeader(header)).toBe(key));

  it.each(['备注', '联系电话', '', '   ', 'id'])('does not know %j', (header) =>
    expect(matchHeader(header)).toBeUndefined(),
  );

  it('has one Chinese and one English header for every field, each matching its own key', () => {
    for (const c of COLUMNS) {
      expect(matchHeader(c.zh)).toBe(c.key);
      expect(matchHeader(c.en)).toBe(c.key);
      for (const a of c.aliases) expect(matchHeader(a)).toBe(c.key);
    }
    expect(normalizeHeader('（Ａ Ｂ）_c-d*')).toBe('(ab)cd');
  });
});

describe('resolveColumns', () => {
  it('maps headers in any order and keeps how the file spells them', () => {
    const r = resolveColumns(['企业名称', 'USCC', '备注', '镇街', '', '联系电话']);
    expect(r.columns).toEqual([
      { index: 0, key: 'name', header: '企业名称' },
      { index: 1, key: 'uscc', header: 'USCC' },
      { index: 3, key: 'townCode', header: '镇街' },
    ]);
    expect(r.headerOf).toEqual({ name: '企业名称', uscc: 'USCC', townCode: '镇街' });
    // unknown headers: one warning naming all of them
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ row: 1, code: 'UNKNOWN_COLUMNS' });
    expect(r.warnings[0]!.message.zh).toContain('备注、联系电话');
  });

  it('refuses a file without the required columns, naming each in Chinese and English', () => {
    let err: unknown;
    try {
      resolveColumns(['企业名称', '法人', '行业']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.fields.map((f) => [f.field, f.code])).toEqual([
      ['file', 'MISSING_COLUMN'],
      ['file', 'MISSING_COLUMN'],
    ]);
    expect(e.messages.zh).toContain('统一社会信用代码');
    expect(e.messages.zh).toContain('所属镇街');
    expect(e.messages.en).toContain('uscc');
    expect(e.messages.en).toContain('town');
  });

  it('refuses two columns that name the same field', () => {
    expect(() => resolveColumns(['统一社会信用代码', '企业名称', '名称', '镇街'])).toThrow(/same field/);
  });
});
