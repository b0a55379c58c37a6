import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { link, mkdir, readFile, realpath, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes } from '../errors/codes.js';
import { insideAny, isInside } from '../util/path-inside.js';
import type { RunSpec } from './run-spec.js';

/*
 * Why a worker can trust a run (DESIGN): Redis is a shared mailbox, not an authority. Anyone who can write to it
 * could otherwise name any file, URL or store to every worker. So:
 * - A run's spec (its paths, store, spaces, fetch settings) is signed with HMAC-SHA256 under a key that the
 *   enqueuer and the workers share out of band (ROSETTA_QUEUE_KEY, a key file) and that never enters Redis.
 *   Workers refuse a spec that is unsigned, signed with another key, tampered with, or stored under another
 *   run's id (ROSETTA_ERR_QUEUE_SPEC_UNTRUSTED), before they load a model or open a store.
 * - Jobs are not trusted either: each file or shard a job names must lie under the signed spec's paths, by its
 *   path as written and by its real path (links resolved), and must be one of the run's own jobs; the rest is
 *   refused with ROSETTA_ERR_QUEUE_JOB_REFUSED, counted as failed and never read. Shard URLs go through the
 *   server's SSRF guard with the spec's own (signed) setting.
 * - The key defaults to a file created on first use (~/.config/rosetta/queue.key, mode 600), so one machine
 *   running `rosetta worker` and `rosetta index --queue` as one user needs no setting at all; other machines get
 *   a copy of that file (or the same ROSETTA_QUEUE_KEY).
 */

export interface QueueKeyOptions {
  /** The shared secret itself (at least 32 characters). Default $ROSETTA_QUEUE_KEY. Never stored in Redis. */
  queueKey?: string;
  /** A file holding the secret. Default $ROSETTA_QUEUE_KEY_FILE, else `~/.config/rosetta/queue.key` (created on first use). */
  queueKeyFile?: string;
}

const MIN_KEY_CHARS = 32;

/** Where the key lives when nothing names it: `$XDG_CONFIG_HOME/rosetta/queue.key`, else `~/.config/rosetta/queue.key`. */
export function defaultQueueKeyFile(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'rosetta', 'queue.key');
}

const keyProblem = (message: string, hint: string, setting = 'queueKeyFile') =>
  new RosettaError(ErrorCodes.QUEUE_KEY, message, { setting, hint });

/**
 * The run-signing key: the secret given (or $ROSETTA_QUEUE_KEY), else the key file named (or
 * $ROSETTA_QUEUE_KEY_FILE), else the default file, which is created (32 random bytes, mode 600) when missing.
 */
export async function loadQueueKey(options: QueueKeyOptions = {}): Promise<Buffer> {
  const secret = options.queueKey ?? process.env.ROSETTA_QUEUE_KEY;
  if (secret !== undefined && secret !== '') return checked(secret.trim(), 'ROSETTA_QUEUE_KEY');
  const named = options.queueKeyFile ?? (process.env.ROSETTA_QUEUE_KEY_FILE || undefined);
  const file = resolve(named ?? defaultQueueKeyFile());
  try {
    return checked((await readFile(file, 'utf8')).trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw RosettaError.is(error)
        ? error
        : keyProblem(
            `Cannot read the queue key ${file}: ${(error as Error).message}`,
            'make it readable by this user (and no one else: chmod 600)',
          );
    if (named)
      throw keyProblem(
        `The queue key file ${file} does not exist`,
        'copy the key file of the machine that runs `rosetta index --queue` here, or leave the setting out to use (and create) the default one',
      );
  }
  // Written whole beside it, then linked into place: a process starting at the same moment reads either no file or the whole key.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(temp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    await link(temp, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw keyProblem(`Cannot create the queue key ${file}: ${(error as Error).message}`, 'set ROSETTA_QUEUE_KEY or --queue-key-file');
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return checked((await readFile(file, 'utf8')).trim(), file);
}

function checked(secret: string, source: string): Buffer {
  if (secret.length < MIN_KEY_CHARS) {
    throw keyProblem(
      `The queue key from ${source} has ${secret.length} characters; at least ${MIN_KEY_CHARS} are needed`,
      'make one with `openssl rand -hex 32` and give the same to the enqueuer and every worker',
      source === 'ROSETTA_QUEUE_KEY' ? 'ROSETTA_QUEUE_KEY' : 'queueKeyFile',
    );
  }
  return Buffer.from(secret, 'utf8');
}

const mac = (key: Buffer, domain: string, ...parts: string[]) => {
  const h = createHmac('sha256', key).update(domain);
  for (const p of parts) h.update('\n').update(p);
  return h.digest('hex');
};
const sameMac = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A short public name of a key (not the key), so messages can say which key signed what. */
export const keyId = (key: Buffer) => mac(key, 'rosetta-queue-key-id').slice(0, 8);

interface SignedSpec {
  v: 1;
  spec: string;
  key: string;
  mac: string;
}

/** The value stored in Redis for a run's spec: its JSON and a MAC over it. */
export function signSpec(key: Buffer, spec: RunSpec): string {
  const json = JSON.stringify(spec);
  return JSON.stringify({ v: 1, spec: json, key: keyId(key), mac: mac(key, 'rosetta-run-spec-v1', json) } satisfies SignedSpec);
}

const untrusted = (runId: string, why: string, hint: string) =>
  new RosettaError(ErrorCodes.QUEUE_SPEC_UNTRUSTED, `Run ${runId}'s record in Redis ${why}; this process will not act on it`, { hint });

/** The spec as written, without checking who wrote it: for status output only (never to act on). */
export function specUnverified(raw: string): RunSpec | undefined {
  try {
    const outer = JSON.parse(raw) as Partial<SignedSpec> & Partial<RunSpec>;
    const spec = (typeof outer.spec === 'string' ? JSON.parse(outer.spec) : outer) as RunSpec;
    return isSpecShape(spec) ? spec : undefined;
  } catch {
    return undefined;
  }
}

/** The spec of run `runId` if, and only if, `key` signed it for that run id; else ROSETTA_ERR_QUEUE_SPEC_UNTRUSTED. */
export function verifySpec(key: Buffer, raw: string, runId: string): RunSpec {
  const fix =
    'start the run again with `rosetta index --queue …` from a machine holding the shared key; ' +
    'if you did not start it, someone else can write to this Redis: protect it with a password and TLS';
  let outer: Partial<SignedSpec>;
  try {
    outer = JSON.parse(raw) as Partial<SignedSpec>;
  } catch {
    throw untrusted(runId, 'is not JSON', fix);
  }
  if (typeof outer !== 'object' || outer === null || typeof outer.spec !== 'string' || typeof outer.mac !== 'string')
    throw untrusted(runId, 'is not signed', fix);
  if (!sameMac(outer.mac, mac(key, 'rosetta-run-spec-v1', outer.spec))) {
    const other = typeof outer.key === 'string' && outer.key !== keyId(key);
    throw untrusted(
      runId,
      other
        ? `was signed with another key (key ${String(outer.key).slice(0, 8)}; this process holds key ${keyId(key)})`
        : 'does not match its signature (changed after it was signed)',
      other
        ? 'give this process the same key as the machine that started the run: copy its ~/.config/rosetta/queue.key here, ' +
            'or set the same ROSETTA_QUEUE_KEY / --queue-key-file on both'
        : fix,
    );
  }
  const spec = JSON.parse(outer.spec) as RunSpec;
  if (!isSpecShape(spec)) throw untrusted(runId, 'is signed but not a run spec this version reads', fix);
  if (spec.id !== runId) throw untrusted(runId, `holds the signed spec of run ${String(spec.id)} (copied under another id)`, fix);
  return spec;
}

function isSpecShape(s: unknown): s is RunSpec {
  if (typeof s !== 'object' || s === null) return false;
  const spec = s as RunSpec;
  return (
    typeof spec.id === 'string' &&
    Array.isArray(spec.paths) &&
    spec.paths.every((p) => typeof p === 'string' && isAbsolute(p)) &&
    typeof spec.store === 'object' &&
    spec.store !== null &&
    (spec.store.kind === 'lancedb' || spec.store.kind === 'milvus') &&
    Array.isArray(spec.spaces)
  );
}

/** MAC of a commit job's payload (a worker hands encoded items to the committer through Redis). */
export const commitMac = (key: Buffer, runId: string, jobId: string, payload: string) =>
  mac(key, 'rosetta-commit-v1', runId, jobId, payload);
export const commitMacMatches = (key: Buffer, runId: string, jobId: string, payload: string, given: unknown) =>
  typeof given === 'string' && sameMac(given, commitMac(key, runId, jobId, payload));

/** What a run may read: its paths as given and their real paths (links resolved), and the folder it writes to. */
export interface RunRoots {
  paths: string[];
  real: string[];
  exclude: string[];
}

export async function runRoots(spec: RunSpec): Promise<RunRoots> {
  const real: string[] = [];
  for (const p of spec.paths) {
    try {
      real.push(await realpath(p));
    } catch {
      /* a path gone since the run began: nothing under it can be read */
    }
  }
  const exclude = spec.store.kind === 'lancedb' ? [resolve(spec.store.dir)] : [];
  for (const e of [...exclude]) {
    try {
      exclude.push(await realpath(e));
    } catch {
      /* not created yet */
    }
  }
  return { paths: spec.paths, real, exclude };
}

export const refused = (path: string, why: string) =>
  new RosettaError(ErrorCodes.QUEUE_JOB_REFUSED, `Refused ${JSON.stringify(path).slice(0, 300)}: ${why}; not read`, {
    file: typeof path === 'string' ? path : undefined,
    hint: 'a run reads only what lies under the paths it was started with; if no one you trust queued this, someone else can write to this Redis',
  });

/**
 * Checks that a job may read `path`: an absolute, normalised local path under one of the run's paths, whose
 * real path (links resolved) is also under one of their real paths and outside the collection folder.
 * Returns nothing when allowed; throws ROSETTA_ERR_QUEUE_JOB_REFUSED otherwise.
 */
export async function confine(path: unknown, roots: RunRoots): Promise<void> {
  if (typeof path !== 'string' || path === '') throw refused(String(path), 'not a path');
  if (!isAbsolute(path) || resolve(path) !== path || path.includes('\0'))
    throw refused(path, 'not an absolute, normalised local path (URLs and `..` are never job paths)');
  if (!insideAny(roots.paths, path)) throw refused(path, `outside the run's paths (${roots.paths.join(', ')})`);
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    throw new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `Cannot read ${path}: ${(error as Error).message}`, {
      file: path,
      hint: 'check the path exists and is readable by this user',
      cause: error,
    });
  }
  if (!insideAny(roots.real, real)) throw refused(path, `its real path ${real} lies outside the run's folders (a link leads out of them)`);
  if (roots.exclude.some((e) => isInside(e, real) || isInside(e, path)))
    throw refused(path, 'inside the collection folder the run writes to');
}
