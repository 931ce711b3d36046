/** Pieces both rule-set pages use: addresses, the status tag and "copy into a new draft". */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Tag } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { api, showSuccess } from '../api/client';
import type { ListOf } from '../api/types';
import { RULE_SETS_KEY, type RuleSetDetail, type RuleSetMeta } from './types';

export function ruleSetPath(m: Pick<RuleSetMeta, 'id' | 'version'>): string {
  return `/credit/rule-sets/${encodeURIComponent(m.id)}/${m.version}`;
}

export function ruleSetApi(m: Pick<RuleSetMeta, 'id' | 'version'>): string {
  return `/api/v1/credit/rule-sets/${encodeURIComponent(m.id)}/${m.version}`;
}

export function fetchRuleSets(signal?: AbortSignal) {
  return api.get<ListOf<RuleSetMeta>>('/api/v1/credit/rule-sets', undefined, signal);
}

/**
 * Where a version stands today: 现行 (in force), 将于 YYYY-MM-DD 生效 (published, its date ahead),
 * 已被取代 (published, superseded) or 草稿.
 */
export function RuleSetStatusTag({
  meta,
}: {
  meta: Pick<RuleSetMeta, 'status' | 'inForce' | 'effectiveFrom'> & { standing?: RuleSetMeta['standing'] };
}) {
  const { t } = useTranslation();
  const standing =
    meta.standing ?? (meta.inForce ? 'inForce' : meta.status === 'draft' ? 'draft' : 'superseded');
  if (standing === 'inForce')
    return (
      <Tag color="success" variant="solid" data-testid="ruleset-status">
        {t('creditRules.status.inForce')}
      </Tag>
    );
  if (standing === 'scheduled')
    return (
      <Tag color="blue" data-testid="ruleset-status">
        {t('ruleVersions.standing.scheduled', { date: meta.effectiveFrom })}
      </Tag>
    );
  if (standing === 'superseded')
    return <Tag data-testid="ruleset-status">{t('ruleVersions.standing.superseded')}</Tag>;
  return (
    <Tag color="gold" data-testid="ruleset-status">
      {t('creditRules.status.draft')}
    </Tag>
  );
}

/**
 * Copies a rule set into a new draft of the same id (the server gives it the next free version)
 * and opens the draft in the editor.
 */
export function useCopyRuleSet() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  return useMutation({
    mutationFn: async (source: Pick<RuleSetMeta, 'id' | 'version'>) => {
      const [detail, list] = await Promise.all([
        api.get<RuleSetDetail>(ruleSetApi(source)),
        qc.fetchQuery({ queryKey: RULE_SETS_KEY, queryFn: ({ signal }) => fetchRuleSets(signal) }),
      ]);
      const taken = list.items.filter((m) => m.id === source.id).map((m) => m.version);
      const version = Math.max(source.version, ...taken) + 1;
      // A set can only be published to take force today or later: a copy of one already in force
      // starts from tomorrow, for the official to change.
      const tomorrow = dayjs().add(1, 'day').format('YYYY-MM-DD');
      const inPast = detail.body.effectiveFrom < tomorrow;
      const effectiveFrom = inPast ? tomorrow : detail.body.effectiveFrom;
      return api.post<RuleSetMeta>('/api/v1/credit/rule-sets', {
        body: { ...detail.body, version, effectiveFrom },
      });
    },
    onSuccess: (meta) => {
      void qc.invalidateQueries({ queryKey: RULE_SETS_KEY });
      showSuccess(t('creditRules.draftCreated', { version: meta.version }));
      navigate(ruleSetPath(meta));
    },
  });
}
