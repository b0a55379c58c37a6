/** Runs the real `rosetta` CLI (or a test's child script) in a child process and measures it: exit code, output, wall time and peak RSS. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/rosetta.js', import.meta.url));
const RSS_HOOK = new URL('./peak-rss.mjs', import.meta.url).href;

export interface MeasuredRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  peakRssMb: number;
}

const INDEX_CHILD = fileURLToPath(new URL('./index-child.ts', import.meta.url));

/** `rosetta <args>`, measured. */
export function runMeasured(args: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<MeasuredRun> {
  return measure([BIN, ...args], options);
}

/** Indexes `paths` with the library in a child (see index-child.ts), measured; stdout is the summary as JSON. */
export function indexMeasured(
  dir: string,
  model: string,
  paths: string[],
  settings: { indexThreshold?: number; maxPixels?: number } = {},
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<MeasuredRun> {
  return measure(['--import', 'tsx', INDEX_CHILD, dir, model, JSON.stringify(settings), ...paths], options);
}

function measure(argv: string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<MeasuredRun> {
  const dir = mkdtempSync(join(tmpdir(), 'rosetta-rss-'));
  const file = join(dir, 'peak');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', RSS_HOOK, ...argv], {
      env: { ...process.env, ...options.env, ROSETTA_PEAK_RSS_FILE: file },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      let kb = NaN;
      try {
        kb = Number(readFileSync(file, 'utf8'));
      } catch {
        /* killed before it could write */
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started, peakRssMb: kb / 1024 });
    });
  });
}
