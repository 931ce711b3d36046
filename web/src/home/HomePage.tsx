import { ApartmentOutlined, CheckCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Col, Flex, Progress, Row, Statistic, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client';
import { useIndustries, useIsEnglish, useTowns } from '../api/reference';
import type { StatsOverview } from '../api/types';
import { useScope } from '../app/scope';
import { useSession } from '../auth/session';
import Chart, { type ChartOption } from '../components/Chart';
import { SCALES, STATUSES } from '../components/EnterpriseBadges';
import PageTitle from '../components/PageTitle';
import OrgHome from './OrgHome';

const TOP_SECTIONS = 8;
const STATUS_CHART_COLORS = {
  operating: '#2f8f5b',
  suspended: '#f2a93b',
  cancelled: '#a0a7b4',
  revoked: '#d4574a',
};

/**
 * The home page by role: officials who may read statistics get the overview of their scope (the
 * city, or their town), an enterprise, lab or maintenance-unit user the own enterprise.
 */
export default function HomePage() {
  const { can } = useSession();
  return can('stats.read') ? <StatsHome /> : <OrgHome />;
}

function StatsHome() {
  const { t } = useTranslation();
  const en = useIsEnglish();
  const scope = useScope();
  const { data, isLoading, error } = useQuery({
    queryKey: ['stats', 'overview'],
    queryFn: ({ signal }) => api.get<StatsOverview>('/api/v1/stats/overview', undefined, signal),
    meta: { silent: true },
  });
  const towns = useTowns().data;
  const industries = useIndustries().data;

  const total = data?.total ?? 0;
  const operating = data?.byStatus?.operating ?? 0;

  const townOption = useMemo<ChartOption>(() => {
    const names = new Map((towns ?? []).map((x) => [x.code, en ? x.nameEn || x.name : x.name]));
    const rows = [...(data?.byTown ?? [])].sort((a, b) => b.count - a.count);
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 16, bottom: 4, containLabel: true },
      xAxis: {
        type: 'category',
        data: rows.map((r) => names.get(r.code) ?? r.name),
        axisLabel: { interval: 0, rotate: en ? 40 : 35, fontSize: 11 },
        axisTick: { alignWithLabel: true },
      },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f5' } } },
      series: [
        {
          type: 'bar',
          name: t('home.count'),
          data: rows.map((r) => r.count),
          barMaxWidth: 22,
          itemStyle: { color: '#1f4e9c', borderRadius: [2, 2, 0, 0] },
        },
      ],
    } as ChartOption;
  }, [data, towns, en, t]);

  const sectionOption = useMemo<ChartOption>(() => {
    const names = new Map((industries ?? []).map((x) => [x.code, en ? x.nameEn || x.name : x.name]));
    const rows = [...(data?.bySection ?? [])].filter((r) => r.count > 0).sort((a, b) => b.count - a.count);
    const top = rows
      .slice(0, TOP_SECTIONS)
      .map((r) => ({ name: `${r.code} ${names.get(r.code) ?? r.name}`, value: r.count }));
    const rest = rows.slice(TOP_SECTIONS).reduce((n, r) => n + r.count, 0);
    if (rest > 0) top.push({ name: t('home.otherSections'), value: rest });
    return {
      tooltip: { trigger: 'item', formatter: '{b}<br/>{c}（{d}%）' },
      legend: {
        type: 'scroll',
        orient: 'vertical',
        left: '56%',
        top: 'middle',
        itemGap: 8,
        textStyle: { fontSize: 12, width: 170, overflow: 'truncate' },
      },
      series: [
        {
          type: 'pie',
          name: t('home.sectionChart'),
          radius: ['38%', '66%'],
          center: ['28%', '50%'],
          label: { show: false },
          itemStyle: { borderColor: '#fff', borderWidth: 2 },
          data: top,
        },
      ],
    } as ChartOption;
  }, [data, industries, en, t]);

  const statusOption = useMemo<ChartOption>(
    () =>
      ({
        tooltip: { trigger: 'item', formatter: '{b}<br/>{c}（{d}%）' },
        legend: { bottom: 0, icon: 'circle', itemGap: 16 },
        series: [
          {
            type: 'pie',
            name: t('home.statusChart'),
            radius: ['0%', '62%'],
            center: ['50%', '45%'],
            label: { formatter: '{b}\n{d}%', fontSize: 12 },
            itemStyle: { borderColor: '#fff', borderWidth: 2 },
            data: STATUSES.map((st) => ({
              name: t(`status.${st}`),
              value: data?.byStatus?.[st] ?? 0,
              itemStyle: { color: STATUS_CHART_COLORS[st] },
            })),
          },
        ],
      }) as ChartOption,
    [data, t],
  );

  const noData = !isLoading && total === 0;

  return (
    <>
      {error && <Alert type="error" showIcon title={errorMessage(error)} style={{ marginBottom: 16 }} />}
      <PageTitle title={t('home.title')} subtitle={t('home.subtitle', { area: scope.area })} />
      <Row gutter={[16, 16]}>
        <Col xs={24} sm={12} xl={6}>
          <Card loading={isLoading} data-testid="stat-total" style={{ height: '100%' }}>
            <Statistic
              title={t('home.total')}
              value={total}
              prefix={<ApartmentOutlined />}
              suffix={t('common.unit')}
              styles={{ content: { color: '#1f4e9c' } }}
            />
          </Card>
        </Col>
        <Col xs={24} sm={12} xl={6}>
          <Card loading={isLoading} data-testid="stat-operating" style={{ height: '100%' }}>
            <Statistic
              title={t('home.operating')}
              value={operating}
              prefix={<CheckCircleOutlined />}
              suffix={t('common.unit')}
              styles={{ content: { color: '#2f8f5b' } }}
            />
            <Progress
              percent={total ? Math.round((operating / total) * 1000) / 10 : 0}
              size="small"
              strokeColor="#2f8f5b"
              style={{ marginBottom: 0 }}
            />
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card loading={isLoading} style={{ height: '100%' }} data-testid="stat-scale">
            <Row gutter={8}>
              {SCALES.map((s) => (
                <Col span={6} key={s}>
                  <Statistic
                    title={`${t(`scale.${s}`)}${t('home.enterpriseSuffix')}`}
                    value={data?.byScale?.[s] ?? 0}
                    suffix={t('common.unit')}
                  />
                </Col>
              ))}
            </Row>
          </Card>
        </Col>
        {scope.kind === 'city' && (
          <Col span={24}>
            <Card title={t('home.townChart')}>
              <Chart
                option={townOption}
                height={340}
                loading={isLoading}
                empty={noData}
                emptyText={t('home.noData')}
                data-testid="home-town-chart"
              />
            </Card>
          </Col>
        )}
        <Col xs={24} xl={14}>
          <Card title={t('home.sectionChart')}>
            <Chart
              option={sectionOption}
              height={320}
              loading={isLoading}
              empty={noData}
              emptyText={t('home.noData')}
              data-testid="home-section-chart"
            />
          </Card>
        </Col>
        <Col xs={24} xl={10}>
          <Card title={t('home.statusChart')}>
            <Chart
              option={statusOption}
              height={320}
              loading={isLoading}
              empty={noData}
              emptyText={t('home.noData')}
              data-testid="home-status-chart"
            />
          </Card>
        </Col>
      </Row>
      {noData && (
        <Flex justify="center" style={{ marginTop: 16 }}>
          <Typography.Text type="secondary">{t('home.noData')}</Typography.Text>
        </Flex>
      )}
    </>
  );
}
