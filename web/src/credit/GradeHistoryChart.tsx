/**
 * Grade history as a step line: one step each time the shown grade changed, each grade drawn from
 * the day it applied up to the next change (or `until`). The shared Chart only
 * registers bar and pie, so the line series is registered here (echarts.use is global and
 * idempotent) and the option is typed locally.
 */

import dayjs from 'dayjs';
import { LineChart } from 'echarts/charts';
import { MarkLineComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { type CreditGradeHistoryEntry, GRADE_COLORS, type Grade } from '../api/credit';
import Chart, { type ChartOption } from '../components/Chart';

echarts.use([LineChart, MarkLineComponent]);

/** Bottom to top on the y axis. */
const AXIS: Grade[] = ['D', 'C', 'B', 'A'];

interface Props {
  history: CreditGradeHistoryEntry[];
  /** Where the line ends (the grade's asOf, normally today). */
  until: string;
  height?: number;
}

const MIN_SPAN_DAYS = 180;

function minDate(first: string | undefined, until: string): string {
  const floor = dayjs(until).subtract(MIN_SPAN_DAYS, 'day');
  if (!first) return floor.format('YYYY-MM-DD');
  return dayjs(first).isBefore(floor) ? first : floor.format('YYYY-MM-DD');
}

export default function GradeHistoryChart({ history, until, height = 240 }: Props) {
  const { t } = useTranslation();
  const option = useMemo(() => {
    const rows = [...history].sort((a, b) => a.validFrom.localeCompare(b.validFrom));
    const last = rows[rows.length - 1];
    // The steps are drawn point by point rather than with the series' `step` option: ECharts
    // steps along the base axis, which here is the category (grade) axis, so `step: 'end'` drew
    // each grade over the period *before* it applied. A grade holds from its validFrom up to the
    // next row's validFrom: a corner point (no symbol, no tooltip) at the next row's date with the
    // old grade, then the next grade at that same date.
    type Point = {
      value: [string, Grade];
      score?: number;
      ruleSet?: string;
      itemStyle?: { color: string };
      symbol?: string;
      tooltip?: { show: boolean };
    };
    const points: Point[] = [];
    rows.forEach((h, i) => {
      const prev = rows[i - 1];
      if (prev && prev.grade !== h.grade)
        points.push({ value: [h.validFrom, prev.grade], symbol: 'none', tooltip: { show: false } });
      points.push({
        value: [h.validFrom, h.grade],
        score: h.score,
        ruleSet: `${h.ruleSetId} v${h.ruleSetVersion}`,
        itemStyle: { color: GRADE_COLORS[h.grade] },
      });
    });
    if (last && until > last.validFrom) {
      points.push({ value: [until, last.grade], symbol: 'none', tooltip: { show: false } });
    }
    return {
      tooltip: {
        trigger: 'item',
        formatter: (p: { data: Point }) =>
          `${t('credit.page.gradeFrom', { date: p.data.value[0] })}<br/>${t('credit.page.gradeCol')}: <b>${p.data.value[1]}</b> · ${t(
            `credit.grade.${p.data.value[1]}`,
          )}<br/>${t('credit.page.score')}: ${p.data.score}<br/>${t('credit.page.ruleSet')}: ${p.data.ruleSet}`,
      },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: {
        type: 'time',
        // At least half a year of axis, so one or two steps do not stretch over hours.
        min: minDate(rows[0]?.validFrom, until),
        max: until,
        axisLabel: { hideOverlap: true },
      },
      yAxis: {
        type: 'category',
        data: AXIS,
        boundaryGap: false,
        axisLabel: {
          fontWeight: 'bold',
          color: (v: string) => GRADE_COLORS[v as Grade] ?? '#666',
        },
        splitLine: { show: true, lineStyle: { color: '#eef1f5' } },
      },
      series: [
        {
          type: 'line',
          name: t('credit.page.history'),
          data: points,
          symbol: 'circle',
          symbolSize: 8,
          lineStyle: { width: 2, color: '#1f4e9c' },
        },
      ],
    } as unknown as ChartOption;
  }, [history, until, t]);

  return (
    <Chart
      option={option}
      height={height}
      empty={history.length === 0}
      emptyText={t('credit.page.noHistory')}
      data-testid="credit-grade-history"
    />
  );
}
