/**
 * 我的抽查: an enterprise's own samples and their results. A failed sample in its objection window
 * shows the days left and two buttons: 提出异议 (choose the disputed items, state the reason — a
 * re-test of the backup sample follows) or 认可结论.
 */
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Empty, Flex, Skeleton, Space, Table, type TableColumnsType, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import PageTitle from '../components/PageTitle';
import { type CaseActionType, type SampleSummary, samplingApi, samplingKeys } from './api';
import { ActionModal, ObjectionCountdown, useItemNames } from './CasePage';
import { CaseStateTag, mono, SampleStateTag, VerdictTag } from './common';

function CasePanel({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const [action, setAction] = useState<CaseActionType | null>(null);
  const { data: c, isPending } = useQuery({
    queryKey: samplingKeys.case(caseId),
    queryFn: ({ signal }) => samplingApi.case(caseId, signal),
  });
  const itemName = useItemNames(c);
  if (isPending) return <Skeleton active paragraph={{ rows: 2 }} />;
  if (!c) return null;
  const can = (a: CaseActionType) => c.allowedActions?.includes(a);
  return (
    <div data-testid="mine-case">
      <ObjectionCountdown c={c} />
      <Flex gap={16} wrap align="center">
        <Typography.Text>
          {t('sampling.case.failedItems')}：{c.failedItems.map(itemName).join('、')}
        </Typography.Text>
        {c.objection && (
          <Typography.Text type="secondary">
            {t('sampling.mine.objectedOn', {
              date: c.objection.on,
              items: c.objection.items.map(itemName).join('、'),
            })}
          </Typography.Text>
        )}
      </Flex>
      <Space style={{ marginTop: 12 }} wrap>
        {can('object') && (
          <Button type="primary" onClick={() => setAction('object')} data-testid="mine-object">
            {t('sampling.caseAction.object')}
          </Button>
        )}
        {can('accept') && (
          <Button onClick={() => setAction('accept')} data-testid="mine-accept">
            {t('sampling.caseAction.accept')}
          </Button>
        )}
        <Link to={`/sampling/cases/${c.id}`}>{t('sampling.mine.caseTimeline')}</Link>
      </Space>
      <ActionModal c={c} action={action} onClose={() => setAction(null)} itemName={itemName} />
    </div>
  );
}

export default function MySamplesPage() {
  const { t } = useTranslation();
  const { data, isPending } = useQuery({
    queryKey: samplingKeys.mine,
    queryFn: ({ signal }) => samplingApi.mine(signal),
  });
  const items = data?.items ?? [];
  const openCase = (s: SampleSummary) => !!s.case;

  const columns: TableColumnsType<SampleSummary> = [
    {
      title: t('sampling.sample.sampleNo'),
      dataIndex: 'sampleNo',
      width: 200,
      render: (v: string, s) => (
        <Link to={`/sampling/samples/${s.id}`} data-testid="mine-sample-link">
          <span style={mono}>{v}</span>
        </Link>
      ),
    },
    { title: t('sampling.sample.productName'), dataIndex: 'productName', width: 140 },
    {
      title: t('sampling.plan.category'),
      key: 'category',
      width: 130,
      render: (_: unknown, s) => s.category.name,
    },
    {
      title: t('sampling.task.plan'),
      key: 'plan',
      minWidth: 200,
      render: (_: unknown, s) => (
        <Typography.Text ellipsis style={{ maxWidth: 220 }}>
          {s.planTitle ?? s.plan?.title}
        </Typography.Text>
      ),
    },
    { title: t('sampling.sample.sampledOn'), dataIndex: 'sampledOn', width: 110 },
    {
      title: t('sampling.sample.state'),
      dataIndex: 'state',
      width: 100,
      render: (v) => <SampleStateTag state={v} />,
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
      width: 190,
      render: (_: unknown, s) => (s.case ? <CaseStateTag state={s.case.state} /> : '—'),
    },
  ];

  return (
    <>
      <PageTitle title={t('sampling.mine.title')} subtitle={t('sampling.mine.subtitle')} />
      <Card>
        {isPending ? (
          <Skeleton active />
        ) : items.length === 0 ? (
          <Empty description={t('sampling.mine.empty')} data-testid="mine-empty" />
        ) : (
          <Table
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={items}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            scroll={{ x: 1000 }}
            expandable={{
              rowExpandable: openCase,
              defaultExpandedRowKeys: items
                .filter((s) => s.case?.state === 'objectionWindow')
                .map((s) => s.id),
              expandedRowRender: (s) => (s.case ? <CasePanel caseId={s.case.id} /> : null),
            }}
            data-testid="mine-table"
          />
        )}
      </Card>
    </>
  );
}
