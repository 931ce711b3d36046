/**
 * A small ECharts wrapper. Only the bar and pie charts, grid/tooltip/legend and the canvas renderer
 * are registered, so the bundle carries just what the app draws.
 */
import { Empty, Spin } from 'antd';
import { BarChart, type BarSeriesOption, PieChart, type PieSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { type CSSProperties, useEffect, useRef } from 'react';

echarts.use([BarChart, PieChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export type ChartOption = echarts.ComposeOption<
  BarSeriesOption | PieSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption
>;

/** The bureau palette: calm blues first, then muted accents. */
export const CHART_COLORS = [
  '#1f4e9c',
  '#3a7bd5',
  '#5b9bd5',
  '#2f9e8f',
  '#7cb342',
  '#f2a93b',
  '#e06c5b',
  '#8e6bbf',
  '#4fb0c6',
  '#a0a7b4',
];

/** The chart's drawing element carries its ECharts instance (read by the browser tests). */
export type ChartElement = HTMLDivElement & { zhihuiChart?: echarts.ECharts };

interface ChartProps {
  option: ChartOption;
  height?: number | string;
  loading?: boolean;
  empty?: boolean;
  emptyText?: string;
  style?: CSSProperties;
  'data-testid'?: string;
}

export default function Chart({
  option,
  height = 320,
  loading,
  empty,
  emptyText,
  style,
  ...rest
}: ChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    // For browser tests: the instance maps data to pixels (convertToPixel) on the drawn canvas.
    (el as ChartElement).zhihuiChart = chart;
    const ro = new ResizeObserver(() => chart.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    chartRef.current?.setOption({ color: CHART_COLORS, ...option }, { notMerge: true });
  }, [option]);

  return (
    <div style={{ position: 'relative', height, ...style }} data-testid={rest['data-testid']}>
      <div
        ref={ref}
        className="zhihui-chart"
        style={{ position: 'absolute', inset: 0, visibility: empty ? 'hidden' : 'visible' }}
      />
      {empty && !loading && (
        <div
          style={{
            position: 'absolute',
            inset: 0,
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
          }}
        >
          <Empty description={emptyText} />
        </div>
      )}
      {loading && (
        <div
          style={{
            position: 'absolute',
            inset: 0,
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
          }}
        >
          <Spin />
        </div>
      )}
    </div>
  );
}
