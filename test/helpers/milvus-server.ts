import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Real Milvus servers for tests and benches, from the Python set-up (scripts/python/requirements.d/milvus.txt,
 * installed into .venv by scripts/install-python-deps.sh, which `.ci/run` runs):
 * - `milvus`: the `milvus` wheel's Milvus 2.3.5 standalone binary (embedded etcd, local storage, rocksmq),
 *   unpacked once into .venv/milvus-<version>/ and started here directly (not through the wheel's Python
 *   launcher, which leaves the server running when Python is killed);
 * - `lite`: `milvus-lite server`, the Python re-implementation (3.x) of Milvus's gRPC API.
 * Each start is loopback only, on free ports (every one of Milvus's ports is chosen here; none of its fixed
 * defaults), with its data in a new temporary folder that `close()` removes. The server runs in its own
 * process group, and stopping kills the whole group; a test process that exits without closing kills it too.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const python = process.env.ROSETTA_MILVUS_PYTHON ?? join(root, '.venv/bin/python');
const prepareScript = join(root, 'scripts/python/milvus_prepare.py');

export type MilvusKind = 'milvus' | 'lite';

function pythonHas(module: string): boolean {
  return existsSync(python) && spawnSync(python, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
}

const availability: Partial<Record<MilvusKind, boolean>> = {};
/** Whether the set-up installed this kind of server (`.venv` with the `milvus` or `milvus_lite` package). */
export function hasMilvus(kind: MilvusKind = 'milvus'): boolean {
  availability[kind] ??= pythonHas(kind === 'milvus' ? 'milvus' : 'milvus_lite.adapter.grpc.server');
  return availability[kind]!;
}

/** Why a Milvus test is skipped: names the set-up step that installs the server. */
export function milvusSkipReason(kind: MilvusKind = 'milvus'): string {
  const pkg = kind === 'milvus' ? 'milvus (Milvus 2.3.5 standalone)' : 'milvus-lite';
  return (
    `no ${pkg} server in ${join(root, '.venv')}: ` +
    `run scripts/install-python-deps.sh (npm run setup:system) to install scripts/python/requirements.d/milvus.txt`
  );
}

/** `n` distinct free loopback ports: all are held open together, then released. */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i += 1) {
      servers.push(
        await new Promise<Server>((res, rej) => {
          const s = createServer();
          s.once('error', rej);
          s.listen(0, '127.0.0.1', () => res(s));
        }),
      );
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

const PORT_KEYS = [
  'proxy_port',
  'etcd_port',
  'root_coord_port',
  'proxy_internal_port',
  'query_coord_port',
  'query_node_port',
  'index_coord_port',
  'index_node_port',
  'data_coord_port',
  'data_node_port',
  'metrics_port',
] as const;

/**
 * Shorter internal ticks than Milvus's defaults, for tests: a Strong-consistency read waits for the next time tick
 * (200 ms by default: 50 ms here), and a collection load waits for the query coordinator's checks (1 s: 100 ms).
 * What a read returns is the same; only the waits are shorter.
 */
const TEST_SETTINGS = { 'proxy.timeTickInterval': 50, 'queryCoord.checkInterval': 100, 'queryCoord.distPullInterval': 100 };

const running = new Set<ChildProcess>();
let exitHook = false;
function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* already gone */
  }
}

export interface MilvusStartOptions {
  /** How long to wait for the server to answer (default 300 s: a busy 2-core machine can take a minute). */
  timeoutMs?: number;
  /** milvus.yaml settings by dotted key (`queryCoord.checkInterval: 100`), Milvus 2.x only. */
  settings?: Record<string, number | string | boolean>;
}

export class MilvusHarness {
  private child?: ChildProcess;
  private ports?: Record<(typeof PORT_KEYS)[number], number>;
  private constructor(
    readonly kind: MilvusKind,
    readonly dir: string,
    private readonly settings: Record<string, number | string | boolean>,
  ) {}

  /** `127.0.0.1:port` for the SDK and `--store-url milvus://…`. */
  get address(): string {
    return `127.0.0.1:${this.ports!.proxy_port}`;
  }
  get url(): string {
    return `milvus://${this.address}`;
  }
  /** The server process (its group leader), for RSS measurements. */
  get pid(): number | undefined {
    return this.child?.pid;
  }
  /** The server's log (stdout and stderr), for failure messages. */
  get logFile(): string {
    return join(this.dir, 'server.log');
  }

  static async start(kind: MilvusKind = 'milvus', options: MilvusStartOptions = {}): Promise<MilvusHarness> {
    if (!hasMilvus(kind)) throw new Error(milvusSkipReason(kind));
    const h = new MilvusHarness(kind, mkdtempSync(join(tmpdir(), `rosetta-${kind}-`)), { ...TEST_SETTINGS, ...options.settings });
    try {
      await h.launch(options.timeoutMs ?? 300_000);
    } catch (e) {
      await h.close();
      throw e;
    }
    return h;
  }

  private async launch(timeoutMs: number): Promise<void> {
    // The same ports on a restart; new ones on the first start.
    if (!this.ports) {
      const list = await freePorts(PORT_KEYS.length);
      this.ports = Object.fromEntries(PORT_KEYS.map((k, i) => [k, list[i]])) as MilvusHarness['ports'];
    }
    const ports = this.ports!;
    let command: string;
    let args: string[];
    let env: NodeJS.ProcessEnv = { ...process.env };
    if (this.kind === 'milvus') {
      const portsFile = join(this.dir, 'spec.json');
      writeFileSync(portsFile, JSON.stringify({ ports, settings: this.settings }));
      const prep = spawnSync(python, [prepareScript, 'config', this.dir, portsFile], { encoding: 'utf8' });
      if (prep.status !== 0) throw new Error(`preparing Milvus failed (${prepareScript}):\n${prep.stderr}`);
      const { exe, libdir } = JSON.parse(prep.stdout.trim().split('\n').pop()!) as { exe: string; libdir: string };
      command = exe;
      args = ['run', 'standalone'];
      env = {
        ...env,
        DEPLOY_MODE: 'STANDALONE',
        METRICS_PORT: String(ports.metrics_port),
        MILVUS_RUN_DIR: join(this.dir, 'run'),
        LD_LIBRARY_PATH: [libdir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      };
    } else {
      command = python;
      env = { ...env, PYTHONUNBUFFERED: '1' };
      args = [
        '-m',
        'milvus_lite',
        'server',
        '--data-dir',
        join(this.dir, 'data'),
        '--host',
        '127.0.0.1',
        '--port',
        String(ports.proxy_port),
      ];
    }
    const log = openSync(this.logFile, 'a');
    const child = spawn(command, args, { cwd: this.dir, env, detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const c of running) killGroup(c);
      });
    }
    await this.waitReady(child, timeoutMs);
  }

  private async waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const tail = () => {
      try {
        return readFileSync(this.logFile, 'utf8').slice(-3000);
      } catch {
        return '';
      }
    };
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`${this.kind} server exited (${child.exitCode ?? child.signalCode}):\n${tail()}`);
      if (await this.answers()) return;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${this.kind} server did not answer within ${timeoutMs / 1000} s:\n${tail()}`);
  }

  /** Milvus 2.x: its health endpoint says OK; Milvus Lite: it has printed that it listens. */
  private async answers(): Promise<boolean> {
    if (this.kind === 'lite') {
      try {
        return /listening on/.test(readFileSync(this.logFile, 'utf8'));
      } catch {
        return false;
      }
    }
    try {
      const res = await fetch(`http://127.0.0.1:${this.ports!.metrics_port}/healthz`, { signal: AbortSignal.timeout(5000) });
      return res.ok && /OK/.test(await res.text());
    } catch {
      return false;
    }
  }

  /** Kills the server and every process it started (SIGKILL to its process group). Safe to call twice. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      killGroup(child);
    });
  }

  /** Stops the server and starts it again on the same ports and data, as an operator restarting it would. */
  async restart(timeoutMs = 300_000): Promise<void> {
    await this.stop();
    await this.launch(timeoutMs);
  }

  /** Stops the server and removes its folder. Safe to call twice. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
