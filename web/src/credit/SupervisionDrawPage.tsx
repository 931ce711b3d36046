/**
 * 按信用等级抽取检查对象: the proactive-check draw of the grading rules (分级分类监管). The official
 * picks the purpose (product sampling at every grade's ratio, or on-site checks, where some grades
 * are checked on complaint only), a town and an industry section, and a seed; the page shows each
 * grade's population, ratio and drawn count, and the drawn list, which exports as a CSV with the
 * headers on screen. The query lives in the URL: the same link and seed give the same draw.
 */

import { DownloadOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Descriptions, Flex, Form, InputNumber, Row, Select, Table } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import {
  creditApi,
  GRADE_COLORS,
  type Grade,
  type SupervisionDraw,
  type SupervisionPurpose,
} from '../api/credit';
import { useIndustries, useIsEnglish, useRefNames } from '../api/reference';
import Chart, { type ChartOption } from '../components/Chart';
import PageTitle from '../components/PageTitle';
import { TownSelect } from '../components/RefSelects';
import { creditPath, GradeTag } from './common';

const GRADES: Grade[] = ['A', 'B', 'C', 'D'];
const MAX_SEED = 2 ** 31;

const newSeed = () => Math.floor(Math.random() * MAX_SEED);

/** A CSV cell: quoted when it holds a comma, a quote or a line break. */
const cell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

function downloadCsv(name: string, header: string[], rows: (string | number)[][]) {
  // With a byte-order mark, so that Excel opens the Chinese as UTF-8.
  const text = `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

export default function SupervisionDrawPage() {
  const { t } = useTranslation();
  const en = useIsEnglish();
  const names = useRefNames();
  const industries = useIndustries().data;
  const [params, setParams] = useSearchParams();
  const purpose = (params.get('purpose') as SupervisionPurpose | null) ?? 'sampling';
  const townCode = params.get('town') ?? undefined;
  const industry = params.get('industry') ?? undefined;
  const drawnSeed = params.get('seed');
  const [seed, setSeed] = useState<number>(() => (drawnSeed ? Number(drawnSeed) : newSeed()));

  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, v);
    }
    // a changed criterion asks for a new draw: the old result no longer answers the form
    if (!('seed' in changes)) next.delete('seed');
    setParams(next, { replace: true });
  };

  const query = drawnSeed !== null ? { purpose, townCode, industry, seed: Number(drawnSeed) } : null;
  const draw = useQuery({
    queryKey: ['credit', 'supervisionDraw', query],
    queryFn: ({ signal }) => creditApi.supervisionDraw(query!, signal),
    enabled: query !== null,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const result = draw.data;

  const sections = useMemo(
    () =>
      (industries ?? [])
        .filter((i) => i.level === 'section')
        .map((i) => ({ value: i.code, label: `${i.code} ${en ? i.nameEn || i.name : i.name}` })),
    [industries, en],
  );

  const scopeLabel = [
    townCode ? names.town(townCode) : t('credit.draw.wholeCity'),
    industry ? sections.find((s) => s.value === industry)?.label : null,
  ]
    .filter(Boolean)
    .join(' · ');

  const exportList = (r: SupervisionDraw) =>
    downloadCsv(
      `${t('credit.draw.fileName')}-${r.seed}.csv`,
      [
        t('credit.draw.col.no'),
        t('credit.draw.col.uscc'),
        t('credit.draw.col.name'),
        t('credit.draw.col.grade'),
      ],
      r.items.map((i, k) => [k + 1, i.uscc, i.name, `${i.grade} ${t(`credit.grade.${i.grade}`)}`]),
    );

  return (
    <>
      <PageTitle
        title={t('credit.draw.title')}
        subtitle={t('credit.draw.subtitle')}
        data-testid="supervision-draw-title"
      />
      <Card style={{ marginBottom: 16 }}>
        <Form layout="vertical" component="div">
          <Flex wrap gap={16} align="flex-end">
            <Form.Item
              label={t('credit.draw.purpose')}
              htmlFor="draw-purpose-input"
              style={{ marginBottom: 0 }}
            >
              <Select
                id="draw-purpose-input"
                data-testid="draw-purpose"
                aria-label={t('credit.draw.purpose')}
                style={{ width: 200 }}
                value={purpose}
                onChange={(v) => set({ purpose: v })}
                options={[
                  { value: 'sampling', label: t('credit.draw.purposes.sampling') },
                  { value: 'onSite', label: t('credit.draw.purposes.onSite') },
                ]}
              />
            </Form.Item>
            <Form.Item label={t('credit.draw.town')} htmlFor="draw-town-input" style={{ marginBottom: 0 }}>
              <TownSelect
                id="draw-town-input"
                value={townCode}
                onChange={(v) => set({ town: v })}
                placeholder={t('credit.draw.wholeCity')}
                style={{ width: 200 }}
              />
            </Form.Item>
            <Form.Item
              label={t('credit.draw.industry')}
              htmlFor="draw-industry-input"
              style={{ marginBottom: 0 }}
            >
              <Select
                id="draw-industry-input"
                data-testid="draw-industry"
                aria-label={t('credit.draw.industry')}
                allowClear
                showSearch
                optionFilterProp="label"
                style={{ width: 280 }}
                placeholder={t('credit.draw.allIndustries')}
                value={industry}
                onChange={(v) => set({ industry: v })}
                options={sections}
              />
            </Form.Item>
            <Form.Item label={t('credit.draw.seed')} htmlFor="draw-seed-input" style={{ marginBottom: 0 }}>
              <Flex gap={4}>
                <InputNumber
                  id="draw-seed-input"
                  data-testid="draw-seed"
                  aria-label={t('credit.draw.seed')}
                  min={0}
                  max={MAX_SEED}
                  precision={0}
                  style={{ width: 160 }}
                  value={seed}
                  onChange={(v) => setSeed(typeof v === 'number' ? v : 0)}
                />
                <Button
                  icon={<ReloadOutlined />}
                  aria-label={t('credit.draw.newSeed')}
                  title={t('credit.draw.newSeed')}
                  onClick={() => setSeed(newSeed())}
                />
              </Flex>
            </Form.Item>
            <Button
              type="primary"
              data-testid="draw-run"
              loading={draw.isFetching}
              onClick={() => set({ seed: String(seed) })}
            >
              {t('credit.draw.run')}
            </Button>
          </Flex>
        </Form>
      </Card>

      {result && (
        <>
          <Card style={{ marginBottom: 16 }} data-testid="draw-summary">
            <Descriptions
              size="small"
              column={{ xs: 1, md: 4 }}
              items={[
                { key: 'scope', label: t('credit.draw.scope'), children: scopeLabel },
                {
                  key: 'purpose',
                  label: t('credit.draw.purpose'),
                  children: t(`credit.draw.purposes.${result.purpose}`),
                },
                { key: 'seed', label: t('credit.draw.seed'), children: result.seed },
                {
                  key: 'rules',
                  label: t('credit.draw.ruleSet'),
                  children: `${result.ruleSet.id} v${result.ruleSet.version}`,
                },
              ]}
            />
            <Row gutter={24} style={{ marginTop: 12 }}>
              <Col xs={24} lg={12}>
                <Table
                  size="small"
                  pagination={false}
                  rowKey="grade"
                  data-testid="draw-strata"
                  dataSource={GRADES.map((g) => ({ grade: g, ...result.counts[g] }))}
                  columns={[
                    {
                      title: t('credit.draw.col.grade'),
                      dataIndex: 'grade',
                      render: (g: Grade) => <GradeTag grade={g} />,
                    },
                    { title: t('credit.draw.population'), dataIndex: 'population', align: 'right' },
                    {
                      title: t('credit.draw.ratio'),
                      dataIndex: 'ratio',
                      align: 'right',
                      render: (r: number, row) =>
                        r === 0 && purpose === 'onSite' && row.population > 0
                          ? t('credit.draw.complaintOnly')
                          : `${(r * 100).toLocaleString(undefined, { maximumFractionDigits: 2 })} %`,
                    },
                    { title: t('credit.draw.drawn'), dataIndex: 'drawn', align: 'right' },
                  ]}
                  summary={() => (
                    <Table.Summary.Row>
                      <Table.Summary.Cell index={0}>{t('credit.draw.total')}</Table.Summary.Cell>
                      <Table.Summary.Cell index={1} align="right">
                        {GRADES.reduce((n, g) => n + result.counts[g].population, 0)}
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={2} />
                      <Table.Summary.Cell index={3} align="right">
                        <strong data-testid="draw-total">{result.items.length}</strong>
                      </Table.Summary.Cell>
                    </Table.Summary.Row>
                  )}
                />
              </Col>
              <Col xs={24} lg={12}>
                <Chart option={strataChart(result, t)} height={240} data-testid="draw-chart" />
              </Col>
            </Row>
          </Card>
          <Card
            title={t('credit.draw.list', { n: result.items.length })}
            extra={
              <Button
                icon={<DownloadOutlined />}
                data-testid="draw-export"
                disabled={result.items.length === 0}
                onClick={() => exportList(result)}
              >
                {t('credit.draw.export')}
              </Button>
            }
          >
            <Table
              size="small"
              rowKey="uscc"
              data-testid="draw-items"
              dataSource={result.items}
              pagination={{ pageSize: 20, showSizeChanger: false }}
              columns={[
                { title: t('credit.draw.col.no'), key: 'no', width: 64, render: (_v, _r, i) => i + 1 },
                { title: t('credit.draw.col.uscc'), dataIndex: 'uscc', width: 210 },
                {
                  title: t('credit.draw.col.name'),
                  dataIndex: 'name',
                  render: (name: string, r) => <Link to={creditPath(r.uscc)}>{name}</Link>,
                },
                {
                  title: t('credit.draw.col.grade'),
                  dataIndex: 'grade',
                  width: 140,
                  render: (g: Grade) => <GradeTag grade={g} />,
                },
              ]}
            />
          </Card>
        </>
      )}
    </>
  );
}

function strataChart(r: SupervisionDraw, t: (k: string) => string): ChartOption {
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0, right: 0, data: [t('credit.draw.drawn'), t('credit.draw.notDrawn')] },
    grid: { left: 48, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: GRADES.map((g) => `${g} ${t(`credit.grade.${g}`)}`) },
    yAxis: { type: 'value' },
    series: [
      {
        name: t('credit.draw.drawn'),
        type: 'bar',
        stack: 'n',
        data: GRADES.map((g) => ({ value: r.counts[g].drawn, itemStyle: { color: GRADE_COLORS[g] } })),
      },
      {
        name: t('credit.draw.notDrawn'),
        type: 'bar',
        stack: 'n',
        itemStyle: { color: '#d9dde3' },
        data: GRADES.map((g) => r.counts[g].population - r.counts[g].drawn),
      },
    ],
  };
}
