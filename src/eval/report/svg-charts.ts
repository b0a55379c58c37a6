/** Inline SVG charts for self-contained reports: no script, no external assets. */
import { escapeHtml } from './escape.js';

const PALETTE = ['#3366cc', '#dc7633', '#2e8b57', '#8e44ad', '#c0392b', '#16a085'];

export interface BarSeries {
  name: string;
  values: number[];
}

/**
 * Grouped vertical bars over [0, 1]: one group per label (e.g. "T→I R@1"), one bar per series (e.g. a model).
 * Each bar is a `rect.bar` with its value in a `<title>` so a browser shows it on hover.
 */
export function groupedBarChart(
  labels: string[],
  series: BarSeries[],
  options: { title: string; width?: number; height?: number },
): string {
  const width = options.width ?? 640;
  const height = options.height ?? 280;
  const m = { top: 36, right: 16, bottom: 48, left: 44 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const groupW = plotW / Math.max(1, labels.length);
  const barW = Math.max(4, (groupW * 0.8) / Math.max(1, series.length));
  const y = (v: number) => m.top + plotH * (1 - Math.max(0, Math.min(1, v)));
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" role="img" aria-label="${escapeHtml(options.title)}" viewBox="0 0 ${width} ${height}" ` +
      `width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
  );
  parts.push(`<text x="${m.left}" y="20" class="chart-title">${escapeHtml(options.title)}</text>`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y(tick)}" y2="${y(tick)}" class="grid"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y(tick) + 4}" text-anchor="end" class="tick">${Math.round(tick * 100)}%</text>`);
  }
  labels.forEach((label, g) => {
    const x0 = m.left + g * groupW + groupW * 0.1;
    series.forEach((s, k) => {
      const v = s.values[g] ?? 0;
      const x = x0 + k * barW;
      parts.push(
        `<rect class="bar" x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(m.top + plotH - y(v)).toFixed(1)}" ` +
          `fill="${PALETTE[k % PALETTE.length]}"><title>${escapeHtml(`${s.name} ${label}: ${(v * 100).toFixed(1)}%`)}</title></rect>`,
      );
      if (series.length <= 3)
        parts.push(
          `<text x="${(x + (barW - 2) / 2).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" class="value">${(v * 100).toFixed(0)}</text>`,
        );
    });
    parts.push(
      `<text x="${(m.left + g * groupW + groupW / 2).toFixed(1)}" y="${height - m.bottom + 18}" text-anchor="middle" class="label">${escapeHtml(label)}</text>`,
    );
  });
  series.forEach((s, k) => {
    const x = m.left + k * 150;
    parts.push(
      `<rect x="${x}" y="${height - 18}" width="12" height="12" fill="${PALETTE[k % PALETTE.length]}"/>` +
        `<text x="${x + 16}" y="${height - 8}" class="legend">${escapeHtml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Two overlaid histograms on shared bins (matched vs shuffled scores) with the threshold marked. */
export function histogramChart(
  edges: number[],
  a: { name: string; counts: number[] },
  b: { name: string; counts: number[] },
  threshold: number,
  title: string,
): string {
  const width = 640;
  const height = 240;
  const m = { top: 36, right: 16, bottom: 40, left: 44 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const shown = Number.isFinite(threshold) ? threshold : edges[0];
  const lo = Math.min(edges[0], shown);
  const hi = Math.max(edges[edges.length - 1], shown);
  const x = (v: number) => m.left + plotW * (hi > lo ? (v - lo) / (hi - lo) : 0.5);
  const norm = (c: number[]) => {
    const t = c.reduce((p, q) => p + q, 0) || 1;
    return c.map((v) => v / t);
  };
  const fa = norm(a.counts);
  const fb = norm(b.counts);
  const top = Math.max(...fa, ...fb, 1e-9);
  const parts = [
    `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${width} ${height}" ` +
      `width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">`,
    `<text x="${m.left}" y="20" class="chart-title">${escapeHtml(title)}</text>`,
  ];
  [
    [fa, PALETTE[0]],
    [fb, PALETTE[1]],
  ].forEach(([f, colour]) => {
    (f as number[]).forEach((v, k) => {
      const h = plotH * (v / top);
      parts.push(
        `<rect class="bar hist" x="${x(edges[k]).toFixed(1)}" y="${(m.top + plotH - h).toFixed(1)}" ` +
          `width="${Math.max(1, x(edges[k + 1]) - x(edges[k]) - 1).toFixed(1)}" ` +
          `height="${h.toFixed(1)}" fill="${colour}" fill-opacity="0.55"/>`,
      );
    });
  });
  if (Number.isFinite(threshold))
    parts.push(
      `<line x1="${x(threshold)}" x2="${x(threshold)}" y1="${m.top}" y2="${m.top + plotH}" class="threshold"/>` +
        `<text x="${x(threshold) > width - 140 ? x(threshold) - 4 : x(threshold) + 4}" y="${m.top + 12}" ` +
        `text-anchor="${x(threshold) > width - 140 ? 'end' : 'start'}" class="tick">threshold ${threshold.toFixed(3)}</text>`,
    );
  for (const v of [lo, (lo + hi) / 2, hi])
    parts.push(`<text x="${x(v)}" y="${height - m.bottom + 16}" text-anchor="middle" class="tick">${v.toFixed(2)}</text>`);
  parts.push(
    `<rect x="${m.left}" y="${height - 16}" width="12" height="12" fill="${PALETTE[0]}"/>` +
      `<text x="${m.left + 16}" y="${height - 6}" class="legend">${escapeHtml(a.name)}</text>`,
  );
  parts.push(
    `<rect x="${m.left + 170}" y="${height - 16}" width="12" height="12" fill="${PALETTE[1]}"/>` +
      `<text x="${m.left + 186}" y="${height - 6}" class="legend">${escapeHtml(b.name)}</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
