/** The report's stylesheet, inlined so the page has no external asset. */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --line: #dfe3ea; --accent: #3366cc; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f6f7f9; }
header { padding: 24px 32px 8px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 4px; font-size: 24px; }
h2 { margin: 0 0 12px; font-size: 20px; }
h3 { margin: 24px 0 8px; font-size: 16px; }
.meta, .note, small { color: var(--muted); }
main { padding: 16px 32px 48px; max-width: 1200px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 20px 24px; margin: 16px 0; }
.protocol { color: var(--muted); max-width: 900px; }
.statement { border-left: 4px solid #e0a800; background: #fff8e1; padding: 8px 12px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { color: var(--muted); font-weight: 600; }
.confusion .cell { display: inline-block; min-width: 32px; padding: 2px 6px; border-radius: 4px; text-align: center; }
.chart-box { overflow-x: auto; }
.chart .chart-title { font-weight: 600; font-size: 14px; fill: var(--ink); }
.chart .grid { stroke: var(--line); }
.chart .tick, .chart .label, .chart .legend, .chart .value { font-size: 11px; fill: var(--muted); }
.chart .threshold { stroke: #c0392b; stroke-dasharray: 4 3; stroke-width: 2; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
.tile { margin: 0; padding: 10px; border: 1px solid var(--line); border-radius: 8px; background: #fafbfc; display: flex; gap: 10px; align-items: flex-start; }
.thumb { flex: none; border-radius: 4px; background: #fff; object-fit: contain; border: 1px solid var(--line); }
.placeholder { display: flex; align-items: center; justify-content: center; color: var(--muted); font-size: 12px; }
figcaption { display: flex; flex-direction: column; font-size: 13px; min-width: 0; overflow-wrap: anywhere; }
figcaption span { color: var(--muted); font-size: 12px; }
details { margin: 8px 0; }
.issues li { font-size: 13px; }
`;
