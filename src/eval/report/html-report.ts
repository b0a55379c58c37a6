import { writeFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { RetrievalResult } from '../evaluate-retrieval.js';
import type { ZeroShotResult } from '../evaluate-zeroshot.js';
import type { CheckResult, ScorePairsResult } from '../consistency/check.js';
import type { AuditResult } from '../bias/weat.js';
import type { DatasetIssue } from '../../datasets/types.js';
import { makeThumbnail } from '../../media/image/thumbnail.js';
import { groupedBarChart, histogramChart } from './svg-charts.js';
import { escapeHtml as esc, num, pct } from './escape.js';
import { REPORT_CSS } from './report-style.js';

/** What a report shows; every part is optional. Several retrieval/zero-shot results = a model comparison. */
export interface ReportInput {
  title?: string;
  retrieval?: RetrievalResult[];
  zeroshot?: ZeroShotResult[];
  check?: CheckResult;
  audit?: AuditResult;
  /** Batch scores (`rosetta score --pairs`): the lowest-scoring pairs are shown. */
  scores?: ScorePairsResult;
  /** Thumbnail side in pixels (default 96). */
  thumbnailSize?: number;
}

/** Most thumbnails one grid shows, so a report stays a few hundred kilobytes. */
const MAX_GRID = 48;

interface Tile {
  path?: string;
  text: string;
  lines: string[];
}

async function grid(tiles: Tile[], side: number, emptyNote: string): Promise<string> {
  if (tiles.length === 0) return `<p class="note">${esc(emptyNote)}</p>`;
  const cache = new Map<string, Promise<string | undefined>>();
  const figures = await Promise.all(
    tiles.map(async (t) => {
      let uri: string | undefined;
      if (t.path) {
        if (!cache.has(t.path)) cache.set(t.path, thumbnailDataUri(t.path, side));
        uri = await cache.get(t.path);
      }
      const media = uri
        ? `<img class="thumb" src="${uri}" alt="${esc(t.text)}" width="${side}" height="${side}">`
        : `<div class="thumb placeholder" style="width:${side}px;height:${side}px">${t.path ? 'no preview' : '♪'}</div>`;
      return `<figure class="tile">${media}<figcaption><q>${esc(t.text)}</q>${t.lines.map((l) => `<span>${esc(l)}</span>`).join('')}</figcaption></figure>`;
    }),
  );
  return `<div class="grid">${figures.join('')}</div>`;
}

function table(head: string[], rows: string[][], cls = ''): string {
  return (
    `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`
  );
}

function issuesBlock(issues: DatasetIssue[]): string {
  if (issues.length === 0) return '';
  const shown = issues
    .slice(0, 100)
    .map((i) => `<li><code>${esc(i.file)}${i.row ? `:${i.row}` : ''}</code> ${esc(i.reason)}</li>`)
    .join('');
  return (
    `<details class="issues"><summary>${issues.length} row${issues.length > 1 ? 's' : ''} skipped</summary>` +
    `<ul>${shown}</ul>${issues.length > 100 ? '<p>…</p>' : ''}</details>`
  );
}

async function retrievalSection(results: RetrievalResult[], side: number): Promise<string> {
  const first = results[0];
  const figures = table(
    ['space', 'T→I R@1', 'R@5', 'R@10', 'median rank', 'MRR', 'I→T R@1', 'R@5', 'R@10', 'median rank', 'MRR'],
    results.map((r) => [
      `<b>${esc(r.space.id)}</b><br><small>${esc(r.space.model)}</small>`,
      pct(r.t2i.r1),
      pct(r.t2i.r5),
      pct(r.t2i.r10),
      num(r.t2i.medianRank, 1),
      num(r.t2i.mrr),
      pct(r.i2t.r1),
      pct(r.i2t.r5),
      pct(r.i2t.r10),
      num(r.i2t.medianRank, 1),
      num(r.i2t.mrr),
    ]),
    'figures',
  );
  const labels = ['T→I R@1', 'T→I R@5', 'T→I R@10', 'I→T R@1', 'I→T R@5', 'I→T R@10'];
  const chart = groupedBarChart(
    labels,
    results.map((r) => ({ name: r.space.id, values: [r.t2i.r1, r.t2i.r5, r.t2i.r10, r.i2t.r1, r.i2t.r5, r.i2t.r10] })),
    { title: 'Recall@k' },
  );
  const grids: string[] = [];
  for (const r of results) {
    const tiles = r.worst.map((w) => ({
      path: w.imagePath,
      text: w.text,
      lines: [`score ${w.score.toFixed(3)} (cos ${w.cosine.toFixed(3)})`, `own image ranked ${w.rank}`],
    }));
    grids.push(
      `<h3>Worst mismatches${results.length > 1 ? ` — ${esc(r.space.id)}` : ''}</h3>` +
        `<p class="note">Captions whose own image ranked lowest, shown with that image and its CLIPScore.</p>${await grid(tiles, side, 'No captions.')}`,
    );
  }
  return (
    `<section id="retrieval"><h2>Retrieval</h2><p class="protocol"><b>Protocol.</b> ${esc(first.protocol)} ` +
    `Dataset: <code>${esc(first.dataset.source)}</code> (${esc(first.dataset.format)}).</p>` +
    `${figures}<div class="chart-box">${chart}</div>${grids.join('')}${issuesBlock(first.issues)}</section>`
  );
}

async function zeroShotSection(results: ZeroShotResult[], side: number): Promise<string> {
  const first = results[0];
  const figures = table(
    ['space', 'accuracy', 'balanced accuracy', `top-${first.topKAccuracy.k}`],
    results.map((r) => [`<b>${esc(r.space.id)}</b>`, pct(r.summary.accuracy), pct(r.summary.macroRecall), pct(r.topKAccuracy.value)]),
    'figures',
  );
  const chart = groupedBarChart(
    first.dataset.classes,
    results.map((r) => ({ name: r.space.id, values: r.summary.perClass.map((p) => p.recall) })),
    { title: 'Per-class recall' },
  );
  const confusions: string[] = [];
  for (const r of results) {
    const max = Math.max(1, ...r.summary.confusion.flat());
    const rows = r.summary.confusion.map((row, t) => [
      `<b>${esc(r.dataset.classes[t])}</b>`,
      ...row.map((v) => `<span class="cell" style="background:rgba(51,102,204,${(v / max).toFixed(2)})">${v}</span>`),
    ]);
    confusions.push(
      `<h3>Confusion matrix${results.length > 1 ? ` — ${esc(r.space.id)}` : ''} <small>(rows: true class, columns: predicted)</small></h3>` +
        `${table(['', ...r.dataset.classes], rows, 'confusion')}`,
    );
  }
  const tiles = first.worst.map((w) => ({
    path: w.imagePath,
    text: `${w.trueClass} → ${w.predictedClass}`,
    lines: [`confidence ${pct(w.confidence)}`, `score ${w.score.toFixed(3)}`],
  }));
  return (
    `<section id="zeroshot"><h2>Zero-shot classification</h2><p class="protocol"><b>Protocol.</b> ${esc(first.protocol)}</p>${figures}` +
    `<div class="chart-box">${chart}</div>${confusions.join('')}<h3>Most confident mistakes</h3>` +
    `${await grid(tiles, side, 'No mistakes.')}${issuesBlock(first.issues)}</section>`
  );
}

async function checkSection(c: CheckResult, side: number): Promise<string> {
  const parts: string[] = ['<section id="check"><h2>Consistency check</h2>'];
  for (const modality of ['image', 'audio'] as const) {
    const cal = c.calibration[modality];
    const th = c.thresholds[modality];
    if (!th) continue;
    const reference =
      cal && th.source === 'given' ? 'For reference, a calibrated threshold would be ' + cal.threshold.toFixed(3) + ': ' : '';
    parts.push(
      `<p class="protocol"><b>${modality}–text.</b> Threshold ${th.value.toFixed(3)} (${th.source}). ` +
        `${cal ? `${reference}${esc(cal.method)}.` : ''}</p>`,
    );
    if (cal) {
      parts.push(
        table(
          ['AUC', 'balanced accuracy', 'equal-error rate', 'matched mean', 'shuffled mean'],
          [[num(cal.auc), pct(cal.balancedAccuracy), pct(cal.equalError.rate), num(cal.matched.mean), num(cal.shuffled.mean)]],
          'figures',
        ),
      );
      const chart = histogramChart(
        cal.histogram.edges,
        { name: 'matched pairs', counts: cal.histogram.matched },
        { name: 'shuffled pairs', counts: cal.histogram.shuffled },
        th.value,
        `CLIPScore, ${modality}–text`,
      );
      parts.push(`<div class="chart-box">${chart}</div>`);
    }
  }
  // The grid shows the lowest-scoring flagged pairs; the full list is in the JSON output.
  const tiles = c.flagged.slice(0, MAX_GRID).map((p) => ({
    path: p.modality === 'image' ? p.path : undefined,
    text: p.text,
    lines: [`score ${p.score.toFixed(3)}`, `row ${p.row}`],
  }));
  const more = c.flagged.length > MAX_GRID ? ` — the ${MAX_GRID} lowest shown` : '';
  parts.push(
    `<h3>Flagged pairs (${c.flagged.length} of ${c.pairs.length}${more})</h3>` +
      `${await grid(tiles, side, 'No pair fell below the threshold.')}${issuesBlock(c.issues)}</section>`,
  );
  return parts.join('');
}

async function scoresSection(r: ScorePairsResult, side: number): Promise<string> {
  const values = r.pairs.map((p) => p.score);
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const lowest = [...r.pairs].sort((a, b) => a.score - b.score).slice(0, 12);
  const tiles = lowest.map((p) => ({
    path: p.modality === 'image' ? p.path : undefined,
    text: p.text,
    lines: [`score ${p.score.toFixed(3)}`, `row ${p.row}`],
  }));
  const figures = table(
    ['pairs', 'mean score', 'lowest', 'highest'],
    [[String(values.length), num(mean), num(Math.min(...values)), num(Math.max(...values))]],
    'figures',
  );
  return (
    `<section id="scores"><h2>Consistency scores</h2><p class="protocol">CLIPScore = 2.5 · max(cos, 0) (Hessel et al. 2021), in space ${esc(r.space)}.</p>` +
    `${figures}` +
    `<h3>Lowest-scoring pairs</h3>${await grid(tiles, side, 'No pairs.')}${issuesBlock(r.issues)}</section>`
  );
}

function auditSection(a: AuditResult): string {
  const rows = a.tests.map((t) => [
    esc(t.name),
    `${esc(t.targets[0])} vs ${esc(t.targets[1])}`,
    `${esc(t.attributes[0])} vs ${esc(t.attributes[1])}`,
    `<b>${num(t.effectSize, 2)}</b>`,
    num(t.pValue, 4),
    `${t.permutations}${t.exact ? ' (exact)' : ''}`,
  ]);
  const words = a.tests
    .map(
      (t) =>
        `<details><summary>${esc(t.name)}: association per word</summary>${table(
          ['word', 'set', 's(w, A, B)'],
          t.perWord.map((w) => [esc(w.word), esc(w.set), num(w.association)]),
        )}</details>`,
    )
    .join('');
  return (
    `<section id="audit"><h2>Bias probe</h2><p class="statement">${esc(a.statement)}</p><p class="protocol">${esc(a.method)}</p>` +
    `${table(['test', 'targets (X vs Y)', 'attributes (A vs B)', 'effect size', 'p-value', 'permutations'], rows, 'figures')}${words}</section>`
  );
}

/**
 * Renders a self-contained HTML report (inline CSS and SVG, thumbnails as data URIs; no script, no external
 * asset) with the figures, a recall@k chart and a grid of the worst mismatches.
 */
export async function renderReport(input: ReportInput): Promise<string> {
  const side = input.thumbnailSize ?? 96;
  const sections: string[] = [];
  if (input.retrieval?.length) sections.push(await retrievalSection(input.retrieval, side));
  if (input.zeroshot?.length) sections.push(await zeroShotSection(input.zeroshot, side));
  if (input.check) sections.push(await checkSection(input.check, side));
  if (input.scores) sections.push(await scoresSection(input.scores, side));
  if (input.audit) sections.push(auditSection(input.audit));
  const described = new Map<string, string>();
  for (const r of [...(input.retrieval ?? []), ...(input.zeroshot ?? []), ...(input.audit ? [input.audit] : [])])
    described.set(r.space.id, `${r.space.id} (${r.space.model})`);
  for (const id of [input.check?.space, input.scores?.space]) if (id && !described.has(id)) described.set(id, id);
  const spaces = [...described.values()];
  const title = input.title ?? 'Rosetta evaluation';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)}</title><style>${REPORT_CSS}</style></head><body><header><h1>${esc(title)}</h1>` +
    `<p class="meta">Generated ${esc(new Date().toISOString())} · ${esc(spaces.join(', '))}</p></header><main>${sections.join('')}</main></body></html>`
  );
}

/** Renders the report and writes it to `path` (folders created as needed). */
export async function writeReport(path: string, input: ReportInput): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await renderReport(input), 'utf8');
}

/** A thumbnail as a data URI, for a self-contained report (transparent pictures stay transparent); none if unreadable. */
async function thumbnailDataUri(path: string, side: number): Promise<string | undefined> {
  try {
    const { bytes, mime } = await makeThumbnail(path, { side, enlarge: true });
    return `data:${mime};base64,${bytes.toString('base64')}`;
  } catch {
    return undefined;
  }
}
