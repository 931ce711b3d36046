import { CopyOutlined, EditOutlined, EyeOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Space, Table, type TableColumnsType, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { pickText } from '../api/client';
import { useSession } from '../auth/session';
import { formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import { fetchRuleSets, RuleSetStatusTag, ruleSetPath, useCopyRuleSet } from './shared';
import { RULE_SETS_KEY, type RuleSetMeta } from './types';

export default function RuleSetsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const canEdit = can('credit.rules');

  const { data, isPending, error } = useQuery({
    queryKey: RULE_SETS_KEY,
    queryFn: ({ signal }) => fetchRuleSets(signal),
  });
  const items = [...(data?.items ?? [])].sort((a, b) => a.id.localeCompare(b.id) || b.version - a.version);
  const inForce = items.find((m) => m.inForce);

  const copy = useCopyRuleSet();

  const columns: TableColumnsType<RuleSetMeta> = [
    {
      title: t('creditRules.name'),
      key: 'name',
      render: (_, m) => (
        <Link to={ruleSetPath(m)} data-testid="ruleset-link">
          {pickText(m.name) ?? m.id}
        </Link>
      ),
    },
    {
      title: t('creditRules.idVersion'),
      key: 'id',
      width: 150,
      render: (_, m) => (
        <Typography.Text style={{ fontFamily: 'monospace' }}>
          {m.id} · v{m.version}
        </Typography.Text>
      ),
    },
    {
      title: t('creditRules.statusLabel'),
      key: 'status',
      width: 96,
      render: (_, m) => <RuleSetStatusTag meta={m} />,
    },
    { title: t('creditRules.effectiveFrom'), dataIndex: 'effectiveFrom', key: 'effectiveFrom', width: 110 },
    {
      title: t('creditRules.createdAt'),
      key: 'created',
      width: 240,
      render: (_, m) => (
        <span>
          {formatDateTime(m.createdAt)}
          <Typography.Text type="secondary"> · {m.createdBy || '—'}</Typography.Text>
        </span>
      ),
    },
    {
      title: t('creditRules.publishedAt'),
      dataIndex: 'publishedAt',
      key: 'publishedAt',
      width: 140,
      render: (v: string | null) => formatDateTime(v),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 180,
      render: (_, m) => (
        <Space size={4}>
          <Button
            size="small"
            type="link"
            icon={m.status === 'draft' && canEdit ? <EditOutlined /> : <EyeOutlined />}
            onClick={() => navigate(ruleSetPath(m))}
          >
            {m.status === 'draft' && canEdit ? t('common.edit') : t('creditRules.view')}
          </Button>
          {canEdit && (
            <Tooltip title={t('creditRules.copyHint')}>
              <Button
                size="small"
                type="link"
                icon={<CopyOutlined />}
                loading={copy.isPending && copy.variables === m}
                onClick={() => copy.mutate(m)}
              >
                {t('creditRules.copy')}
              </Button>
            </Tooltip>
          )}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageTitle
        title={t('creditRules.listTitle')}
        subtitle={t('creditRules.listSubtitle')}
        extra={
          canEdit && (
            <Tooltip title={inForce ? undefined : t('creditRules.noneInForce')}>
              <Button
                type="primary"
                icon={<PlusOutlined />}
                disabled={!inForce}
                loading={copy.isPending && copy.variables === inForce}
                onClick={() => inForce && copy.mutate(inForce)}
                data-testid="ruleset-new-draft"
              >
                {t('creditRules.newDraft')}
              </Button>
            </Tooltip>
          )
        }
      />
      {inForce && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('creditRules.inForceNote', {
            name: pickText(inForce.name),
            version: inForce.version,
            date: inForce.effectiveFrom,
          })}
        />
      )}
      <Card styles={{ body: { padding: 0 } }}>
        <Table<RuleSetMeta>
          data-testid="ruleset-table"
          rowKey={(m) => `${m.id}/${m.version}`}
          columns={columns}
          dataSource={items}
          loading={isPending}
          pagination={false}
          scroll={{ x: 980 }}
          locale={{ emptyText: error ? t('errors.loadFailed') : t('creditRules.empty') }}
        />
      </Card>
    </>
  );
}
