import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, TitleComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

// Tree-shaken ECharts: only the charts and components the console draws.
echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent, CanvasRenderer]);

/** Animation off under automation (navigator.webdriver), so screenshots show the figures, not an empty frame. */
const animate = typeof navigator === 'undefined' || !navigator.webdriver;

export function Chart({ option, height = 300, testId }: { option: echarts.EChartsCoreOption; height?: number; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    chart.current = echarts.init(ref.current!);
    const onResize = () => chart.current?.resize();
    window.addEventListener('resize', onResize);
    return () => (window.removeEventListener('resize', onResize), chart.current?.dispose());
  }, []);
  useEffect(() => {
    chart.current?.setOption({ animation: animate, ...option }, true);
  }, [option]);
  return <div ref={ref} style={{ height, width: '100%' }} data-testid={testId} data-axes={axesOf(option)} />;
}

/**
 * "series name → its y axis's name" for each series, on the chart's element: the canvas has no text a
 * test (or a screen reader's user) could read, and which axis a figure is drawn on is what matters.
 */
function axesOf(option: any): string | undefined {
  const ys = Array.isArray(option?.yAxis) ? option.yAxis : option?.yAxis ? [option.yAxis] : [];
  if (!ys.length || !Array.isArray(option?.series)) return undefined;
  return option.series.map((s: any) => `${s.name}→${ys[s.yAxisIndex ?? 0]?.name ?? ''}`).join('|');
}
