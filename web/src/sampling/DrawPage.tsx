/**
 * 双随机抽取: choose a seed, preview the draw (pool, strata by grade, exclusions with their
 * reasons, the drawn list with reasons and inspectors), confirm it; a stored draw is shown as
 * drawn and can be verified — recomputed from its record — as 一致 or with its differences.
 */
import {
  ArrowLeftOutlined,
  CheckCircleOutlined,
  EyeOutlined,
  SafetyCertificateOutlined,
  ThunderboltOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Flex,
  InputNumber,
  Popconfirm,
  Result,
  Row,
  Space,
  Spin,
  Statistic,
  Table,
  type TableColumnsType,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { isApiError, pickText, showSuccess } from '../api/client';
import { GRADE_COLORS } from '../api/credit';
import { useRefNames } from '../api/reference';
import Chart, { type ChartOption } from '../components/Chart';
import { formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import { GradeTag } from '../credit/common';
import { type DrawResult, type DrawVerification, type PlanDetail, samplingApi, samplingKeys } from './api';
import { formatRate, mono } from './common';

const randomSeed = () => {
  const a = new Uint32Array(1);
  crypto.getRandomValues(a);
  return (a[0] ?? 1) >>> 1;
};

type Excluded = DrawResult['excluded'][number];
type Item = DrawResult['items'][number];

function DrawView({ draw, plan, stored }: { draw: DrawResult; plan: PlanDetail; stored: boolean }) {
  const { t } = useTranslation();
  const names = useRefNames();
  const category = (code: string) => {
    const name = plan.categoryNames?.[code];
    return name ? `${name}` : code;
  };
  const strataOption = useMemo<ChartOption>(() => {
    const gradeName = (g: string) => `${g} ${t(`credit.grade.${g}`, { defaultValue: '' })}`;
    return {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0, icon: 'roundRect' },
      grid: { left: 8, right: 16, top: 36, bottom: 4, containLabel: true },
      xAxis: { type: 'category', data: draw.strata.map((s) => gradeName(s.grade)) },
      yAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#eef1f5' } } },
      series: [
        {
          type: 'bar',
          name: t('sampling.draw.population'),
          barMaxWidth: 28,
          itemStyle: { color: '#c6d4ea' },
          data: draw.strata.map((s) => s.population),
        },
        {
          type: 'bar',
          name: t('sampling.draw.drawnCount'),
          barMaxWidth: 28,
          label: { show: true, position: 'top', fontSize: 11 },
          data: draw.strata.map((s) => ({
            value: s.drawn,
            itemStyle: { color: GRADE_COLORS[s.grade] ?? '#1f4e9c' },
          })),
        },
      ],
    };
  }, [draw, t]);

  const excludedColumns: TableColumnsType<Excluded> = [
    { title: t('enterprise.name'), dataIndex: 'name' },
    {
      title: t('enterprise.uscc'),
      dataIndex: 'uscc',
      width: 180,
      render: (v: string) => <span style={mono}>{v}</span>,
    },
    { title: t('sampling.plan.category'), dataIndex: 'categoryCode', width: 160, render: category },
    {
      title: t('sampling.draw.exclusionReason'),
      dataIndex: 'reason',
      render: (_: unknown, e) => (
        <Space direction="vertical" size={0}>
          <Tag color="orange" style={{ marginInlineEnd: 0 }} data-testid="draw-exclusion-reason">
            {pickText(e.reasonLabel) ?? t(`sampling.exclusion.${e.reason}`, { defaultValue: e.reason })}
          </Tag>
          {e.detail && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {e.detail}
            </Typography.Text>
          )}
        </Space>
      ),
    },
  ];

  const itemColumns: TableColumnsType<Item> = [
    { title: '#', width: 50, render: (_: unknown, __: Item, i: number) => i + 1 },
    { title: t('enterprise.name'), dataIndex: 'name' },
    {
      title: t('enterprise.uscc'),
      dataIndex: 'uscc',
      width: 180,
      render: (v: string) => <span style={mono}>{v}</span>,
    },
    {
      title: t('sampling.draw.grade'),
      dataIndex: 'grade',
      width: 110,
      render: (g: Item['grade']) => <GradeTag grade={g} />,
    },
    {
      title: t('enterprise.town'),
      dataIndex: 'townCode',
      width: 100,
      render: (c: string, r) => names.town(c, r.townName),
    },
    {
      title: t('sampling.plan.category'),
      dataIndex: 'categoryCode',
      width: 150,
      render: (code: string, r) => r.categoryName ?? category(code),
    },
    {
      title: t('sampling.draw.reason'),
      dataIndex: 'reason',
      width: 130,
      render: (r: string, row) => (
        <Space direction="vertical" size={0}>
          <Tag
            color={r === 'stratum' ? 'blue' : 'volcano'}
            style={{ marginInlineEnd: 0 }}
            data-testid="draw-item-reason"
          >
            {t(`sampling.drawReason.${r}`, { defaultValue: r })}
          </Tag>
          {row.reference && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {row.reference}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('sampling.draw.inspectors'),
      dataIndex: 'inspectors',
      width: 170,
      render: (list: Item['inspectors']) =>
        list?.length ? (
          list.map((p) => p.displayName).join('、')
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
  ];

  const totalDrawn = draw.items.length;
  const shortage = draw.inspectorShortage ?? [];
  return (
    <div data-testid={stored ? 'draw-stored' : 'draw-preview'}>
      {shortage.length > 0 && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('sampling.draw.shortage', { n: shortage.length })}
          data-testid="draw-shortage"
        />
      )}
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('sampling.draw.poolSize')}
              value={draw.poolSize}
              data-testid="draw-pool-size"
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic title={t('sampling.draw.excludedCount')} value={draw.excluded.length} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('sampling.draw.drawnCount')}
              value={totalDrawn}
              data-testid="draw-drawn-count"
            />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small">
            <Statistic
              title={t('sampling.draw.seed')}
              value={draw.seed}
              groupSeparator=""
              data-testid="draw-seed"
            />
          </Card>
        </Col>
      </Row>
      <Card
        size="small"
        title={t('sampling.draw.strata')}
        style={{ marginBottom: 16 }}
        extra={
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('sampling.draw.ruleSet', {
              id: draw.ruleSet.id,
              version: draw.ruleSet.version,
              asOf: draw.asOf,
            })}
          </Typography.Text>
        }
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Chart option={strataOption} height={220} data-testid="draw-strata-chart" />
          </Col>
          <Col xs={24} md={12}>
            <Table
              size="small"
              rowKey="grade"
              pagination={false}
              dataSource={draw.strata}
              data-testid="draw-strata-table"
              columns={[
                {
                  title: t('sampling.draw.grade'),
                  dataIndex: 'grade',
                  render: (g) => <GradeTag grade={g} />,
                },
                { title: t('sampling.draw.population'), dataIndex: 'population', align: 'right' },
                {
                  title: t('sampling.draw.ratio'),
                  dataIndex: 'ratio',
                  align: 'right',
                  render: (r: number) => formatRate(r),
                },
                { title: t('sampling.draw.drawnCount'), dataIndex: 'drawn', align: 'right' },
              ]}
            />
          </Col>
        </Row>
      </Card>
      <Card size="small" styles={{ body: { paddingTop: 0 } }}>
        <Tabs
          items={[
            {
              key: 'items',
              label: `${t('sampling.draw.items')} (${totalDrawn})`,
              children: (
                <Table
                  size="small"
                  rowKey={(r) => `${r.enterpriseId}-${r.categoryCode}`}
                  dataSource={draw.items}
                  columns={itemColumns}
                  pagination={{ pageSize: 20, hideOnSinglePage: true }}
                  scroll={{ x: 1000 }}
                  data-testid="draw-items"
                />
              ),
            },
            {
              key: 'excluded',
              label: `${t('sampling.draw.excluded')} (${draw.excluded.length})`,
              children: (
                <Table
                  size="small"
                  rowKey={(r) => `${r.enterpriseId}-${r.categoryCode}-${r.reason}`}
                  dataSource={draw.excluded}
                  columns={excludedColumns}
                  pagination={{ pageSize: 20, hideOnSinglePage: true }}
                  scroll={{ x: 800 }}
                  locale={{ emptyText: t('sampling.draw.noExclusions') }}
                  data-testid="draw-excluded"
                />
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}

function VerifyPanel({ planId }: { planId: string }) {
  const { t } = useTranslation();
  const [result, setResult] = useState<DrawVerification | null>(null);
  const m = useMutation({ mutationFn: () => samplingApi.verifyDraw(planId), onSuccess: setResult });
  return (
    <Card size="small" style={{ marginBottom: 16 }}>
      <Flex gap={16} align="center" wrap>
        <Button
          icon={<SafetyCertificateOutlined />}
          onClick={() => m.mutate()}
          loading={m.isPending}
          data-testid="draw-verify"
        >
          {t('sampling.draw.verify')}
        </Button>
        <Typography.Text type="secondary">{t('sampling.draw.verifyHint')}</Typography.Text>
      </Flex>
      {result && (
        <Alert
          style={{ marginTop: 12 }}
          type={result.identical ? 'success' : 'error'}
          showIcon
          data-testid="draw-verify-result"
          title={result.identical ? t('sampling.draw.identical') : t('sampling.draw.different')}
          description={
            !result.identical && (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {result.differences.map((d) => (
                  <li key={d}>{d}</li>
                ))}
              </ul>
            )
          }
        />
      )}
    </Card>
  );
}

export default function DrawPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const [seed, setSeed] = useState<number | null>(() => randomSeed());
  const [previewSeed, setPreviewSeed] = useState<number | null>(null);

  const plan = useQuery({
    queryKey: samplingKeys.plan(id),
    queryFn: ({ signal }) => samplingApi.plan(id, signal),
    meta: { silent: true },
  });
  const p = plan.data;
  const stored = useQuery({
    queryKey: samplingKeys.draw(id),
    queryFn: ({ signal }) => samplingApi.storedDraw(id, signal),
    enabled: !!p?.draw,
  });
  const preview = useQuery({
    queryKey: samplingKeys.preview(id, previewSeed ?? -1),
    queryFn: ({ signal }) => samplingApi.drawPreview(id, previewSeed!, signal),
    enabled: previewSeed !== null && !!p && !p.draw,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const confirm = useMutation({
    mutationFn: () => samplingApi.draw(id, previewSeed!),
    onSuccess: (d) => {
      qc.setQueryData(samplingKeys.draw(id), d);
      void qc.invalidateQueries({ queryKey: samplingKeys.plan(id) });
      void qc.invalidateQueries({ queryKey: ['sampling', 'plans'] });
      void qc.invalidateQueries({ queryKey: ['sampling', 'tasks'] });
      showSuccess(t('sampling.draw.confirmed', { n: d.items.length }));
    },
  });

  const back = (
    <Link to={`/sampling/plans/${id}`} style={{ display: 'inline-block', marginBottom: 8 }}>
      <ArrowLeftOutlined /> {t('sampling.draw.backToPlan')}
    </Link>
  );

  if (plan.isPending) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  if (!p)
    return (
      <Card>
        <Result
          status={isApiError(plan.error) && plan.error.status === 404 ? '404' : 'error'}
          title={t('sampling.editor.notFound')}
          subTitle={isApiError(plan.error) ? plan.error.localizedMessage : undefined}
        />
      </Card>
    );

  const title = (
    <PageTitle
      prefix={back}
      title={t('sampling.draw.title')}
      subtitle={
        <Space size={12} wrap>
          <span style={mono}>{p.code}</span>
          <span>{p.title}</span>
          <Tag>{t('sampling.plan.versionN', { n: p.version })}</Tag>
        </Space>
      }
    />
  );

  if (p.state !== 'published' && !p.draw)
    return (
      <>
        {title}
        <Card>
          <Result status="info" title={t('sampling.draw.notPublished')} />
        </Card>
      </>
    );

  if (p.draw) {
    const d = stored.data;
    return (
      <>
        {title}
        <Alert
          type="success"
          showIcon
          icon={<CheckCircleOutlined />}
          style={{ marginBottom: 16 }}
          title={t('sampling.draw.done')}
          description={
            d && (
              <Descriptions
                size="small"
                column={{ xs: 1, md: 3 }}
                items={[
                  { key: 'at', label: t('sampling.draw.drawnAt'), children: formatDateTime(d.drawnAt) },
                  // The server stores the user's id; a display name is shown when it sends one.
                  ...(d.drawnBy && !/^[0-9a-f-]{36}$/i.test(d.drawnBy)
                    ? [{ key: 'by', label: t('sampling.draw.drawnBy'), children: d.drawnBy }]
                    : []),
                  {
                    key: 'seed',
                    label: t('sampling.draw.seed'),
                    children: <span style={mono}>{d.seed}</span>,
                  },
                ]}
              />
            )
          }
        />
        <VerifyPanel planId={id} />
        {stored.isPending ? <Spin /> : d ? <DrawView draw={d} plan={p} stored /> : <Empty />}
      </>
    );
  }

  const shortage = (preview.data?.inspectorShortage?.length ?? 0) > 0;
  return (
    <>
      {title}
      <Card style={{ marginBottom: 16 }}>
        <Flex gap={12} align="center" wrap>
          <Typography.Text strong>{t('sampling.draw.seed')}</Typography.Text>
          <InputNumber
            value={seed}
            onChange={(v) => setSeed(typeof v === 'number' ? v : null)}
            min={0}
            max={2147483647}
            precision={0}
            style={{ width: 200 }}
            data-testid="draw-seed-input"
          />
          <Button icon={<ThunderboltOutlined />} onClick={() => setSeed(randomSeed())}>
            {t('sampling.draw.randomSeed')}
          </Button>
          <Button
            type="primary"
            ghost
            icon={<EyeOutlined />}
            disabled={seed === null}
            loading={preview.isFetching}
            onClick={() => setPreviewSeed(seed)}
            data-testid="draw-preview-button"
          >
            {t('sampling.draw.preview')}
          </Button>
          <Popconfirm
            title={t('sampling.draw.confirmTitle')}
            description={t('sampling.draw.confirmSub', { seed: previewSeed ?? '' })}
            onConfirm={() => confirm.mutate()}
            disabled={!preview.data || shortage}
            okButtonProps={{ 'data-testid': 'draw-confirm-ok' } as never}
          >
            <Button
              type="primary"
              disabled={!preview.data || shortage || preview.isFetching}
              loading={confirm.isPending}
              data-testid="draw-confirm"
            >
              {t('sampling.draw.confirm')}
            </Button>
          </Popconfirm>
        </Flex>
        <Typography.Paragraph type="secondary" style={{ margin: '12px 0 0', fontSize: 12 }}>
          {t('sampling.draw.seedHint')}
        </Typography.Paragraph>
      </Card>
      {preview.data ? (
        <>
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            title={t('sampling.draw.previewNote', { seed: preview.data.seed })}
          />
          <DrawView draw={preview.data} plan={p} stored={false} />
        </>
      ) : (
        !preview.isFetching && (
          <Card>
            <Empty description={t('sampling.draw.previewEmpty')} />
          </Card>
        )
      )}
    </>
  );
}
