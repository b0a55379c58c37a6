export { renderReport, writeReport, type ReportInput } from './html-report.js';
export { groupedBarChart, histogramChart, type BarSeries } from './svg-charts.js';
