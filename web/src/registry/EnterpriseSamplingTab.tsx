/**
 * The 抽查 tab of an enterprise's page: the supervisory samples taken from it, their verdicts and
 * the post-processing of the failed ones. An enterprise user reads its own list
 * (/api/v1/sampling/mine/samples); officials read the enterprise's samples by USCC
 * (/api/v1/sampling/samples?uscc=).
 */
import { useQuery } from '@tanstack/react-query';
import { Empty, Spin, Table, type TableColumnsType, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, isApiError } from '../api/client';
import { useSession } from '../auth/session';
import type { SampleSummary } from '../sampling/api';
import { samplingApi } from '../sampling/api';
import { CaseStateTag, SampleStateTag, VerdictTag } from '../sampling/common';

export default function EnterpriseSamplingTab({
  uscc,
  enterpriseId,
}: {
  uscc: string;
  enterpriseId: string;
}) {
  const { t } = useTranslation();
  const { can, session } = useSession();
  const own = can('sampling.object') && session?.user.enterpriseId === enterpriseId;
  const { data, isPending, error } = useQuery({
    queryKey: ['sampling', 'enterprise-samples', uscc],
    queryFn: ({ signal }) =>
      own
        ? samplingApi.mine(signal)
        : api.get<{ items: SampleSummary[] }>('/api/v1/sampling/samples', { uscc }, signal),
    meta: { silent: true },
  });

  const columns: TableColumnsType<SampleSummary> = [
    {
      title: t('sampling.sample.sampleNo'),
      dataIndex: 'sampleNo',
      width: 190,
      render: (v: string, s) => (
        <Link
          to={`/sampling/samples/${s.id}`}
          style={{ fontFamily: 'monospace' }}
          data-testid="enterprise-sample-link"
        >
          {v}
        </Link>
      ),
    },
    { title: t('sampling.sample.productName'), dataIndex: 'productName', minWidth: 120 },
    {
      title: t('sampling.plan.category'),
      key: 'category',
      width: 130,
      render: (_: unknown, s) => s.category.name,
    },
    {
      title: t('sampling.task.plan'),
      key: 'plan',
      minWidth: 180,
      render: (_: unknown, s) => s.planTitle ?? s.plan?.title ?? '—',
    },
    { title: t('sampling.sample.sampledOn'), dataIndex: 'sampledOn', width: 110 },
    {
      title: t('sampling.sample.state'),
      dataIndex: 'state',
      width: 100,
      render: (v: SampleSummary['state']) => <SampleStateTag state={v} />,
    },
    {
      title: t('sampling.sample.verdict'),
      key: 'verdict',
      width: 170,
      render: (_: unknown, s) => <VerdictTag verdict={s.verdict} severity={s.severity} />,
    },
    {
      title: t('sampling.mine.case'),
      key: 'case',
      width: 200,
      render: (_: unknown, s) =>
        s.case ? (
          <Link to={`/sampling/cases/${s.case.id}`}>
            <CaseStateTag state={s.case.state} label={s.case.stateLabel} />
          </Link>
        ) : (
          '—'
        ),
    },
  ];

  if (isPending) return <Spin />;
  if (error && !(isApiError(error) && error.status === 404))
    return (
      <Typography.Text type="danger">
        {isApiError(error) ? error.localizedMessage : String(error)}
      </Typography.Text>
    );
  const items = data?.items ?? [];
  if (!items.length)
    return <Empty description={t('sampling.enterpriseTab.empty')} data-testid="enterprise-samples-empty" />;
  return (
    <Table
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={items}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: 1100 }}
      data-testid="enterprise-samples"
    />
  );
}
