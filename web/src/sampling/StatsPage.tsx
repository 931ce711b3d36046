/**
 * 抽查统计: pass rates of supervisory sampling by year (a line against the 95 % target), by town
 * (bars) and by product category (a table), the headline "制造业产品监督抽查合格率连续三年≥95%",
 * the share of samples by the credit grade the draw saw; filters by years, town and category; the
 * same figures as an Excel workbook.
 */
import { CheckCircleFilled, CloseCircleFilled, DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Flex, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client';
import { GRADE_COLORS } from '../api/credit';
import { useIsEnglish } from '../api/reference';
import { useScope } from '../app/scope';
import Chart, { type ChartOption } from '../components/Chart';
import { businessToday } from '../components/format';
import PageTitle from '../components/PageTitle';
import { TownSelect } from '../components/RefSelects';
import { useUrlFilters } from '../credit/common';
import { type SamplingStats, type StatsQuery, samplingApi, samplingKeys } from './api';
import { lineOption } from './charts';
import { CategorySelect, formatRate } from './common';

const pct = (r: number | null) => (r === null ? null : Math.round(r * 1000) / 10);

/** A pass-rate trend in 120×24 px: 50 %–100 % top to bottom, the target dashed, each year a dot. */
function Sparkline({
  points,
  threshold,
}: {
  points: SamplingStats['byCategory'][number]['trend'];
  threshold: number;
}) {
  const w = 120;
  const h = 24;
  const x = (i: number) => (points.length <= 1 ? w / 2 : 4 + (i * (w - 8)) / (points.length - 1));
  const y = (rate: number) => 2 + (1 - Math.max(0, (Math.min(1, rate) - 0.5) / 0.5)) * (h - 4);
  const known = points
    .map((p, i) => ({ i, rate: p.rate }))
    .filter((p): p is { i: number; rate: number } => p.rate !== null);
  const title = points.map((p) => `${p.year}: ${formatRate(p.rate)}`).join('  ');
  return (
    <svg width={w} height={h} role="img" aria-label={title} data-testid="stats-sparkline">
      <title>{title}</title>
      <line
        x1={0}
        x2={w}
        y1={y(threshold)}
        y2={y(threshold)}
        stroke="#cf1322"
        strokeDasharray="3 3"
        strokeWidth={1}
        opacity={0.6}
      />
      <polyline
        fill="none"
        stroke="#1f4e9c"
        strokeWidth={1.5}
        points={known.map((p) => `${x(p.i)},${y(p.rate)}`).join(' ')}
      />
      {known.map((p) => (
        <circle
          key={p.i}
          cx={x(p.i)}
          cy={y(p.rate)}
          r={2}
          fill={p.rate < threshold ? '#cf1322' : '#1f4e9c'}
        />
      ))}
    </svg>
  );
}

export default function StatsPage() {
  const { t } = useTranslation();
  const en = useIsEnglish();
  const scope = useScope();
  const [params, setFilter] = useUrlFilters();
  const thisYear = businessToday().year();
  const q: StatsQuery = {
    from: params.get('from') ? Number(params.get('from')) : undefined,
    to: params.get('to') ? Number(params.get('to')) : undefined,
    town: scope.kind === 'town' ? undefined : (params.get('town') ?? undefined),
    category: params.get('category') ?? undefined,
  };
  const stats = useQuery({
    queryKey: samplingKeys.stats(q),
    queryFn: ({ signal }) => samplingApi.stats(q, signal),
    meta: { silent: true },
  });
  const d = stats.data;
  const name = useCallback((r: { name: string; nameEn: string }) => (en ? r.nameEn || r.name : r.name), [en]);
  const years = Array.from({ length: 10 }, (_, i) => thisYear - i);
  const threshold = d?.indicator.threshold ?? 0.95;

  const yearOption = useMemo<ChartOption>(() => {
    const rows = d?.byYear ?? [];
    return lineOption({
      tooltip: {
        trigger: 'axis',
        formatter: (p: unknown) => {
          const first = (Array.isArray(p) ? p : [p])[0] as { dataIndex: number };
          const r = rows[first?.dataIndex ?? -1];
          if (!r) return '';
          return `${r.year}<br/>${t('sampling.stats.rate')}: ${formatRate(r.rate)}<br/>${t('sampling.stats.samples')}: ${r.samples} · ${t('sampling.stats.failed')}: ${r.failed}`;
        },
      },
      grid: { left: 8, right: 48, top: 24, bottom: 4, containLabel: true },
      xAxis: { type: 'category', data: rows.map((r) => String(r.year)) },
      yAxis: {
        type: 'value',
        min: (v: { min: number }) => Math.max(0, Math.floor(Math.min(v.min, threshold * 100) - 5)),
        max: 100,
        axisLabel: { formatter: '{value}%' },
        splitLine: { lineStyle: { color: '#eef1f5' } },
      },
      series: {
        type: 'line',
        name: t('sampling.stats.rate'),
        data: rows.map((r) => pct(r.rate)),
        symbolSize: 8,
        connectNulls: false,
        label: { show: true, formatter: '{c}%', fontSize: 11 },
        lineStyle: { width: 3, color: '#1f4e9c' },
        itemStyle: { color: '#1f4e9c' },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { type: 'dashed', color: '#cf1322' },
          label: { formatter: `${Math.round(threshold * 100)}%`, color: '#cf1322', position: 'end' },
          data: [{ yAxis: threshold * 100 }],
        },
      },
    });
  }, [d, t, threshold]);

  const townOption = useMemo<ChartOption>(() => {
    const rows = [...(d?.byTown ?? [])]
      .filter((r) => r.samples > 0)
      .sort((a, b) => (a.rate ?? 0) - (b.rate ?? 0));
    return {
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (p: unknown) => {
          const first = (Array.isArray(p) ? p : [p])[0] as { dataIndex: number };
          const r = rows[first?.dataIndex ?? -1];
          if (!r) return '';
          return `${name(r)}<br/>${t('sampling.stats.rate')}: ${formatRate(r.rate)}<br/>${t('sampling.stats.samples')}: ${r.samples} · ${t('sampling.stats.failed')}: ${r.failed}`;
        },
      },
      grid: { left: 8, right: 16, top: 16, bottom: 4, containLabel: true },
      xAxis: {
        type: 'category',
        data: rows.map(name),
        axisLabel: { interval: 0, rotate: 45, fontSize: 10 },
        axisTick: { alignWithLabel: true },
      },
      yAxis: {
        type: 'value',
        max: 100,
        axisLabel: { formatter: '{value}%' },
        splitLine: { lineStyle: { color: '#eef1f5' } },
      },
      series: [
        {
          type: 'bar',
          name: t('sampling.stats.rate'),
          barMaxWidth: 18,
          data: rows.map((r) => ({
            value: pct(r.rate),
            itemStyle: { color: (r.rate ?? 0) < threshold ? '#e06c5b' : '#3a7bd5' },
          })),
        },
      ],
    } as ChartOption;
  }, [d, t, name, threshold]);

  const rateColumns = [
    { title: t('sampling.stats.samples'), dataIndex: 'samples', align: 'right' as const, width: 90 },
    { title: t('sampling.stats.passed'), dataIndex: 'passed', align: 'right' as const, width: 90 },
    {
      title: t('sampling.stats.failed'),
      dataIndex: 'failed',
      align: 'right' as const,
      width: 90,
      render: (v: number) => (v ? <Typography.Text type="danger">{v}</Typography.Text> : v),
    },
    {
      title: t('sampling.stats.rate'),
      dataIndex: 'rate',
      align: 'right' as const,
      width: 100,
      render: (v: number | null) => (
        <Typography.Text strong type={v !== null && v < threshold ? 'danger' : undefined}>
          {formatRate(v)}
        </Typography.Text>
      ),
    },
  ];

  const indicator = d?.indicator;
  const exportQuery = { ...q, town: q.town };

  return (
    <>
      <PageTitle
        title={t('sampling.stats.title', { area: d?.town ? name(d.town) : scope.area })}
        subtitle={d ? t('sampling.stats.subtitle', { from: d.from, to: d.to, asOf: d.asOf }) : undefined}
        extra={
          <Button
            icon={<DownloadOutlined />}
            href={samplingApi.statsXlsxUrl(exportQuery)}
            data-testid="stats-export"
          >
            {t('sampling.stats.export')}
          </Button>
        }
      />
      <Card size="small" style={{ marginBottom: 16 }}>
        <Flex gap={12} wrap align="center">
          <Select
            allowClear
            placeholder={t('sampling.stats.from')}
            style={{ width: 130 }}
            value={params.get('from') ?? undefined}
            onChange={(v) => setFilter({ from: v })}
            options={years.map((y) => ({ value: String(y), label: String(y) }))}
            data-testid="stats-from"
          />
          <span>—</span>
          <Select
            allowClear
            placeholder={t('sampling.stats.to')}
            style={{ width: 130 }}
            value={params.get('to') ?? undefined}
            onChange={(v) => setFilter({ to: v })}
            options={years.map((y) => ({ value: String(y), label: String(y) }))}
            data-testid="stats-to"
          />
          {scope.kind !== 'town' && (
            <TownSelect
              value={params.get('town')}
              onChange={(v) => setFilter({ town: v })}
              style={{ width: 180 }}
              placeholder={t('sampling.stats.allTowns')}
            />
          )}
          <CategorySelect
            allowClear
            value={params.get('category') ?? undefined}
            onChange={(v) => setFilter({ category: v })}
            style={{ width: 240 }}
            placeholder={t('sampling.stats.allCategories')}
            data-testid="stats-category"
          />
        </Flex>
      </Card>
      {stats.error && (
        <Alert type="error" showIcon style={{ marginBottom: 16 }} title={errorMessage(stats.error)} />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} md={8}>
          <Card style={{ height: '100%' }} loading={stats.isPending}>
            <Statistic
              title={t('sampling.stats.totalRate')}
              value={d?.total.rate === null || !d ? '—' : pct(d.total.rate)!}
              suffix={d?.total.rate === null ? undefined : '%'}
              data-testid="stats-total-rate"
            />
            <Typography.Text type="secondary">
              {t('sampling.stats.totalLine', {
                samples: d?.total.samples ?? 0,
                failed: d?.total.failed ?? 0,
              })}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} md={16}>
          <Card
            style={{ height: '100%' }}
            loading={stats.isPending}
            title={
              indicator && (
                <Space>
                  {indicator.met ? (
                    <CheckCircleFilled style={{ color: '#389e0d' }} />
                  ) : (
                    <CloseCircleFilled style={{ color: '#cf1322' }} />
                  )}
                  {t('sampling.stats.indicator', {
                    name: name(indicator),
                    pct: Math.round(indicator.threshold * 100),
                  })}
                </Space>
              )
            }
            data-testid="stats-indicator"
          >
            {indicator && (
              <Flex gap={24} wrap>
                {indicator.years.map((y) => (
                  <div key={y.year}>
                    <Typography.Text type="secondary">{y.year}</Typography.Text>
                    <div style={{ fontSize: 22, fontWeight: 600, color: y.met ? '#389e0d' : '#cf1322' }}>
                      {formatRate(y.rate)}
                    </div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('sampling.stats.samplesN', { n: y.samples })}
                    </Typography.Text>
                  </div>
                ))}
                <Tag color={indicator.met ? 'success' : 'error'} style={{ alignSelf: 'center' }}>
                  {indicator.met ? t('sampling.stats.met') : t('sampling.stats.notMet')}
                </Tag>
              </Flex>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('sampling.stats.byYear')}>
            <Chart
              option={yearOption}
              height={300}
              loading={stats.isPending}
              empty={!stats.isPending && !d?.total.samples}
              emptyText={t('sampling.stats.empty')}
              data-testid="stats-year-chart"
            />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={t('sampling.stats.byTown')}>
            <Chart
              option={townOption}
              height={300}
              loading={stats.isPending}
              empty={!stats.isPending && !d?.byTown.some((r) => r.samples > 0)}
              emptyText={t('sampling.stats.empty')}
              data-testid="stats-town-chart"
            />
          </Card>
        </Col>
        <Col xs={24} xl={14}>
          <Card title={t('sampling.stats.byCategory')}>
            <Table
              size="small"
              rowKey="code"
              loading={stats.isPending}
              dataSource={d?.byCategory ?? []}
              pagination={{ pageSize: 15, hideOnSinglePage: true }}
              data-testid="stats-category-table"
              columns={[
                {
                  title: t('sampling.plan.category'),
                  key: 'name',
                  minWidth: 170,
                  render: (_: unknown, r: SamplingStats['byCategory'][number]) => (
                    <span>
                      <Typography.Text
                        type="secondary"
                        style={{ fontFamily: 'monospace', marginInlineEnd: 6 }}
                      >
                        {r.code}
                      </Typography.Text>
                      {name(r)}
                    </span>
                  ),
                },
                ...rateColumns,
                {
                  title: t('sampling.stats.trend'),
                  key: 'trend',
                  width: 150,
                  render: (_: unknown, r: SamplingStats['byCategory'][number]) => (
                    <Sparkline points={r.trend} threshold={threshold} />
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('sampling.stats.byGrade')}>
            <Table
              size="small"
              rowKey="year"
              loading={stats.isPending}
              pagination={false}
              dataSource={d?.gradeShare ?? []}
              data-testid="stats-grade-table"
              columns={[
                { title: t('sampling.plan.year'), dataIndex: 'year', width: 70 },
                ...(['A', 'B', 'C', 'D'] as const).map((g) => ({
                  title: <span style={{ color: GRADE_COLORS[g], fontWeight: 600 }}>{g}</span>,
                  key: g,
                  width: 90,
                  align: 'right' as const,
                  render: (_: unknown, r: SamplingStats['gradeShare'][number]) => {
                    const x = r.grades.find((y) => y.grade === g);
                    if (!x?.samples) return '—';
                    return (
                      <span title={`${t('sampling.stats.rate')} ${formatRate(x.rate)}`}>
                        {formatRate(x.share)}
                        <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                          {' '}
                          ({x.samples})
                        </Typography.Text>
                      </span>
                    );
                  },
                })),
              ]}
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('sampling.stats.byGradeHint')}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24}>
          <Card title={t('sampling.stats.byIndustry')}>
            <Table
              size="small"
              rowKey={(r) => r.section ?? '-'}
              loading={stats.isPending}
              pagination={false}
              dataSource={(d?.byIndustry ?? []).map((r) => ({
                ...r,
                children: r.divisions?.length
                  ? r.divisions.map((x) => ({ ...x, section: x.code, divisions: [] }))
                  : undefined,
              }))}
              data-testid="stats-industry-table"
              columns={[
                {
                  title: t('enterprise.industry'),
                  key: 'name',
                  render: (_: unknown, r: { section: string | null; name: string; nameEn: string }) =>
                    `${r.section ?? ''} ${name(r)}`,
                },
                ...rateColumns,
              ]}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
