/**
 * Issue 19 item 4, measured: OCR of a 100 MP picture over HTTP when clients leave, and whether cheap routes
 * keep answering meanwhile. The server is the real CLI (`rosetta serve`) in a child process, so its peak RSS
 * (VmHWM from /proc) and CPU time are its own.
 *
 *   flock /tmp/rosetta-heavy.lock node --import tsx bench/ocr-abandon.ts
 *   node --import tsx bench/ocr-abandon.ts --abandon 48 --after-ms 500 --together 16 --poll-seconds 30 --idle-seconds 10
 *
 * 1. `--abandon` clients POST /api/ocr of the picture at once and leave after `--after-ms`; measured: how long
 *    the server stays busy (until /api/info shows no OCR running or waiting, and until its CPU use falls
 *    below 10 % of one core), OCRs that ran to their end, 503s, peak RSS.
 * 0. /api/info is polled every 100 ms for `--idle-seconds` with no OCR: the machine's own latency, for reference.
 * 2. `--together` clients POST /api/ocr at once and stay, while /api/info is polled every 100 ms for
 *    `--poll-seconds`: the worst and median /api/info latency. Then the clients leave.
 * Before the fix (issue 19): busy 98 s after 48 abandoned OCRs, 2.9 GB RSS; /api/info stalled up to 7.5 s.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { renderText } from '../test/helpers/text-images.js';
import { buildTinyClip } from '../test/helpers/tiny-clip.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ABANDON = flag('abandon', 48);
const AFTER_MS = flag('after-ms', 500);
const TOGETHER = flag('together', 16);
const POLL_SECONDS = flag('poll-seconds', 30);
const IDLE_SECONDS = flag('idle-seconds', 10);
const BIN = fileURLToPath(new URL('../bin/rosetta.js', import.meta.url));
const TICK = 100; // /proc/<pid>/stat counts CPU in clock ticks of 10 ms

const root = mkdtempSync(join(tmpdir(), 'rosetta-ocr-abandon-'));
const model = buildTinyClip();
const photos = join(root, 'photos');
mkdirSync(photos);
const picture = join(photos, 'poster.jpg');
const line = await renderText(['Main Street 12 Bakery open daily'], { size: 160, width: 3400, height: 320 });
await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#ffffff' } })
  .composite([0, 3000, 6000, 9000].map((top) => ({ input: line, left: 400, top })))
  .jpeg({ quality: 90 })
  .toFile(picture);
writeFileSync(join(photos, 'note.txt'), 'a red car\n');

const server = spawn(
  process.execPath,
  [
    BIN,
    'serve',
    '--dir',
    join(root, 'collection'),
    '--model',
    model,
    '--offline',
    '--port',
    '0',
    '--root',
    photos,
    '--rate-limit',
    '0',
    '--json',
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (d: Buffer) => {
    out += d;
    const m = /"url":\s*"([^"]+)"/.exec(out);
    if (m) resolve(m[1]);
  });
  server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
});
const { hostname, port } = new URL(url);

const proc = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024;
const cpuTicks = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(f[11]) + Number(f[12]);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
interface Ocr {
  running: number;
  waiting: number;
  completed: number;
}
const info = async () => {
  const t = performance.now();
  const body = (await (await fetch(`${url}/api/info`)).json()) as { ocr: Ocr };
  return { ocr: body.ocr, ms: performance.now() - t };
};

function ocr(): { done: Promise<number>; leave(): void } {
  const body = JSON.stringify({ image: picture });
  const req = request({
    host: hostname,
    port,
    method: 'POST',
    path: '/api/ocr',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const done = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0)); // 0: left before an answer
  });
  req.end(body);
  return { done, leave: () => req.destroy() };
}

/** /api/info latencies (ms), polled every 100 ms for `seconds`. */
async function poll(seconds: number): Promise<number[]> {
  const latencies: number[] = [];
  const t = performance.now();
  while (performance.now() - t < seconds * 1000) {
    latencies.push((await info()).ms);
    await sleep(100);
  }
  return latencies.sort((a, b) => a - b);
}

const describe = (sorted: number[]) =>
  `worst ${sorted.at(-1)!.toFixed(0)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)].toFixed(0)} ms, ` +
  `median ${sorted[sorted.length >> 1].toFixed(0)} ms, ${sorted.filter((l) => l > 250).length} over 250 ms, ${sorted.filter((l) => l > 1000).length} over 1 s`;

/** Waits until no OCR runs or waits, then until the server's CPU use over a second is under 10 % of a core. */
async function settle(t0: number): Promise<{ drainedS: number; quietS: number }> {
  for (;;) {
    const { ocr: o } = await info();
    if (o.running === 0 && o.waiting === 0) break;
    await sleep(100);
  }
  const drainedS = (performance.now() - t0) / 1000;
  for (;;) {
    const c = cpuTicks();
    await sleep(1000);
    if (cpuTicks() - c < 0.1 * TICK) break;
  }
  return { drainedS, quietS: (performance.now() - t0 - 1000) / 1000 };
}

try {
  await info(); // warm
  await sleep(2000);
  const idleRss = proc('VmRSS');
  console.log(
    `server ${url}, idle RSS ${idleRss.toFixed(0)} MB, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );

  const idle = await poll(IDLE_SECONDS);
  console.log(`idle reference, /api/info polled ${idle.length} times over ${IDLE_SECONDS} s with no OCR: ${describe(idle)}`);

  // 1. Abandoned.
  const completedBefore = (await info()).ocr.completed;
  const cpu0 = cpuTicks();
  const t0 = performance.now();
  const clients = Array.from({ length: ABANDON }, ocr);
  await sleep(AFTER_MS);
  for (const c of clients) c.leave();
  const statuses = await Promise.all(clients.map((c) => c.done));
  const { drainedS, quietS } = await settle(t0);
  const completed = (await info()).ocr.completed - completedBefore;
  console.log(
    `${ABANDON} OCRs abandoned after ${AFTER_MS} ms: OCR line empty after ${drainedS.toFixed(1)} s, CPU quiet after ${quietS.toFixed(1)} s, ` +
      `server CPU ${((cpuTicks() - cpu0) / TICK).toFixed(1)} s, ${completed} ran to their end, ` +
      `${statuses.filter((s) => s === 503).length} answered 503 before leaving, ` +
      `peak RSS ${proc('VmHWM').toFixed(0)} MB`,
  );

  // 2. Together, staying, while /api/info is polled.
  const staying = Array.from({ length: TOGETHER }, ocr);
  const answered: number[] = [];
  for (const c of staying) void c.done.then((s) => answered.push(s));
  const latencies = await poll(POLL_SECONDS);
  const during = answered.length;
  for (const c of staying) c.leave();
  await settle(performance.now());
  console.log(
    `${TOGETHER} OCRs at once, /api/info polled ${latencies.length} times over ${POLL_SECONDS} s: ${describe(latencies)}; ` +
      `answers meanwhile ${during} (${answered.filter((s) => s === 200).length} × 200, ${answered.filter((s) => s === 503).length} × 503); ` +
      `peak RSS ${proc('VmHWM').toFixed(0)} MB`,
  );
} finally {
  server.kill('SIGTERM');
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
}
