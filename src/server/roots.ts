import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ErrorCodes } from '../errors/codes.js';
import { HttpError } from './http-errors.js';

/**
 * Confines client-given paths to the configured roots. A path is accepted only when, after resolving
 * `..` and every symlink (realpath), it lies inside the real path of a root: so neither `../` nor a
 * symlink pointing outside can escape.
 */
export class Roots {
  private constructor(private readonly real: string[]) {}

  static async create(roots: string[]): Promise<Roots> {
    const real: string[] = [];
    for (const r of roots) {
      try { real.push(await realpath(resolve(r))); } catch { /* a root that does not exist confines nothing */ }
    }
    return new Roots(real);
  }

  get list(): readonly string[] { return this.real; }

  /** The real path of `path` (relative paths resolve against the first root), or a 403. */
  async confine(path: string): Promise<string> {
    const forbidden = (why: string) => new HttpError(403, ErrorCodes.SERVER_FORBIDDEN_PATH, `${path} is not allowed: ${why}`,
      { setting: 'roots', hint: 'give a path inside one of the server roots (rosetta serve --root <dir>)' });
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) throw forbidden('not a path');
    if (this.real.length === 0) throw forbidden('the server has no roots configured');
    // Refuse `..` segments outright, even where they would resolve inside a root: a client has no need for them.
    if (path.split(/[\\/]/).includes('..')) throw forbidden('`..` is not allowed');
    const absolute = isAbsolute(path) ? resolve(path) : resolve(this.real[0], path);
    let real: string;
    try {
      real = await realpath(absolute);
    } catch {
      throw new HttpError(404, ErrorCodes.SERVER_NOT_FOUND, `${path} does not exist on the server`, { setting: 'paths' });
    }
    if (!this.real.some((root) => inside(root, real))) throw forbidden('outside the server roots');
    return real;
  }
}

export function inside(root: string, path: string): boolean {
  if (path === root) return true;
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}
