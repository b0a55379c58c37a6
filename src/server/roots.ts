import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ErrorCodes, insideAny, type LocationFilter } from '../rosetta.js';
import { HttpError } from './http-errors.js';

/**
 * Confines what the server reads to the configured roots. A path is accepted only when, after resolving
 * `..` and every symlink (realpath), it lies inside the real path of a root: so neither `../` nor a
 * symlink pointing outside can escape. This holds for the paths clients name, for every file an index job
 * reaches below them (`readable()` bounds the walk), and for the files search hits show and `/api/media`
 * serves (`servable()`). The upload folder counts as a root.
 */
export class Roots {
  /** `real`: the roots' real paths; `given`: the roots as configured (resolved), which a client may spell paths by. */
  private constructor(
    private readonly real: string[],
    private readonly given: string[],
    private readonly uploadDir: string,
  ) {}

  static async create(roots: string[], uploadDir: string): Promise<Roots> {
    const real: string[] = [];
    const given: string[] = [];
    for (const r of roots) {
      try {
        real.push(await realpath(resolve(r)));
        given.push(resolve(r));
      } catch {
        /* a root that does not exist confines nothing */
      }
    }
    return new Roots(real, given, resolve(uploadDir));
  }

  get list(): readonly string[] {
    return this.real;
  }

  /** Real paths of the folders server work may read: the roots and the upload folder (once it exists). */
  async readable(): Promise<string[]> {
    const uploads = await realpath(this.uploadDir).catch(() => undefined);
    return uploads ? [...this.real, uploads] : [...this.real];
  }

  /**
   * The real path of an indexed location when the server may show or serve it, else undefined. With roots
   * set, only files under a root or the upload folder qualify (a link swapped in after indexing, or items
   * that once came in through a link, stay hidden); with none set, no client can name server paths, so
   * every location the operator indexed qualifies.
   */
  async servable(location: string, readable?: readonly string[]): Promise<string | undefined> {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return undefined;
    const real = await realpath(location).catch(() => undefined);
    if (real === undefined || this.real.length === 0) return real;
    return insideAny(readable ?? (await this.readable()), real) ? real : undefined;
  }

  /** `servable` as the filter Rosetta's mediaFile and thumbnail take, with the readable folders read once. */
  async servableFilter(): Promise<LocationFilter> {
    const readable = await this.readable();
    return (location) => this.servable(location, readable);
  }

  /**
   * The real path of `path` (relative paths resolve against the first root), or a refusal that tells nothing
   * about what lies outside the roots: a path outside them by its text is refused before the file system is
   * touched, and a path inside whose real path leads out is refused the same way whether its target exists
   * or not. Only a file missing from a folder really inside a root is "not found".
   */
  async confine(path: string): Promise<string> {
    const forbidden = (why: string) =>
      new HttpError(403, ErrorCodes.SERVER_FORBIDDEN_PATH, `${path} is not allowed: ${why}`, {
        setting: 'roots',
        hint: 'give a path inside one of the server roots (rosetta serve --root <dir>)',
      });
    if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) throw forbidden('not a path');
    if (this.real.length === 0) throw forbidden('the server has no roots configured');
    // Refuse `..` segments outright, even where they would resolve inside a root: a client has no need for them.
    if (path.split(/[\\/]/).includes('..')) throw forbidden('`..` is not allowed');
    const absolute = isAbsolute(path) ? resolve(path) : resolve(this.real[0], path);
    if (!insideAny([...this.real, ...this.given], absolute)) throw forbidden(OUTSIDE);
    const real = await realpath(absolute).catch(() => undefined);
    if (real !== undefined) {
      if (!insideAny(this.real, real)) throw forbidden(OUTSIDE);
      return real;
    }
    // Missing. Find the nearest ancestor that exists: the name below it must be no (dangling) link, and the
    // ancestor must really lie inside a root, or the answer would say whether something exists out there.
    for (let probe = absolute; probe !== dirname(probe); probe = dirname(probe)) {
      if (
        await lstat(probe).then(
          () => true,
          () => false,
        )
      )
        throw forbidden(OUTSIDE);
      const parent = await realpath(dirname(probe)).catch(() => undefined);
      if (parent === undefined) continue;
      if (!insideAny(this.real, parent)) throw forbidden(OUTSIDE);
      throw new HttpError(404, ErrorCodes.SERVER_NOT_FOUND, `${path} does not exist on the server`, { setting: 'paths' });
    }
    throw forbidden(OUTSIDE);
  }
}

const OUTSIDE = 'outside the server roots';
