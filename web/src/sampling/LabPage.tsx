/** 检验录入: the samples sent to the user's lab — to test, and reported — each opening its entry page. */
import { useQuery } from '@tanstack/react-query';
import { Card, Space, Table, type TableColumnsType, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import PageTitle from '../components/PageTitle';
import { useUrlFilters } from '../credit/common';
import { type SampleState, type SampleSummary, samplingApi, samplingKeys } from './api';
import { mono, SampleStateTag, VerdictTag } from './common';

export default function LabPage() {
  const { t } = useTranslation();
  const [params, setFilter] = useUrlFilters();
  const state = (params.get('state') as SampleState | null) ?? 'sentToLab';
  // One list: samples sent here to test, re-tests assigned here (whatever their state), reported.
  const { data, isPending } = useQuery({
    queryKey: samplingKeys.lab(),
    queryFn: ({ signal }) => samplingApi.labSamples(undefined, signal),
  });
  const toTest = (s: SampleSummary) => s.state === 'sentToLab' || !!s.retest;
  const rows = (data?.items ?? []).filter((s) => (state === 'sentToLab' ? toTest(s) : !toTest(s)));

  const columns: TableColumnsType<SampleSummary> = [
    {
      title: t('sampling.sample.sampleNo'),
      dataIndex: 'sampleNo',
      width: 170,
      render: (v: string, s) => (
        <Space size={6}>
          <Link to={`/sampling/samples/${s.id}`} data-testid="lab-sample-link">
            <span style={mono}>{v}</span>
          </Link>
          {s.retest && <Tag color="purple">{t('sampling.lab.retest')}</Tag>}
        </Space>
      ),
    },
    { title: t('sampling.sample.productName'), dataIndex: 'productName' },
    { title: t('sampling.plan.category'), key: 'category', render: (_: unknown, s) => s.category.name },
    {
      title: t('sampling.sample.producer'),
      key: 'enterprise',
      render: (_: unknown, s) => s.enterprise?.name ?? '—',
    },
    { title: t('sampling.sample.sampledOn'), dataIndex: 'sampledOn', width: 110 },
    {
      title: t('sampling.sample.state'),
      dataIndex: 'state',
      width: 100,
      render: (v: SampleState) => <SampleStateTag state={v} />,
    },
    {
      title: t('sampling.sample.verdict'),
      key: 'verdict',
      width: 160,
      render: (_: unknown, s) => <VerdictTag verdict={s.verdict} severity={s.severity} />,
    },
    {
      title: t('sampling.sample.reportedOn'),
      dataIndex: 'reportedOn',
      width: 110,
      render: (v: string | null) => v ?? '—',
    },
  ];

  return (
    <>
      <PageTitle title={t('sampling.lab.title')} subtitle={t('sampling.lab.subtitle')} />
      <Card styles={{ body: { paddingTop: 4 } }}>
        <Tabs
          activeKey={state}
          onChange={(k) => setFilter({ state: k === 'sentToLab' ? undefined : k })}
          items={[
            {
              key: 'sentToLab',
              label: `${t('sampling.lab.toTest')} (${(data?.items ?? []).filter(toTest).length})`,
            },
            { key: 'reported', label: t('sampling.lab.reported') },
          ]}
        />
        <Table
          rowKey="id"
          size="middle"
          loading={isPending}
          columns={columns}
          dataSource={rows}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 960 }}
          locale={{
            emptyText: (
              <Typography.Text type="secondary">
                {state === 'sentToLab' ? t('sampling.lab.emptyToTest') : t('common.empty')}
              </Typography.Text>
            ),
          }}
          data-testid="lab-table"
        />
      </Card>
    </>
  );
}
