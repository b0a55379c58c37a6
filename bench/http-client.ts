/**
 * The load generator of bench/http.ts, run in a process of its own so that the client's work (building requests,
 * reading and parsing answers) does not queue on the server's event loop, as it would for any real client. Plain
 * `node:http` with kept-alive connections: the client should cost as little as possible, it is not what is measured.
 *
 * It answers each job message with the latencies of the timed requests and, per request, the time the server spent
 * outside its search handler (client latency − the handler's own `tookMs`). It sends `{ started: true }` after the
 * warm-up, so the parent can read its CPU clock over the timed part only.
 */
import http from 'node:http';

export interface LoadJob {
  url: string;
  queries: string[];
  k: number;
  concurrency: number;
  seconds: number;
}

export interface LoadResult {
  latencies: number[];
  outside: number[];
  elapsedS: number;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: URL, payload: string): Promise<{ ms: number; tookMs: number }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          else resolve({ ms: performance.now() - t, tookMs: (JSON.parse(text) as { tookMs: number }).tookMs });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const url = new URL('/api/search', job.url);
  const body = (q: string) => JSON.stringify({ text: q, k: job.k });
  for (const q of job.queries) await post(url, body(q)); // warm-up: connection, caches
  process.send!({ started: true });
  const latencies: number[] = [];
  const outside: number[] = [];
  let next = 0;
  const start = performance.now();
  const end = start + job.seconds * 1000;
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (performance.now() < end) {
        const r = await post(url, body(job.queries[next++ % job.queries.length]));
        latencies.push(r.ms);
        outside.push(r.ms - r.tookMs);
      }
    }),
  );
  return { latencies, outside, elapsedS: (performance.now() - start) / 1000 };
}

process.on('message', (job: LoadJob | 'exit') => {
  if (job === 'exit') {
    agent.destroy();
    process.disconnect();
    return;
  }
  run(job).then(
    (result) => process.send!(result),
    (error: Error) => process.send!({ error: error.message }),
  );
});
