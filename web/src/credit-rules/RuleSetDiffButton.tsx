/**
 * 与上一版本比较: a button that opens the changes from the previous version of a rule set to this
 * one, as the server words them (GET /rule-sets/:id/diff) — added green, removed red, changed as
 * before → after.
 */
import { DiffOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Empty, Modal, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, pickText } from '../api/client';
import type { Text } from '../api/credit';

export type RuleSetChange = {
  kind: 'added' | 'removed' | 'changed';
  area: string;
  key: string;
  what: Text;
  before: Text | null;
  after: Text | null;
};
export type RuleSetDiff = {
  id: string;
  from: { version: number; status: string; effectiveFrom: string };
  to: { version: number; status: string; effectiveFrom: string };
  changes: RuleSetChange[];
};

const KIND_COLOR = { added: 'success', removed: 'error', changed: 'processing' } as const;

export default function RuleSetDiffButton({ id, version }: { id: string; version: number }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const from = version - 1;
  const { data, isPending, error } = useQuery({
    queryKey: ['credit', 'rule-sets', id, 'diff', from, version],
    queryFn: ({ signal }) =>
      api.get<RuleSetDiff>(
        `/api/v1/credit/rule-sets/${encodeURIComponent(id)}/diff`,
        { from, to: version },
        signal,
      ),
    enabled: open,
  });
  if (from < 1) return null;

  const columns: TableColumnsType<RuleSetChange> = [
    {
      title: '',
      key: 'kind',
      width: 72,
      render: (_, c) => <Tag color={KIND_COLOR[c.kind]}>{t(`ruleVersions.kind.${c.kind}`)}</Tag>,
    },
    { title: t('ruleVersions.what'), key: 'what', width: 260, render: (_, c) => pickText(c.what) },
    {
      title: `${t('ruleVersions.before')} → ${t('ruleVersions.after')}`,
      key: 'values',
      render: (_, c) => (
        <span data-testid="ruleset-diff-values">
          {c.before && (
            <Typography.Text
              type={c.kind === 'removed' ? 'danger' : 'secondary'}
              delete={c.kind === 'changed'}
            >
              {pickText(c.before)}
            </Typography.Text>
          )}
          {c.before && c.after && ' → '}
          {c.after && (
            <Typography.Text type={c.kind === 'added' ? 'success' : undefined} strong={c.kind === 'changed'}>
              {pickText(c.after)}
            </Typography.Text>
          )}
        </span>
      ),
    },
  ];

  return (
    <>
      <Button icon={<DiffOutlined />} onClick={() => setOpen(true)} data-testid="ruleset-compare">
        {t('ruleVersions.compare')}
      </Button>
      <Modal
        open={open}
        width={960}
        footer={null}
        onCancel={() => setOpen(false)}
        title={t('ruleVersions.compareTitle', { id, from, to: version })}
      >
        {error ? (
          <Alert type="error" showIcon title={t('ruleVersions.loadFailed')} />
        ) : data && data.changes.length === 0 ? (
          <Empty description={t('ruleVersions.noChanges')} />
        ) : (
          <Table<RuleSetChange>
            data-testid="ruleset-diff"
            size="small"
            rowKey={(c) => `${c.area}/${c.key}/${pickText(c.what)}`}
            columns={columns}
            dataSource={data?.changes ?? []}
            loading={isPending}
            pagination={false}
            rowClassName={(c) => `ruleset-diff-${c.kind}`}
          />
        )}
      </Modal>
    </>
  );
}
