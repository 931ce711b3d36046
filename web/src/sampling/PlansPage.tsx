/** 抽查计划: the plans of a year (drafts, published, superseded versions), a new one, the draw. */
import { ExperimentOutlined, PlusOutlined, TeamOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Select, Space, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../auth/session';
import { businessToday, formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import { useUrlFilters } from '../credit/common';
import { PLAN_STATES, type PlanSummary, samplingApi, samplingKeys } from './api';
import { PlanStateTag } from './common';

export default function PlansPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const [params, setFilter] = useUrlFilters();
  const year = params.get('year') ?? '';
  const state = params.get('state') ?? '';
  const q = { year: year ? Number(year) : undefined, state: state || undefined };
  const { data, isPending } = useQuery({
    queryKey: samplingKeys.plans(q),
    queryFn: ({ signal }) => samplingApi.plans(q, signal),
  });
  const thisYear = businessToday().year();
  const years = Array.from({ length: 6 }, (_, i) => thisYear + 1 - i);

  const columns: TableColumnsType<PlanSummary> = [
    {
      title: t('sampling.plan.code'),
      dataIndex: 'code',
      width: 140,
      render: (v: string, p) => (
        <Link to={`/sampling/plans/${p.id}`} data-testid="plan-link">
          <span style={{ fontFamily: 'monospace' }}>{v}</span>
        </Link>
      ),
    },
    {
      title: t('sampling.plan.title'),
      dataIndex: 'title',
      minWidth: 280,
      render: (v: string, p) => (
        <Space size={6} wrap>
          <Link to={`/sampling/plans/${p.id}`}>{v}</Link>
          {p.version > 1 && <Tag>{t('sampling.plan.versionN', { n: p.version })}</Tag>}
        </Space>
      ),
    },
    { title: t('sampling.plan.year'), dataIndex: 'year', width: 70 },
    {
      title: t('sampling.plan.kind'),
      dataIndex: 'kind',
      width: 110,
      render: (v: string) => t(`sampling.kind.${v}`, { defaultValue: v }),
    },
    {
      title: t('sampling.plan.level'),
      dataIndex: 'level',
      width: 80,
      render: (v: string) => t(`sampling.level.${v}`, { defaultValue: v }),
    },
    { title: t('sampling.plan.categoryCount'), dataIndex: 'categories', width: 80, align: 'right' },
    {
      title: t('sampling.plan.townCount'),
      dataIndex: 'towns',
      width: 70,
      align: 'right',
      render: (n: number) => (n === 0 ? t('sampling.plan.wholeCity') : n),
    },
    {
      title: t('sampling.plan.state'),
      dataIndex: 'state',
      width: 100,
      render: (_: unknown, p) => <PlanStateTag state={p.state} />,
    },
    {
      title: t('sampling.plan.publishedAt'),
      dataIndex: 'publishedAt',
      width: 140,
      render: (v: string | null) => formatDateTime(v),
    },
    {
      title: t('sampling.plan.draw'),
      key: 'draw',
      width: 120,
      render: (_: unknown, p) =>
        p.drawn ? (
          <Link to={`/sampling/plans/${p.id}/draw`}>
            <Tag color="blue">{t('sampling.plan.drawn')}</Tag>
          </Link>
        ) : p.state === 'published' && can('sampling.draw') ? (
          <Link to={`/sampling/plans/${p.id}/draw`} data-testid="plan-draw-link">
            <ExperimentOutlined /> {t('sampling.plan.toDraw')}
          </Link>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
  ];

  return (
    <>
      <PageTitle
        title={t('sampling.plans.title')}
        subtitle={t('sampling.plans.subtitle')}
        extra={
          <>
            <Button
              icon={<TeamOutlined />}
              onClick={() => navigate('/sampling/inspectors')}
              data-testid="plans-inspectors"
            >
              {t('sampling.inspectors.title')}
            </Button>
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => navigate('/sampling/plans/new')}
              data-testid="plan-create"
            >
              {t('sampling.plans.create')}
            </Button>
          </>
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <Select
            allowClear
            placeholder={t('sampling.plan.year')}
            style={{ width: 140 }}
            value={year || undefined}
            onChange={(v) => setFilter({ year: v })}
            options={years.map((y) => ({ value: String(y), label: t('sampling.plans.yearN', { n: y }) }))}
            data-testid="plans-year"
          />
          <Select
            allowClear
            placeholder={t('sampling.plan.state')}
            style={{ width: 140 }}
            value={state || undefined}
            onChange={(v) => setFilter({ state: v })}
            options={PLAN_STATES.map((s) => ({ value: s, label: t(`sampling.planState.${s}`) }))}
          />
        </Flex>
        <Table
          rowKey="id"
          size="middle"
          loading={isPending}
          columns={columns}
          dataSource={data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 1180 }}
          data-testid="plans-table"
        />
      </Card>
    </>
  );
}
