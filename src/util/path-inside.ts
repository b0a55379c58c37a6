import { isAbsolute, relative, sep } from 'node:path';

/** True when `path` is `root` or lies beneath it (both absolute and already resolved; no `..` games). */
export function isInside(root: string, path: string): boolean {
  if (path === root) return true;
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** True when `path` lies inside any of `roots`. */
export const insideAny = (roots: readonly string[], path: string): boolean => roots.some((root) => isInside(root, path));
