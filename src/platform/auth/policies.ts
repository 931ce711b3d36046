// Who may do what, as data: one table of role × action → scope, read by `can`. Handlers never test
// roles themselves; they ask `can(user, action, resource)` (see plugin.ts for the route level).
//
//   action                   admin  regulator  townOfficer  enterprise/lab/    anonymous
//                                                           maintenanceUnit
//   enterprise.read          city   city       own town     own enterprise    –
//   enterprise.readPersonal  city   city       own town     own enterprise    –
//   enterprise.create        city   city       own town     –                 –
//   enterprise.update        city   city       own town     –  (registered data is the bureau's)
//   enterprise.import        city   city       own town     –                 –
//   enterprise.export        city   city       own town     –                 –
//   reference.read           yes    yes        yes          yes               –
//   reference.manage         yes    –          –            –                 –  (towns, industries, catalogue)
//   user.manage              yes    –          –            –                 –
//   audit.read               city   city       –            –                 –  (the log spans users and logins, not towns)
//   stats.read               city   city       own town     –                 –
//   public.read              yes    yes        yes          yes               yes
//   credit.read              city   city       own town     own enterprise    –  (archive, grade, explanation)
//   credit.record            city   city       own town     –                 –  (enter supervisory facts by hand)
//   credit.review            city   city       –            –                 –  (objections, reversals, blacklist)
//   credit.object            –      –          –            own enterprise    –  (objections, replies, repair)
//   credit.rules             yes    yes        –            –                 –  (rule-set drafts, sandbox)
//   credit.rules.publish     yes    –          –            –                 –
//   sampling.read            city   city       own town     own enterprise    –  (plans, tasks, samples, cases; a lab: samples sent to it)
//   sampling.plan            yes    yes        –            –                 –  (plans, inspector register, referrals)
//   sampling.draw            yes    yes        –            –                 –  (the double-random draw)
//   sampling.sample          city   city       own town     –                 –  (on-site sampling; also only an inspector of the task)
//   sampling.result          –      –          –            own lab           –  (lab results, reports: enterprise role lab)
//   sampling.process         city   city       own town     –                 –  (post-processing steps)
//   sampling.object          –      –          –            own enterprise    –  (objections to a failed result)
//
// "city" and "yes" ignore the resource. "own town" needs resource.townCode === user.townCode;
// "own enterprise" needs resource.enterpriseId === user.enterpriseId. A field the resource does
// not state never matches. Without a resource, `can` answers whether the action is possible for
// some scope (a list or a form), and the handler narrows with `scopeOf` or a resource check.
// A townOfficer without a town, or an enterprise role without an enterprise, has no scope at all.

export const ROLES = ['admin', 'regulator', 'townOfficer', 'enterprise', 'lab', 'maintenanceUnit'] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (v: unknown): v is Role =>
  typeof v === 'string' && (ROLES as readonly string[]).includes(v);

export const ACTIONS = [
  'enterprise.read',
  'enterprise.readPersonal',
  'enterprise.create',
  'enterprise.update',
  'enterprise.import',
  'enterprise.export',
  'reference.read',
  'reference.manage',
  'user.manage',
  'audit.read',
  'stats.read',
  'public.read',
  'credit.read',
  'credit.record',
  'credit.review',
  'credit.object',
  'credit.rules',
  'credit.rules.publish',
  'sampling.read',
  'sampling.plan',
  'sampling.draw',
  'sampling.sample',
  'sampling.result',
  'sampling.process',
  'sampling.object',
] as const;
export type Action = (typeof ACTIONS)[number];
export const isAction = (v: unknown): v is Action =>
  typeof v === 'string' && (ACTIONS as readonly string[]).includes(v);

export type AuthUser = {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  townCode: string | null;
  enterpriseId: string | null;
  /** How this request was authenticated: the session cookie or an API token. */
  via: 'session' | 'token';
  /** The password is published or common: only the password change is allowed (plugin.ts). */
  mustChangePassword?: boolean;
};

export type Resource = { townCode?: string | null; enterpriseId?: string | null };

export type Scope =
  | { kind: 'city' }
  | { kind: 'town'; townCode: string }
  | { kind: 'enterprise'; enterpriseId: string }
  | { kind: 'none' };

/** 'all': any resource; 'own': the user's own town or enterprise (by scopeOf); 'no': never. */
type Grant = 'all' | 'own' | 'no';

const row = (grant: Grant) => Object.fromEntries(ACTIONS.map((a) => [a, grant])) as Record<Action, Grant>;

const ORG_ROLE: Record<Action, Grant> = {
  ...row('no'),
  'enterprise.read': 'own',
  'enterprise.readPersonal': 'own',
  'reference.read': 'all',
  'public.read': 'all',
  'credit.read': 'own',
  'credit.object': 'own',
  'sampling.read': 'own',
  'sampling.object': 'own',
};

export const POLICY: Record<Role, Record<Action, Grant>> = {
  // Objections and replies are the enterprise's own voice; no official speaks for it.
  admin: { ...row('all'), 'credit.object': 'no', 'sampling.result': 'no', 'sampling.object': 'no' },
  regulator: {
    ...row('all'),
    'reference.manage': 'no',
    'user.manage': 'no',
    'credit.object': 'no',
    'credit.rules.publish': 'no',
    'sampling.result': 'no',
    'sampling.object': 'no',
  },
  townOfficer: {
    ...row('no'),
    'enterprise.read': 'own',
    'enterprise.readPersonal': 'own',
    'enterprise.create': 'own',
    'enterprise.update': 'own',
    'enterprise.import': 'own',
    'enterprise.export': 'own',
    'reference.read': 'all',
    'stats.read': 'own',
    'public.read': 'all',
    'credit.read': 'own',
    'credit.record': 'own',
    'sampling.read': 'own',
    'sampling.sample': 'own',
    'sampling.process': 'own',
  },
  enterprise: ORG_ROLE,
  // A lab enters the results of samples sent to it (resource: the lab's enterprise id).
  lab: { ...ORG_ROLE, 'sampling.result': 'own' },
  maintenanceUnit: ORG_ROLE,
};

/** The slice of the city a user works on; list queries filter by it. */
export function scopeOf(user: AuthUser | null): Scope {
  if (!user) return { kind: 'none' };
  switch (user.role) {
    case 'admin':
    case 'regulator':
      return { kind: 'city' };
    case 'townOfficer':
      return user.townCode ? { kind: 'town', townCode: user.townCode } : { kind: 'none' };
    case 'enterprise':
    case 'lab':
    case 'maintenanceUnit':
      return user.enterpriseId ? { kind: 'enterprise', enterpriseId: user.enterpriseId } : { kind: 'none' };
    default:
      return { kind: 'none' };
  }
}

function withinScope(scope: Scope, resource: Resource): boolean {
  switch (scope.kind) {
    case 'city':
      return true;
    case 'town':
      return resource.townCode != null && resource.townCode === scope.townCode;
    case 'enterprise':
      return resource.enterpriseId != null && resource.enterpriseId === scope.enterpriseId;
    case 'none':
      return false;
  }
}

export function can(user: AuthUser | null, action: Action, resource?: Resource): boolean {
  if (action === 'public.read') return true;
  if (!user) return false;
  const grant = POLICY[user.role]?.[action] ?? 'no';
  if (grant === 'no') return false;
  if (grant === 'all') return true;
  const scope = scopeOf(user);
  if (scope.kind === 'none') return false;
  return resource === undefined ? true : withinScope(scope, resource);
}

/** The actions the UI may offer this user (each possible for some scope). */
export function abilities(user: AuthUser | null): Action[] {
  return ACTIONS.filter((a) => can(user, a));
}
