export { renderReport, writeReport, type ReportInput } from './html-report.js';
export { groupedBarChart, histogramChart, type BarSeries } from './svg-charts.js';
export { formatRetrieval, formatZeroShot, formatCheck, formatAudit } from './text-summary.js';
