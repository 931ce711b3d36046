/** 信用总览: grades across the city (or the officer's town), the blacklist and the objection queue. */
import { ExclamationCircleOutlined, FieldTimeOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Flex, Row, Statistic, Table, Typography } from 'antd';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorMessage } from '../api/client';
import {
  BLACKLIST_STATES,
  type CreditStats,
  creditApi,
  GRADE_COLORS,
  GRADES,
  type Grade,
} from '../api/credit';
import { useRefNames } from '../api/reference';
import { useScope } from '../app/scope';
import Chart, { type ChartOption } from '../components/Chart';
import PageTitle from '../components/PageTitle';
import { BlacklistStateTag, creditKeys, formatRatio, useText } from './common';

const TOP_INDUSTRIES = 15;

type GroupRow = CreditStats['byTown'][number];
const rowTotal = (r: GroupRow) => r.A + r.B + r.C + r.D;

function stackedSeries(rows: GroupRow[], gradeName: (g: Grade) => string, horizontal: boolean) {
  return GRADES.map((g) => ({
    type: 'bar' as const,
    name: gradeName(g),
    stack: 'grade',
    barMaxWidth: horizontal ? 16 : 24,
    itemStyle: { color: GRADE_COLORS[g] },
    emphasis: { focus: 'series' as const },
    data: rows.map((r) => r[g]),
  }));
}

export default function CreditOverviewPage() {
  const { t } = useTranslation();
  const text = useText();
  const names = useRefNames();
  const scope = useScope();
  const stats = useQuery({
    queryKey: creditKeys.stats,
    queryFn: ({ signal }) => creditApi.stats(signal),
    meta: { silent: true },
  });
  const policy = useQuery({
    queryKey: creditKeys.policy,
    queryFn: ({ signal }) => creditApi.supervisionPolicy(signal),
    meta: { silent: true },
  });
  const data = stats.data;
  const total = data?.total ?? 0;
  const loading = stats.isPending;
  const noData = !loading && total === 0;
  const gradeName = useCallback((g: Grade) => `${g} ${t(`credit.grade.${g}`)}`, [t]);

  const townOption = useMemo<ChartOption>(() => {
    const rows = [...(data?.byTown ?? [])].sort((a, b) => rowTotal(b) - rowTotal(a));
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0, icon: 'roundRect' },
      grid: { left: 8, right: 16, top: 36, bottom: 4, containLabel: true },
      xAxis: {
        type: 'category',
        data: rows.map((r) => names.town(r.code, r.name)),
        axisLabel: { interval: 0, rotate: 45, fontSize: 10 },
        axisTick: { alignWithLabel: true },
      },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f5' } } },
      series: stackedSeries(rows, gradeName, false),
    } as ChartOption;
  }, [data, names, gradeName]);

  const industryRows = useMemo(
    () =>
      [...(data?.byIndustry ?? [])]
        .filter((r) => rowTotal(r) > 0)
        .sort((a, b) => rowTotal(b) - rowTotal(a))
        .slice(0, TOP_INDUSTRIES)
        .reverse(),
    [data],
  );

  // Each industry's grades as shares of that industry, so every bar spans the axis: on a count
  // axis manufacturing (most of the city's enterprises) dwarfed the others, which shrank to stubs.
  // The industry's size is written at the end of its bar; the tooltip gives counts and shares.
  const industryOption = useMemo<ChartOption>(() => {
    const rows = industryRows;
    const label = (r: GroupRow) => `${r.code} ${names.industry(r.code, r.name)}`;
    type Param = { dataIndex: number; seriesIndex: number; marker: string; seriesName: string };
    return {
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (params: unknown) => {
          const list = (Array.isArray(params) ? params : [params]) as Param[];
          const r = rows[list[0]?.dataIndex ?? -1];
          if (!r) return '';
          const n = rowTotal(r);
          const lines = list.map((p) => {
            const count = r[GRADES[p.seriesIndex]!];
            return `${p.marker}${p.seriesName}: ${count}${t('common.unit')} (${formatRatio(count / n)})`;
          });
          return [`${label(r)} · ${n}${t('common.unit')}`, ...lines].join('<br/>');
        },
      },
      legend: { top: 0, icon: 'roundRect' },
      grid: { left: 8, right: 56, top: 36, bottom: 4, containLabel: true },
      xAxis: {
        type: 'value',
        min: 0,
        max: 100,
        interval: 20,
        axisLabel: { formatter: '{value}%' },
        splitLine: { lineStyle: { color: '#eef1f5' } },
      },
      yAxis: {
        type: 'category',
        data: rows.map(label),
        axisLabel: { fontSize: 11, width: 180, overflow: 'truncate' },
      },
      series: GRADES.map((g, i) => ({
        type: 'bar' as const,
        name: gradeName(g),
        stack: 'grade',
        barMaxWidth: 16,
        itemStyle: { color: GRADE_COLORS[g] },
        emphasis: { focus: 'series' as const },
        data: rows.map((r) => (r[g] / rowTotal(r)) * 100),
        // The last segment carries the industry's size past the end of the bar.
        ...(i === GRADES.length - 1
          ? {
              label: {
                show: true,
                position: 'right' as const,
                fontSize: 11,
                color: '#5f6b7a',
                formatter: (p: { dataIndex: number }) => `${rowTotal(rows[p.dataIndex]!)}${t('common.unit')}`,
              },
            }
          : {}),
      })),
    } as ChartOption;
  }, [industryRows, names, gradeName, t]);

  const pieOption = useMemo<ChartOption>(
    () =>
      ({
        tooltip: { trigger: 'item', formatter: '{b}<br/>{c}（{d}%）' },
        legend: { bottom: 0, icon: 'circle', itemGap: 12 },
        series: [
          {
            type: 'pie',
            name: t('credit.overview.byGrade'),
            radius: ['40%', '66%'],
            center: ['50%', '44%'],
            label: { formatter: '{d}%', fontSize: 12 },
            itemStyle: { borderColor: '#fff', borderWidth: 2 },
            data: GRADES.map((g) => {
              const value = data?.byGrade?.[g] ?? 0;
              return {
                name: gradeName(g),
                value,
                itemStyle: { color: GRADE_COLORS[g] },
                // Empty grades stay in the legend but get no "0%" label.
                ...(value === 0 ? { label: { show: false }, labelLine: { show: false } } : {}),
              };
            }),
          },
        ],
      }) as ChartOption,
    [data, t, gradeName],
  );

  return (
    <>
      {stats.error && (
        <Alert type="error" showIcon title={errorMessage(stats.error)} style={{ marginBottom: 16 }} />
      )}
      <PageTitle
        title={t('credit.overview.title')}
        subtitle={
          data
            ? t('credit.overview.subtitle', { date: data.asOf, total, area: scope.area })
            : t('credit.overview.subtitleLoading', { area: scope.area })
        }
      />
      <Row gutter={[16, 16]}>
        {GRADES.map((g) => {
          const n = data?.byGrade?.[g] ?? 0;
          return (
            <Col xs={12} xl={6} key={g}>
              <Card
                loading={loading}
                style={{ height: '100%', borderTop: `3px solid ${GRADE_COLORS[g]}` }}
                data-testid={`credit-stat-${g}`}
              >
                <Statistic
                  title={gradeName(g)}
                  value={n}
                  suffix={t('common.unit')}
                  styles={{ content: { color: GRADE_COLORS[g] } }}
                />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('credit.overview.share', { pct: total ? formatRatio(n / total) : '0%' })}
                  {policy.data?.grades?.[g] &&
                    ` · ${t('credit.page.drawRatio')} ${formatRatio(policy.data.grades[g].drawRatio)}`}
                </Typography.Text>
              </Card>
            </Col>
          );
        })}
        {/* One town's officer would see a single bar: the town chart is the city's. */}
        {scope.kind === 'city' && (
          <Col xs={24} xl={16}>
            <Card title={t('credit.overview.byTown')}>
              <Chart
                option={townOption}
                height={360}
                loading={loading}
                empty={noData}
                emptyText={t('credit.overview.noData')}
                data-testid="credit-town-chart"
              />
            </Card>
          </Col>
        )}
        <Col xs={24} xl={scope.kind === 'city' ? 8 : 10}>
          <Card title={t('credit.overview.byGrade')} style={{ height: '100%' }}>
            <Chart
              option={pieOption}
              height={360}
              loading={loading}
              empty={noData}
              emptyText={t('credit.overview.noData')}
              data-testid="credit-grade-pie"
            />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={t('credit.overview.byIndustry', { n: industryRows.length || TOP_INDUSTRIES })}>
            <Chart
              option={industryOption}
              height={420}
              loading={loading}
              empty={noData}
              emptyText={t('credit.overview.noData')}
              data-testid="credit-industry-chart"
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Flex vertical gap={16} style={{ height: '100%' }}>
            <Card
              title={t('credit.overview.objections')}
              extra={<Link to="/credit/objections">{t('credit.overview.toQueue')}</Link>}
            >
              <Row gutter={16}>
                <Col span={12}>
                  <Statistic
                    title={t('credit.overview.pending')}
                    value={data?.objections.pending ?? 0}
                    prefix={<FieldTimeOutlined />}
                    loading={loading}
                  />
                </Col>
                <Col span={12}>
                  <Statistic
                    title={t('credit.overview.overdue')}
                    value={data?.objections.overdue ?? 0}
                    prefix={<ExclamationCircleOutlined />}
                    loading={loading}
                    styles={{
                      content: { color: (data?.objections.overdue ?? 0) > 0 ? '#cf1322' : undefined },
                    }}
                  />
                </Col>
              </Row>
            </Card>
            <Card
              title={t('credit.overview.blacklist')}
              extra={<Link to="/credit/blacklist">{t('credit.overview.toQueue')}</Link>}
              loading={loading}
              data-testid="credit-blacklist-counts"
            >
              <Row gutter={[8, 12]}>
                {BLACKLIST_STATES.map((s) => (
                  <Col span={8} key={s}>
                    <Link to={`/credit/blacklist?state=${s}`}>
                      <Flex vertical gap={4} align="flex-start">
                        <BlacklistStateTag state={s} />
                        <Typography.Text strong style={{ fontSize: 20 }}>
                          {data?.blacklist?.[s] ?? 0}
                        </Typography.Text>
                      </Flex>
                    </Link>
                  </Col>
                ))}
              </Row>
            </Card>
            {policy.data && (
              <Card title={t('credit.overview.policy')} size="small">
                <Table
                  size="small"
                  pagination={false}
                  rowKey="grade"
                  dataSource={GRADES.map((g) => ({ grade: g, ...policy.data.grades[g] }))}
                  columns={[
                    {
                      title: t('credit.page.gradeCol'),
                      dataIndex: 'grade',
                      render: (g: Grade, r) => (
                        <Typography.Text strong style={{ color: GRADE_COLORS[g] }}>
                          {g} {text(r.label, t(`credit.grade.${g}`))}
                        </Typography.Text>
                      ),
                    },
                    {
                      title: t('credit.page.drawRatio'),
                      dataIndex: 'drawRatio',
                      align: 'right',
                      render: (v: number) => formatRatio(v),
                    },
                    {
                      title: t('credit.page.inspectionsPerYear'),
                      dataIndex: 'inspectionsPerYear',
                      align: 'right',
                    },
                    {
                      title: t('credit.page.onSiteCheck'),
                      dataIndex: 'onSiteCheck',
                      render: (v: string) => t(`credit.onSiteCheckShort.${v}`, { defaultValue: v }),
                    },
                  ]}
                />
                <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block', marginTop: 6 }}>
                  {t('credit.overview.policyRuleSet', {
                    id: policy.data.ruleSet.id,
                    version: policy.data.ruleSet.version,
                  })}
                </Typography.Text>
              </Card>
            )}
          </Flex>
        </Col>
      </Row>
    </>
  );
}
