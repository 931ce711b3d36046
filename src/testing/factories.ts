// Test data builders: each returns a valid object with fresh identifiers; override any field.
import type { EnterpriseInput } from '../modules/registry/enterprise-input.js';
import { makeUscc } from '../modules/registry/uscc.js';

const CHANGAN = '441900119';

let serial = 0;
/** A valid enterprise with a fresh USCC; override any field. */
export function buildEnterprise(over: Partial<EnterpriseInput> = {}): EnterpriseInput {
  serial++;
  const body = `T${String(serial).padStart(7, '0')}`.replace(/[IOSVZ]/g, '1');
  return {
    uscc: makeUscc({ authority: '9', entityType: '1', division: '441900', orgCodeBody8: body }),
    name: `东莞市测试${serial}号电子有限公司`,
    legalRepresentative: '张三',
    registeredAddress: '广东省东莞市长安镇测试路1号',
    townCode: CHANGAN,
    industryCode: '39',
    registeredOn: '2015-06-30',
    status: 'operating',
    scale: 'small',
    tags: [],
    ...over,
  };
}
