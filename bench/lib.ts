/** Small helpers shared by the benchmarks: timing, percentiles, memory, and a figures table. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MINI_MODEL_DIR } from '../src/models/model-ref.js';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export async function timeIt<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  console.log(`\n## ${title}\n`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]);
  console.log(`| ${cols.join(' | ')} |`);
  console.log(`| ${cols.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${cols.map((c) => (typeof r[c] === 'number' ? fmt(r[c] as number) : r[c])).join(' | ')} |`);
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toFixed(3);
}

/** The mini model's CLIP-layout directory, required by the model benchmarks. */
export function miniClipDir(): string {
  const dir = join(MINI_MODEL_DIR, 'clip');
  if (!existsSync(join(dir, 'onnx', 'vision_model.onnx')))
    throw new Error(`the mini model is missing at ${dir}; run \`rosetta train mini\` first`);
  return dir;
}
