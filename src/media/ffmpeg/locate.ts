import { access, chmod, constants } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { execFile } from 'node:child_process';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';

/** The ffmpeg and ffprobe programs Rosetta runs, and where they came from. */
export interface FfmpegEngine {
  ffmpeg: string;
  ffprobe: string;
  /** `env` ($ROSETTA_FFMPEG / $ROSETTA_FFPROBE), `path` (found on $PATH) or `npm` (binary shipped in an npm package). */
  source: 'env' | 'path' | 'npm';
  /** The version ffmpeg reports, e.g. `5.1.9-0+deb12u1`. */
  version: string;
  /** Major version when it parses (static snapshot builds report none); selects `-fps_mode` over `-vsync`. */
  major?: number;
}

const INSTALL_HINT = [
  'install ffmpeg (it includes ffprobe):',
  '    Debian/Ubuntu: sudo apt-get install ffmpeg',
  '    macOS:         brew install ffmpeg',
  '    Windows:       winget install ffmpeg',
  '    or via npm:    npm install @ffmpeg-installer/ffmpeg @ffprobe-installer/ffprobe',
  '  or point ROSETTA_FFMPEG and ROSETTA_FFPROBE at the two programs.',
].join('\n');

let cached: Promise<FfmpegEngine> | undefined;

/**
 * Finds ffmpeg and ffprobe once per process: $ROSETTA_FFMPEG/$ROSETTA_FFPROBE, else $PATH, else the binaries inside
 * `@ffmpeg-installer/ffmpeg` / `@ffprobe-installer/ffprobe`. Fails with FFMPEG_MISSING and the install commands.
 */
export function locateFfmpeg(): Promise<FfmpegEngine> {
  cached ??= detectFfmpeg().catch((error) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/** Forgets the cached engine (tests, or after the user installs ffmpeg in a running server). */
export function resetFfmpegCache(): void {
  cached = undefined;
}

/**
 * Detects ffmpeg afresh (uncached) from an environment. When $ROSETTA_FFMPEG or $ROSETTA_FFPROBE is set, only they
 * are tried: a user who names a program wants that one, not a silent fallback.
 */
export async function detectFfmpeg(env: NodeJS.ProcessEnv = process.env): Promise<FfmpegEngine> {
  const candidates: { source: FfmpegEngine['source']; ffmpeg?: string; ffprobe?: string }[] = [];
  if (env.ROSETTA_FFMPEG || env.ROSETTA_FFPROBE) {
    candidates.push({
      source: 'env',
      ffmpeg: env.ROSETTA_FFMPEG ?? (await onPath('ffmpeg', env)),
      ffprobe: env.ROSETTA_FFPROBE ?? (await onPath('ffprobe', env)),
    });
    return firstWorking(candidates);
  }
  candidates.push({ source: 'path', ffmpeg: await onPath('ffmpeg', env), ffprobe: await onPath('ffprobe', env) });
  candidates.push({
    source: 'npm',
    ffmpeg: await fromNpm('@ffmpeg-installer/ffmpeg'),
    ffprobe: await fromNpm('@ffprobe-installer/ffprobe'),
  });
  return firstWorking(candidates);
}

async function firstWorking(candidates: { source: FfmpegEngine['source']; ffmpeg?: string; ffprobe?: string }[]): Promise<FfmpegEngine> {
  const tried: string[] = [];
  for (const c of candidates) {
    if (!c.ffmpeg || !c.ffprobe) {
      tried.push(`${c.source}: ${c.ffmpeg ? 'no ffprobe' : 'no ffmpeg'}`);
      continue;
    }
    const version = await versionOf(c.ffmpeg);
    if (version && (await versionOf(c.ffprobe))) {
      const major = /^n?(\d+)\.\d+/.exec(version)?.[1];
      return { ffmpeg: c.ffmpeg, ffprobe: c.ffprobe, source: c.source, version, major: major ? Number(major) : undefined };
    }
    tried.push(`${c.source}: ${c.ffmpeg} did not run`);
  }
  throw new RosettaError(
    ErrorCodes.FFMPEG_MISSING,
    `ffmpeg and ffprobe are needed to read audio and video, but none could be run (${tried.join('; ')})`,
    { hint: INSTALL_HINT },
  );
}

async function onPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const exts = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const file = join(dir, name + ext);
      try {
        await access(file, constants.X_OK);
        return file;
      } catch {
        /* next */
      }
    }
  }
  return undefined;
}

async function fromNpm(pkg: string): Promise<string | undefined> {
  try {
    const require = createRequire(import.meta.url);
    const file = (require(pkg) as { path?: string }).path;
    if (!file) return undefined;
    // The package's postinstall (chmod u+x) may have been skipped by the npm script policy.
    try {
      await access(file, constants.X_OK);
    } catch {
      await chmod(file, 0o755).catch(() => undefined);
    }
    return file;
  } catch {
    return undefined;
  }
}

function versionOf(file: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(file, ['-hide_banner', '-version'], { timeout: 15_000 }, (error, stdout) => {
      if (error) {
        resolve(undefined);
        return;
      }
      resolve(/version (\S+)/.exec(String(stdout))?.[1] ?? 'unknown');
    });
  });
}
