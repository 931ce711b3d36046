/**
 * 后处理: the post-processing queue of failed samples, ordered by the current step's due date;
 * a case past its due date is red. Open cases by default; closed ones on request.
 */
import { useQuery } from '@tanstack/react-query';
import { Card, Flex, Segmented, Select, Table, type TableColumnsType, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useRefNames } from '../api/reference';
import { useScope } from '../app/scope';
import { businessToday } from '../components/format';
import PageTitle from '../components/PageTitle';
import { OVERDUE_ROW_STYLE, useUrlFilters } from '../credit/common';
import { type CaseSummary, CLOSED_CASE_STATES, samplingApi, samplingKeys } from './api';
import { CASE_STATES, CaseStateTag, mono, useCaseStateText } from './common';

export function isOverdue(c: Pick<CaseSummary, 'dueOn' | 'overdue'>, today: string): boolean {
  return c.overdue ?? (c.dueOn !== null && today > c.dueOn);
}

export default function CasesPage() {
  const { t } = useTranslation();
  const names = useRefNames();
  const scope = useScope();
  const stateText = useCaseStateText();
  const [params, setFilter] = useUrlFilters();
  const closed = params.get('closed') === '1';
  const state = params.get('state') ?? '';
  const q = { state: state || (closed ? 'closed' : 'open') };
  const { data, isPending } = useQuery({
    queryKey: samplingKeys.cases(q),
    queryFn: ({ signal }) => samplingApi.cases(q, signal),
  });
  const today = businessToday().format('YYYY-MM-DD');
  const rows = useMemo(() => {
    const list = (data?.items ?? []).filter((c) => CLOSED_CASE_STATES.includes(c.state) === closed);
    // By due date, the nearest first; cases with no due date last.
    return [...list].sort((a, b) => (a.dueOn ?? '9999').localeCompare(b.dueOn ?? '9999'));
  }, [data, closed]);
  const overdueCount = rows.filter((c) => isOverdue(c, today)).length;

  const columns: TableColumnsType<CaseSummary> = [
    {
      title: t('sampling.cases.dueOnCol'),
      dataIndex: 'dueOn',
      width: 130,
      render: (v: string | null, c) =>
        v ? (
          <Typography.Text type={isOverdue(c, today) ? 'danger' : undefined} strong={isOverdue(c, today)}>
            {v}
            {isOverdue(c, today) && (
              <Tag color="red" style={{ marginInlineStart: 6 }} data-testid="case-overdue">
                {t('sampling.cases.overdue')}
              </Tag>
            )}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      title: t('sampling.cases.state'),
      dataIndex: 'state',
      width: 190,
      render: (_: unknown, c) => <CaseStateTag state={c.state} label={c.stateLabel} />,
    },
    {
      title: t('sampling.sample.producer'),
      key: 'enterprise',
      render: (_: unknown, c) => (
        <Link to={`/sampling/cases/${c.id}`} data-testid="case-link">
          {c.enterprise.name}
        </Link>
      ),
    },
    {
      title: t('sampling.sample.sampleNo'),
      key: 'sampleNo',
      width: 170,
      render: (_: unknown, c) => <span style={mono}>{c.sampleNo}</span>,
    },
    {
      title: t('sampling.sample.productName'),
      key: 'product',
      render: (_: unknown, c) => c.productName || '—',
    },
    {
      title: t('enterprise.town'),
      key: 'town',
      width: 100,
      render: (_: unknown, c) => names.town(c.townCode) || '—',
    },
  ];

  return (
    <>
      <PageTitle
        title={t('sampling.cases.title')}
        subtitle={t('sampling.cases.subtitle', { area: scope.area })}
        extra={
          overdueCount > 0 && (
            <Tag color="red" style={{ fontSize: 14, padding: '4px 10px' }} data-testid="cases-overdue-count">
              {t('sampling.cases.overdueCount', { n: overdueCount })}
            </Tag>
          )
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }}>
          <Segmented
            value={closed ? 'closed' : 'open'}
            onChange={(v) => setFilter({ closed: v === 'closed' ? '1' : undefined, state: undefined })}
            options={[
              { value: 'open', label: t('sampling.cases.open') },
              { value: 'closed', label: t('sampling.cases.closed') },
            ]}
          />
          <Select
            allowClear
            placeholder={t('sampling.cases.state')}
            style={{ width: 240 }}
            value={state || undefined}
            onChange={(v) => setFilter({ state: v })}
            options={CASE_STATES.filter((s) => CLOSED_CASE_STATES.includes(s) === closed).map((s) => ({
              value: s,
              label: stateText(s),
            }))}
          />
        </Flex>
        <Table
          rowKey="id"
          size="middle"
          loading={isPending}
          columns={columns}
          dataSource={rows}
          onRow={(c) => (isOverdue(c, today) ? { style: OVERDUE_ROW_STYLE } : {})}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 960 }}
          data-testid="cases-table"
        />
      </Card>
    </>
  );
}
