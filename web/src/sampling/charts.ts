/**
 * The sampling statistics draw a line with a mark line (the 95 % target) as well as bars: the line
 * chart and the mark-line component are registered here, beside the shared Chart wrapper's bar and
 * pie, so only the pages that draw them load them.
 */
import { LineChart, type LineSeriesOption } from 'echarts/charts';
import { MarkLineComponent, type MarkLineComponentOption } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { ChartOption } from '../components/Chart';

echarts.use([LineChart, MarkLineComponent]);

export type LineChartOption = Omit<ChartOption, 'series'> & {
  series: (LineSeriesOption | NonNullable<ChartOption['series']>)[] | LineSeriesOption;
  markLine?: MarkLineComponentOption;
};

/** An option with line series, typed for the shared Chart wrapper (which registers bars and pies). */
export const lineOption = (option: LineChartOption) => option as unknown as ChartOption;
