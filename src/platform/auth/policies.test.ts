// The whole policy as a matrix: every role (and anonymous) × every action × every kind of resource.
// The expected table is written out by hand, not derived from POLICY, so one wrong cell fails.
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  type Action,
  type AuthUser,
  abilities,
  can,
  type Resource,
  ROLES,
  type Role,
  scopeOf,
} from './policies.js';

const T1 = '441900119'; // the town officer's town
const T2 = '441900003'; // another town
const E1 = '0193e2a4-0000-7000-8000-000000000001'; // the enterprise user's enterprise
const E2 = '0193e2a4-0000-7000-8000-000000000002'; // another enterprise

// Column order of every expectation string. 'Y' = allowed, '.' = refused.
const SCOPES: [string, Resource | undefined][] = [
  ['no resource', undefined],
  ['empty resource', {}],
  ['own town', { townCode: T1 }],
  ['other town', { townCode: T2 }],
  ['own enterprise', { enterpriseId: E1 }],
  ['other enterprise', { enterpriseId: E2 }],
  ['own enterprise in another town', { townCode: T2, enterpriseId: E1 }],
  ['other enterprise in own town', { townCode: T1, enterpriseId: E2 }],
];

const user = (role: Role, over: Partial<AuthUser> = {}): AuthUser => ({
  id: `u-${role}`,
  username: role.toLowerCase(),
  displayName: role,
  role,
  townCode: role === 'townOfficer' ? T1 : null,
  enterpriseId: ['enterprise', 'lab', 'maintenanceUnit'].includes(role) ? E1 : null,
  via: 'session',
  ...over,
});

type Who = Role | 'anonymous';
const ALL = 'YYYYYYYY';
const NONE = '........';
const TOWN = 'Y.Y....Y';
const ORG = 'Y...Y.Y.';

const EXPECTED: Record<Who, Record<Action, string>> = {
  admin: {
    'enterprise.read': ALL,
    'enterprise.readPersonal': ALL,
    'enterprise.create': ALL,
    'enterprise.update': ALL,
    'enterprise.import': ALL,
    'enterprise.export': ALL,
    'reference.read': ALL,
    'reference.manage': ALL,
    'user.manage': ALL,
    'audit.read': ALL,
    'stats.read': ALL,
    'public.read': ALL,
    'credit.read': ALL,
    'credit.record': ALL,
    'credit.review': ALL,
    'credit.object': NONE,
    'credit.rules': ALL,
    'credit.rules.publish': ALL,
    'sampling.read': ALL,
    'sampling.plan': ALL,
    'sampling.draw': ALL,
    'sampling.sample': ALL,
    'sampling.result': NONE,
    'sampling.process': ALL,
    'sampling.object': NONE,
  },
  regulator: {
    'enterprise.read': ALL,
    'enterprise.readPersonal': ALL,
    'enterprise.create': ALL,
    'enterprise.update': ALL,
    'enterprise.import': ALL,
    'enterprise.export': ALL,
    'reference.read': ALL,
    'reference.manage': NONE,
    'user.manage': NONE,
    'audit.read': ALL,
    'stats.read': ALL,
    'public.read': ALL,
    'credit.read': ALL,
    'credit.record': ALL,
    'credit.review': ALL,
    'credit.object': NONE,
    'credit.rules': ALL,
    'credit.rules.publish': NONE,
    'sampling.read': ALL,
    'sampling.plan': ALL,
    'sampling.draw': ALL,
    'sampling.sample': ALL,
    'sampling.result': NONE,
    'sampling.process': ALL,
    'sampling.object': NONE,
  },
  townOfficer: {
    'enterprise.read': TOWN,
    'enterprise.readPersonal': TOWN,
    'enterprise.create': TOWN,
    'enterprise.update': TOWN,
    'enterprise.import': TOWN,
    'enterprise.export': TOWN,
    'reference.read': ALL,
    'reference.manage': NONE,
    'user.manage': NONE,
    'audit.read': NONE,
    'stats.read': TOWN,
    'public.read': ALL,
    'credit.read': TOWN,
    'credit.record': TOWN,
    'credit.review': NONE,
    'credit.object': NONE,
    'credit.rules': NONE,
    'credit.rules.publish': NONE,
    'sampling.read': TOWN,
    'sampling.plan': NONE,
    'sampling.draw': NONE,
    'sampling.sample': TOWN,
    'sampling.result': NONE,
    'sampling.process': TOWN,
    'sampling.object': NONE,
  },
  enterprise: {
    'enterprise.read': ORG,
    'enterprise.readPersonal': ORG,
    'enterprise.create': NONE,
    'enterprise.update': NONE,
    'enterprise.import': NONE,
    'enterprise.export': NONE,
    'reference.read': ALL,
    'reference.manage': NONE,
    'user.manage': NONE,
    'audit.read': NONE,
    'stats.read': NONE,
    'public.read': ALL,
    'credit.read': ORG,
    'credit.record': NONE,
    'credit.review': NONE,
    'credit.object': ORG,
    'credit.rules': NONE,
    'credit.rules.publish': NONE,
    'sampling.read': ORG,
    'sampling.plan': NONE,
    'sampling.draw': NONE,
    'sampling.sample': NONE,
    'sampling.result': NONE,
    'sampling.process': NONE,
    'sampling.object': ORG,
  },
  lab: {
    'enterprise.read': ORG,
    'enterprise.readPersonal': ORG,
    'enterprise.create': NONE,
    'enterprise.update': NONE,
    'enterprise.import': NONE,
    'enterprise.export': NONE,
    'reference.read': ALL,
    'reference.manage': NONE,
    'user.manage': NONE,
    'audit.read': NONE,
    'stats.read': NONE,
    'public.read': ALL,
    'credit.read': ORG,
    'credit.record': NONE,
    'credit.review': NONE,
    'credit.object': ORG,
    'credit.rules': NONE,
    'credit.rules.publish': NONE,
    'sampling.read': ORG,
    'sampling.plan': NONE,
    'sampling.draw': NONE,
    'sampling.sample': NONE,
    'sampling.result': ORG,
    'sampling.process': NONE,
    'sampling.object': ORG,
  },
  maintenanceUnit: {
    'enterprise.read': ORG,
    'enterprise.readPersonal': ORG,
    'enterprise.create': NONE,
    'enterprise.update': NONE,
    'enterprise.import': NONE,
    'enterprise.export': NONE,
    'reference.read': ALL,
    'reference.manage': NONE,
    'user.manage': NONE,
    'audit.read': NONE,
    'stats.read': NONE,
    'public.read': ALL,
    'credit.read': ORG,
    'credit.record': NONE,
    'credit.review': NONE,
    'credit.object': ORG,
    'credit.rules': NONE,
    'credit.rules.publish': NONE,
    'sampling.read': ORG,
    'sampling.plan': NONE,
    'sampling.draw': NONE,
    'sampling.sample': NONE,
    'sampling.result': NONE,
    'sampling.process': NONE,
    'sampling.object': ORG,
  },
  anonymous: {
    'enterprise.read': NONE,
    'enterprise.readPersonal': NONE,
    'enterprise.create': NONE,
    'enterprise.update': NONE,
    'enterprise.import': NONE,
    'enterprise.export': NONE,
    'reference.read': NONE,
    'reference.manage': NONE,
    'user.manage': NONE,
    'audit.read': NONE,
    'stats.read': NONE,
    'public.read': ALL,
    'credit.read': NONE,
    'credit.record': NONE,
    'credit.review': NONE,
    'credit.object': NONE,
    'credit.rules': NONE,
    'credit.rules.publish': NONE,
    'sampling.read': NONE,
    'sampling.plan': NONE,
    'sampling.draw': NONE,
    'sampling.sample': NONE,
    'sampling.result': NONE,
    'sampling.process': NONE,
    'sampling.object': NONE,
  },
};

const WHO: Who[] = [...ROLES, 'anonymous'];
const subject = (who: Who) => (who === 'anonymous' ? null : user(who));
const row = (u: AuthUser | null, action: Action) =>
  SCOPES.map(([, r]) => (can(u, action, r) ? 'Y' : '.')).join('');

describe('policy matrix', () => {
  it('covers every role and every action', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...WHO].sort());
    for (const who of WHO) expect(Object.keys(EXPECTED[who]).sort()).toEqual([...ACTIONS].sort());
    for (const who of WHO) for (const a of ACTIONS) expect(EXPECTED[who][a]).toHaveLength(SCOPES.length);
  });

  const cells = WHO.flatMap((who) => ACTIONS.map((action) => [who, action] as const));
  it.each(cells)('%s × %s', (who, action) => {
    // Compared cell by cell so a failure names the scope.
    const actual = Object.fromEntries(SCOPES.map(([name, r]) => [name, can(subject(who), action, r)]));
    const expected = Object.fromEntries(SCOPES.map(([name], i) => [name, EXPECTED[who][action][i] === 'Y']));
    expect(actual).toEqual(expected);
  });
});

describe('misconfigured scoped users have no scope at all', () => {
  const cases: [string, AuthUser][] = [
    ['townOfficer without a town', user('townOfficer', { townCode: null })],
    ['enterprise without an enterprise', user('enterprise', { enterpriseId: null })],
    ['lab without an enterprise', user('lab', { enterpriseId: null })],
    ['maintenanceUnit without an enterprise', user('maintenanceUnit', { enterpriseId: null })],
  ];
  it.each(cases)('%s', (_name, u) => {
    expect(scopeOf(u)).toEqual({ kind: 'none' });
    for (const action of ACTIONS) {
      const expectedRow = action === 'reference.read' || action === 'public.read' ? ALL : NONE;
      expect(`${action}:${row(u, action)}`).toBe(`${action}:${expectedRow}`);
    }
    // A resource whose town or enterprise is also null must not match a null scope.
    expect(can(u, 'enterprise.read', { townCode: null, enterpriseId: null })).toBe(false);
  });

  it('an enterprise role ignores a town it happens to carry', () => {
    const u = user('enterprise', { townCode: T1 });
    expect(can(u, 'enterprise.read', { townCode: T1 })).toBe(false);
    expect(scopeOf(u)).toEqual({ kind: 'enterprise', enterpriseId: E1 });
  });

  it('a townOfficer ignores an enterprise it happens to carry', () => {
    const u = user('townOfficer', { enterpriseId: E1 });
    expect(can(u, 'enterprise.read', { enterpriseId: E1 })).toBe(false);
    expect(scopeOf(u)).toEqual({ kind: 'town', townCode: T1 });
  });
});

describe('scopeOf', () => {
  it.each([
    ['admin', { kind: 'city' }],
    ['regulator', { kind: 'city' }],
    ['townOfficer', { kind: 'town', townCode: T1 }],
    ['enterprise', { kind: 'enterprise', enterpriseId: E1 }],
    ['lab', { kind: 'enterprise', enterpriseId: E1 }],
    ['maintenanceUnit', { kind: 'enterprise', enterpriseId: E1 }],
  ] as const)('%s', (role, scope) => {
    expect(scopeOf(user(role))).toEqual(scope);
  });
  it('anonymous', () => expect(scopeOf(null)).toEqual({ kind: 'none' }));
});

describe('abilities', () => {
  it.each(WHO)('%s: exactly the actions allowed without a resource', (who) => {
    const expected = ACTIONS.filter((a) => EXPECTED[who][a][0] === 'Y');
    expect(abilities(subject(who))).toEqual(expected);
  });
  it('regulator may do everything but manage users and reference data', () => {
    expect(abilities(user('regulator'))).not.toContain('user.manage');
    expect(abilities(user('regulator'))).not.toContain('reference.manage');
  });
});
