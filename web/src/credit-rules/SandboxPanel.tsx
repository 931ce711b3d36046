/**
 * 政策沙盘: re-grades every enterprise with the draft and compares with the rule set in force —
 * the grade transition matrix, ups and downs by town and by industry, and who moves and why.
 */
import {
  ArrowDownOutlined,
  ArrowRightOutlined,
  ArrowUpOutlined,
  ExperimentOutlined,
} from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Flex,
  Input,
  Row,
  Segmented,
  Space,
  Spin,
  Statistic,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { HeatmapChart, type HeatmapSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { errorMessage, pickText } from '../api/client';
import Chart, { type ChartOption } from '../components/Chart';
import {
  GRADE_COLORS,
  GRADES,
  type Grade,
  gradeDirection,
  type SandboxCount,
  type SandboxMover,
  type SandboxResult,
} from './types';

// The shared Chart registers bar and pie only; the matrix needs the heatmap series as well.
echarts.use([HeatmapChart, GridComponent, TooltipComponent]);
type HeatmapOption = echarts.ComposeOption<
  HeatmapSeriesOption | GridComponentOption | TooltipComponentOption
>;

const UP = '#2f9e8f';
const DOWN = '#e06c5b';
const SAME = '#1f4e9c';

/** A colour between white and `hex`, stronger for larger shares. */
function tint(hex: string, share: number): string {
  const s = share <= 0 ? 0 : 0.15 + 0.85 * Math.sqrt(share);
  const c = (i: number) => Number.parseInt(hex.slice(i, i + 2), 16);
  const mix = (v: number) => Math.round(255 + (v - 255) * s);
  return `rgb(${mix(c(1))}, ${mix(c(3))}, ${mix(c(5))})`;
}

function MatrixChart({ matrix }: { matrix: SandboxResult['matrix'] }) {
  const { t } = useTranslation();
  const option = useMemo<HeatmapOption>(() => {
    const cells = GRADES.flatMap((from, y) =>
      GRADES.map((to, x) => ({ from, to, x, y, n: matrix[from]?.[to] ?? 0 })),
    );
    const rowTotal = (g: Grade) => GRADES.reduce((s, to) => s + (matrix[g]?.[to] ?? 0), 0);
    return {
      tooltip: {
        formatter: (p) => {
          const d = (p as unknown as { data: { from: Grade; to: Grade; value: number[] } }).data;
          return t('creditRules.sandbox.matrixTip', { from: d.from, to: d.to, n: d.value[2] });
        },
      },
      grid: { left: 90, right: 16, top: 40, bottom: 16 },
      xAxis: {
        type: 'category',
        position: 'top',
        data: GRADES.map((g) => `→ ${g}`),
        name: t('creditRules.sandbox.toGrade'),
        nameLocation: 'middle',
        nameGap: 26,
        splitArea: { show: false },
        axisTick: { show: false },
      },
      yAxis: {
        type: 'category',
        inverse: true,
        data: GRADES.map((g) => `${g} (${rowTotal(g)})`),
        name: t('creditRules.sandbox.fromGrade'),
        nameLocation: 'middle',
        nameGap: 62,
        axisTick: { show: false },
      },
      series: [
        {
          type: 'heatmap',
          data: cells.map((c) => {
            const dir = gradeDirection(c.from, c.to);
            const base = dir === 'up' ? UP : dir === 'down' ? DOWN : SAME;
            const total = rowTotal(c.from) || 1;
            return {
              value: [c.x, c.y, c.n],
              from: c.from,
              to: c.to,
              itemStyle: {
                color: c.n ? tint(base, c.n / total) : '#fafafa',
                borderColor: '#fff',
                borderWidth: 2,
              },
              label: { color: c.n / total > 0.45 ? '#fff' : '#262626' },
            };
          }),
          label: { show: true, fontSize: 14, formatter: (p) => String((p.value as number[])[2]) },
          emphasis: { itemStyle: { borderColor: '#262626', borderWidth: 1 } },
        },
      ],
    };
  }, [matrix, t]);
  return <Chart option={option as unknown as ChartOption} height={280} data-testid="sandbox-matrix" />;
}

function UpDownChart({ rows, testId }: { rows: SandboxCount[]; testId: string }) {
  const { t } = useTranslation();
  const moved = rows
    .filter((r) => r.up + r.down > 0)
    .sort((a, b) => b.up + b.down - (a.up + a.down))
    .slice(0, 15);
  const option = useMemo<ChartOption>(
    () => ({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0, data: [t('creditRules.sandbox.up'), t('creditRules.sandbox.down')] },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: {
        type: 'category',
        inverse: true,
        data: moved.map((r) => r.name),
        axisLabel: { width: 120, overflow: 'truncate' },
      },
      series: [
        {
          name: t('creditRules.sandbox.up'),
          type: 'bar',
          data: moved.map((r) => r.up),
          itemStyle: { color: UP },
          barMaxWidth: 14,
        },
        {
          name: t('creditRules.sandbox.down'),
          type: 'bar',
          data: moved.map((r) => r.down),
          itemStyle: { color: DOWN },
          barMaxWidth: 14,
        },
      ],
    }),
    [moved, t],
  );
  return (
    <Chart
      option={option}
      height={Math.max(180, moved.length * 30 + 50)}
      empty={moved.length === 0}
      emptyText={t('creditRules.sandbox.noMoves')}
      data-testid={testId}
    />
  );
}

function GradeMove({ from, to }: { from: Grade; to: Grade }) {
  const dir = gradeDirection(from, to);
  return (
    <Space size={4}>
      <Tag color={GRADE_COLORS[from]} style={{ marginInlineEnd: 0 }}>
        {from}
      </Tag>
      <ArrowRightOutlined style={{ color: dir === 'up' ? UP : DOWN }} />
      <Tag color={GRADE_COLORS[to]} style={{ marginInlineEnd: 0 }}>
        {to}
      </Tag>
    </Space>
  );
}

function MoversTable({ movers, moved }: { movers: SandboxMover[]; moved: number }) {
  const { t } = useTranslation();
  const [dir, setDir] = useState<'all' | 'up' | 'down'>('all');
  const [q, setQ] = useState('');
  const rows = movers.filter(
    (m) =>
      (dir === 'all' || gradeDirection(m.from, m.to) === dir) &&
      (!q.trim() || m.name.includes(q.trim()) || m.uscc.includes(q.trim().toUpperCase())),
  );
  const columns: TableColumnsType<SandboxMover> = [
    {
      title: t('creditRules.sandbox.enterprise'),
      key: 'name',
      width: 240,
      render: (_, m) => (
        <div>
          <Link to={`/credit/enterprises/${encodeURIComponent(m.uscc)}`}>{m.name}</Link>
          <br />
          <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
            {m.uscc}
          </Typography.Text>
        </div>
      ),
    },
    { title: t('creditRules.sandbox.town'), dataIndex: 'townName', key: 'town', width: 100 },
    {
      title: t('creditRules.sandbox.grade'),
      key: 'grade',
      width: 110,
      render: (_, m) => <GradeMove from={m.from} to={m.to} />,
    },
    {
      title: t('creditRules.sandbox.score'),
      key: 'score',
      width: 130,
      render: (_, m) => {
        const d = m.scoreTo - m.scoreFrom;
        return (
          <span>
            {m.scoreFrom} → <strong>{m.scoreTo}</strong>{' '}
            <Typography.Text
              type={d > 0 ? 'success' : d < 0 ? 'danger' : 'secondary'}
              style={{ fontSize: 12 }}
            >
              ({d > 0 ? `+${d}` : d})
            </Typography.Text>
          </span>
        );
      },
    },
    {
      title: t('creditRules.sandbox.reasons'),
      key: 'reasons',
      render: (_, m) =>
        m.reasons.length ? (
          <Flex vertical gap={2}>
            {m.reasons.map((r) => (
              <div key={r.rule}>
                <Typography.Text>{pickText(r.label) ?? r.rule}</Typography.Text>{' '}
                {/* A reason with no points (grade lines or vetoes moved) has nothing to compare. */}
                {(r.pointsFrom !== 0 || r.pointsTo !== 0) && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('creditRules.sandbox.pointsChange', { from: r.pointsFrom, to: r.pointsTo })}
                  </Typography.Text>
                )}
              </div>
            ))}
          </Flex>
        ) : (
          <Typography.Text type="secondary">{t('creditRules.sandbox.thresholdOnly')}</Typography.Text>
        ),
    },
  ];
  return (
    <>
      <Flex gap={12} wrap align="center" style={{ marginBottom: 12 }}>
        <Segmented
          value={dir}
          onChange={(v) => setDir(v as typeof dir)}
          options={[
            { value: 'all', label: t('common.all') },
            { value: 'up', label: t('creditRules.sandbox.up'), icon: <ArrowUpOutlined /> },
            { value: 'down', label: t('creditRules.sandbox.down'), icon: <ArrowDownOutlined /> },
          ]}
        />
        <Input.Search
          allowClear
          placeholder={t('creditRules.sandbox.searchMover')}
          style={{ width: 260 }}
          onSearch={setQ}
          onChange={(e) => !e.target.value && setQ('')}
        />
        {moved > movers.length && (
          <Typography.Text type="secondary">
            {t('creditRules.sandbox.firstN', { n: movers.length, total: moved })}
          </Typography.Text>
        )}
      </Flex>
      <Table<SandboxMover>
        size="small"
        rowKey="uscc"
        columns={columns}
        dataSource={rows}
        pagination={{ pageSize: 20, showSizeChanger: false, hideOnSinglePage: true }}
        scroll={{ x: 900 }}
        data-testid="sandbox-movers"
        locale={{ emptyText: t('creditRules.sandbox.noMoves') }}
      />
    </>
  );
}

/** Seconds since `running` turned true, for the progress text. */
function useElapsed(running: boolean): number {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!running) return;
    setSeconds(0);
    const started = Date.now();
    const id = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500);
    return () => clearInterval(id);
  }, [running]);
  return seconds;
}

interface Props {
  running: boolean;
  result: SandboxResult | undefined;
  error: unknown;
  /** Shown above the run button when the draft has unsaved changes (they are saved first). */
  dirtyNote: boolean;
  onRun: (asOf: string | undefined) => void;
}

export default function SandboxPanel({ running, result, error, dirtyNote, onRun }: Props) {
  const { t } = useTranslation();
  const [asOf, setAsOf] = useState<Dayjs | null>(null);
  const elapsed = useElapsed(running);

  const moved =
    result?.moved ??
    (result
      ? GRADES.reduce(
          (s, from) =>
            s + GRADES.reduce((s2, to) => s2 + (from === to ? 0 : (result.matrix[from]?.[to] ?? 0)), 0),
          0,
        )
      : 0);
  const ups = result
    ? GRADES.reduce(
        (s, from) =>
          s +
          GRADES.reduce(
            (s2, to) => s2 + (gradeDirection(from, to) === 'up' ? (result.matrix[from]?.[to] ?? 0) : 0),
            0,
          ),
        0,
      )
    : 0;

  return (
    <div data-testid="sandbox">
      <Typography.Paragraph type="secondary">{t('creditRules.sandbox.help')}</Typography.Paragraph>
      <Flex gap={12} wrap align="center" style={{ marginBottom: 16 }}>
        <DatePicker
          value={asOf}
          onChange={setAsOf}
          placeholder={t('creditRules.sandbox.asOfPlaceholder')}
          disabled={running}
          style={{ width: 230 }}
        />
        <Button
          type="primary"
          icon={<ExperimentOutlined />}
          loading={running}
          onClick={() => onRun(asOf ? asOf.format('YYYY-MM-DD') : undefined)}
          data-testid="sandbox-run"
        >
          {result ? t('creditRules.sandbox.rerun') : t('creditRules.sandbox.run')}
        </Button>
        {dirtyNote && !running && (
          <Typography.Text type="warning">{t('creditRules.sandbox.savesFirst')}</Typography.Text>
        )}
      </Flex>

      {running && (
        <Card style={{ marginBottom: 16 }}>
          <Flex vertical align="center" gap={12} style={{ padding: 32 }} data-testid="sandbox-progress">
            <Spin size="large" />
            <Typography.Text>{t('creditRules.sandbox.running')}</Typography.Text>
            <Typography.Text type="secondary">
              {t('creditRules.sandbox.elapsed', { s: elapsed })}
            </Typography.Text>
          </Flex>
        </Card>
      )}

      {!running && error != null && (
        <Alert
          type="error"
          showIcon
          title={t('creditRules.sandbox.failed')}
          description={errorMessage(error)}
        />
      )}

      {!running && !result && error == null && (
        <Card>
          <Empty description={t('creditRules.sandbox.notRun')} />
        </Card>
      )}

      {result && !running && (
        <div data-testid="sandbox-result">
          <Card size="small" style={{ marginBottom: 16 }}>
            <Row gutter={16}>
              <Col xs={12} md={5}>
                <Statistic title={t('creditRules.sandbox.total')} value={result.total} />
              </Col>
              <Col xs={12} md={5}>
                <Statistic
                  title={t('creditRules.sandbox.up')}
                  value={ups}
                  styles={{ content: { color: UP } }}
                  prefix={<ArrowUpOutlined />}
                />
              </Col>
              <Col xs={12} md={5}>
                <Statistic
                  title={t('creditRules.sandbox.down')}
                  value={moved - ups}
                  styles={{ content: { color: DOWN } }}
                  prefix={<ArrowDownOutlined />}
                />
              </Col>
              <Col xs={12} md={5}>
                <Statistic title={t('creditRules.sandbox.unchanged')} value={result.total - moved} />
              </Col>
              <Col xs={24} md={4}>
                <Statistic
                  title={t('creditRules.sandbox.elapsedMs')}
                  value={result.elapsedMs}
                  suffix="ms"
                  data-testid="sandbox-elapsed"
                />
              </Col>
            </Row>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('creditRules.sandbox.compared', {
                asOf: result.asOf,
                baseline: `${result.baseline.id} v${result.baseline.version}`,
                draft: `${result.draft.id} v${result.draft.version}`,
              })}
            </Typography.Text>
          </Card>
          <Row gutter={16}>
            <Col xs={24} xl={10}>
              <Card size="small" title={t('creditRules.sandbox.matrix')} style={{ marginBottom: 16 }}>
                <MatrixChart matrix={result.matrix} />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('creditRules.sandbox.matrixHelp')}
                </Typography.Text>
              </Card>
            </Col>
            <Col xs={24} md={12} xl={7}>
              <Card size="small" title={t('creditRules.sandbox.byTown')} style={{ marginBottom: 16 }}>
                <UpDownChart rows={result.byTown} testId="sandbox-by-town" />
              </Card>
            </Col>
            <Col xs={24} md={12} xl={7}>
              <Card size="small" title={t('creditRules.sandbox.byIndustry')} style={{ marginBottom: 16 }}>
                <UpDownChart rows={result.byIndustry} testId="sandbox-by-industry" />
              </Card>
            </Col>
          </Row>
          <Card size="small" title={t('creditRules.sandbox.movers')}>
            <MoversTable movers={result.movers} moved={moved} />
          </Card>
        </div>
      )}
    </div>
  );
}
