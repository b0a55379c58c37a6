import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { ErrorCodes } from '../errors/codes.js';
import { insideAny } from '../util/path-inside.js';

export interface WalkedFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface WalkProblem {
  path: string;
  reason: string;
  /** A RosettaError code (default: unreadable). */
  code?: string;
}

export interface WalkOptions {
  /** Directories never entered (absolute); the collection's own folder is always excluded. */
  exclude?: string[];
  /** Skip dot-files and dot-folders (default true). */
  skipHidden?: boolean;
  followSymlinks?: boolean;
  /**
   * Real paths of the only folders the walk may reach. Every entry is checked by its real path (so a link
   * inside an allowed folder that leads out of it is refused and reported), not only the paths given.
   */
  within?: string[];
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.rosetta']);

/**
 * Lists the regular files under the given paths, following symlinks once each: a directory reached
 * twice through links (a loop) is entered only the first time. Unreadable entries are reported, not thrown.
 */
export async function walkPaths(paths: string[], options: WalkOptions = {}): Promise<{ files: WalkedFile[]; problems: WalkProblem[] }> {
  const files: WalkedFile[] = [];
  const problems: WalkProblem[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const exclude = (options.exclude ?? []).map((p) => resolve(p));
  const skipHidden = options.skipHidden ?? true;
  const follow = options.followSymlinks ?? true;

  const within = options.within;

  const excluded = (p: string) => exclude.some((e) => p === e || p.startsWith(e + sep));

  // `realParent`: the real path of the folder holding `path` (none at the top), so a plain entry's real path costs no system call.
  async function visit(path: string, top: boolean, realParent?: string): Promise<void> {
    if (excluded(path)) return;
    let info;
    let linked = false;
    try {
      info = await lstat(path);
      if (info.isSymbolicLink()) {
        if (!follow) return;
        linked = true;
        info = await stat(path);
      }
    } catch (e) {
      problems.push({
        path,
        reason:
          (e as NodeJS.ErrnoException).code === 'ENOENT' ? (top ? 'no such file or directory' : 'broken symlink') : (e as Error).message,
      });
      return;
    }
    let real: string;
    try {
      real = linked || !realParent ? await realpath(path) : join(realParent, basename(path));
    } catch (e) {
      problems.push({ path, reason: (e as Error).message });
      return;
    }
    if (within && !insideAny(within, real)) {
      problems.push({
        path,
        code: ErrorCodes.SERVER_FORBIDDEN_PATH,
        reason: `its real path ${real} is outside the allowed folders (a link leads out of them); not indexed`,
      });
      return;
    }
    if (info.isDirectory()) {
      if (seenDirs.has(real) || excluded(real)) return;
      seenDirs.add(real);
      let raw: Buffer[];
      try {
        raw = await readdir(path, { encoding: 'buffer' });
      } catch (e) {
        problems.push({ path, reason: `cannot list directory: ${(e as Error).message}` });
        return;
      }
      const names: string[] = [];
      for (const bytes of raw) {
        const name = utf8Name(bytes);
        if (name === undefined) {
          problems.push({
            path: join(path, bytes.toString('latin1')),
            reason: 'the file name is not valid UTF-8; rename it (e.g. with convmv) so it can be stored and found',
          });
        } else names.push(name);
      }
      names.sort();
      for (const name of names) {
        if (SKIP_DIRS.has(name) || (skipHidden && name.startsWith('.'))) continue;
        await visit(join(path, name), false, real);
      }
    } else if (info.isFile()) {
      if (seenFiles.has(path)) return;
      seenFiles.add(path);
      files.push({ path, size: info.size, mtimeMs: Math.floor(info.mtimeMs) });
    } else {
      // Reading a FIFO would block, a device would never end: say so rather than pass by in silence.
      const kind = info.isFIFO() ? 'a FIFO (named pipe)' : info.isSocket() ? 'a socket' : 'a device';
      problems.push({ path, reason: `not a regular file but ${kind}; skipped` });
    }
  }

  for (const p of paths) await visit(resolve(p), true);
  return { files, problems };
}

function utf8Name(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
