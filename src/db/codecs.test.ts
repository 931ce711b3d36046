// The dialect codecs, on both databases.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../platform/bootstrap.js';
import { DIALECTS, testContext } from '../testing/db.js';
import { bool, containsText, escapeLike, json } from './codecs.js';

for (const dialect of DIALECTS) {
  describe(`codecs [${dialect}]`, () => {
    let rt: Runtime;
    beforeAll(async () => {
      rt = await testContext(dialect);
    });
    afterAll(async () => rt?.close());

    const matches = async (needle: string) => {
      const rows = await rt.db
        .selectFrom(sql<{ name: string }>`(select 'Dongguan 东莞市甲乙 100%_ok' as name)`.as('t'))
        .select('t.name')
        .where((eb) => containsText(dialect, eb.ref('t.name'), needle))
        .execute();
      return rows.length === 1;
    };

    it('matches a substring case-insensitively and % _ literally', async () => {
      expect(await matches('东莞市甲')).toBe(true);
      expect(await matches('dongguan')).toBe(true);
      expect(await matches('100%_ok')).toBe(true);
      expect(await matches('1%k')).toBe(false);
      expect(await matches('乙丙')).toBe(false);
    });

    it('matches nothing for a needle holding a NUL (SQLite used to match everything)', async () => {
      expect(await matches('\u0000')).toBe(false);
      expect(await matches('东莞\u0000')).toBe(false);
    });
  });
}

describe('codecs (pure)', () => {
  it('escapes LIKE wildcards, reads JSON and booleans', () => {
    expect(escapeLike('a%b_c\\')).toBe('a\\%b\\_c\\\\');
    expect(json.read('not json', 7)).toBe(7);
    expect(json.read(json.write({ a: 1 }), null)).toEqual({ a: 1 });
    expect([bool.read(1), bool.read('1'), bool.read(0), bool.read(null)]).toEqual([true, true, false, false]);
  });
});
