/** Plain-text summaries for terminals (the CLI prints these unless --json is given). */
import type { RetrievalResult } from '../evaluate-retrieval.js';
import type { ZeroShotResult } from '../evaluate-zeroshot.js';
import type { CheckResult } from '../consistency/check.js';
import type { AuditResult } from '../bias/weat.js';

const p = (v: number) => (v * 100).toFixed(1);

function align(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function formatRetrieval(results: RetrievalResult[]): string {
  const rows = [['space', 'T→I R@1', 'R@5', 'R@10', 'MdR', 'MRR', 'I→T R@1', 'R@5', 'R@10', 'MdR', 'MRR']];
  for (const r of results) {
    rows.push([
      r.space.id,
      p(r.t2i.r1),
      p(r.t2i.r5),
      p(r.t2i.r10),
      String(r.t2i.medianRank),
      r.t2i.mrr.toFixed(3),
      p(r.i2t.r1),
      p(r.i2t.r5),
      p(r.i2t.r10),
      String(r.i2t.medianRank),
      r.i2t.mrr.toFixed(3),
    ]);
  }
  const issues = results[0]?.issues.length ? `\n${results[0].issues.length} rows skipped (see --json for each reason)` : '';
  return `${results[0]?.protocol ?? ''}\n\n${align(rows)}${issues}`;
}

export function formatZeroShot(results: ZeroShotResult[]): string {
  const rows = [['space', 'accuracy', 'balanced', `top-${results[0]?.topKAccuracy.k ?? 5}`]];
  for (const r of results) rows.push([r.space.id, p(r.summary.accuracy), p(r.summary.macroRecall), p(r.topKAccuracy.value)]);
  const perClass = results[0]
    ? `\n\nper-class recall (${results[0].space.id}):\n${align([
        ['class', 'recall', 'support'],
        ...results[0].summary.perClass.map((c) => [c.label, p(c.recall), String(c.support)]),
      ])}`
    : '';
  return `${results[0]?.protocol ?? ''}\n\n${align(rows)}${perClass}`;
}

export function formatCheck(c: CheckResult): string {
  const lines: string[] = [];
  for (const m of ['image', 'audio'] as const) {
    const t = c.thresholds[m];
    const cal = c.calibration[m];
    if (!t) continue;
    lines.push(
      `${m}–text threshold ${t.value.toFixed(3)} (${t.source})${
        cal
          ? `; matched vs shuffled AUC ${cal.auc.toFixed(3)}, balanced accuracy ${p(cal.balancedAccuracy)}%, ` +
            `equal-error rate ${p(cal.equalError.rate)}%`
          : ''
      }`,
    );
  }
  lines.push(
    `${c.flagged.length} of ${c.pairs.length} pairs flagged as mismatches${c.issues.length ? `; ${c.issues.length} rows skipped` : ''}`,
  );
  for (const f of c.flagged.slice(0, 20)) lines.push(`  row ${f.row}  score ${f.score.toFixed(3)}  ${f.path}  "${f.text}"`);
  if (c.flagged.length > 20) lines.push(`  … ${c.flagged.length - 20} more (see --json or --report)`);
  return lines.join('\n');
}

export function formatAudit(a: AuditResult): string {
  const rows = [['test', 'effect size', 'p-value', 'permutations']];
  for (const t of a.tests) rows.push([t.name, t.effectSize.toFixed(2), t.pValue.toFixed(4), `${t.permutations}${t.exact ? ' exact' : ''}`]);
  return `${a.statement}\n\n${align(rows)}\n\n${a.method}`;
}
