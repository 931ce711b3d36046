/**
 * The slice of the city the signed-in user works on, for titles and filters: the whole city
 * (admin, regulator), one town (town officer) or one enterprise (enterprise, lab, maintenance
 * unit). The server narrows every list by the same scope; this only names it.
 */
import { useTranslation } from 'react-i18next';
import { useRefNames } from '../api/reference';
import { useSession } from '../auth/session';

export type Scope =
  | { kind: 'city'; area: string }
  | { kind: 'town'; townCode: string; area: string }
  | { kind: 'enterprise'; area: string };

const ORG_ROLES = new Set(['enterprise', 'lab', 'maintenanceUnit']);

export function useScope(): Scope {
  const { t } = useTranslation();
  const { session } = useSession();
  const names = useRefNames();
  const user = session?.user;
  if (user?.role === 'townOfficer' && user.townCode)
    return { kind: 'town', townCode: user.townCode, area: names.town(user.townCode) };
  if (user && ORG_ROLES.has(user.role)) return { kind: 'enterprise', area: t('scope.ownEnterprise') };
  return { kind: 'city', area: t('scope.city') };
}
