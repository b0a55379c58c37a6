import type { SearchFilter } from '../vector-store.js';
import { globToRegexSource, locationMatcher } from '../glob.js';
import { invalidArgument } from '../../util/validate.js';

/** A filter split into the SQL LanceDB evaluates before the vector search and what must be checked after. */
export interface CompiledFilter {
  /** `undefined` when nothing is pushed down. */
  where?: string;
  /** Set when part of the filter could not be expressed in SQL (an exotic glob). */
  postFilter?: (locations: readonly string[]) => boolean;
  /** Set when the SQL is only a superset of the answer (a glob), so callers over-fetch and confirm. */
  needsConfirm: boolean;
}

export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function finite(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidArgument(`filter.${name}`, 'a finite number', value);
  return value;
}

/**
 * Translates a SearchFilter into a LanceDB `where` clause over the denormalised columns
 * (modality, kind, size, mtime_ms, tags, locations_text). `after` is inclusive, `before` exclusive.
 * `kinds` is ignored for tables that have no `kind` column (items).
 */
export function compileFilter(filter: SearchFilter | undefined, opts: { hasKind: boolean }): CompiledFilter {
  if (!filter) return { needsConfirm: false };
  const parts: string[] = [];
  if (filter.modality !== undefined) {
    if (!Array.isArray(filter.modality)) throw invalidArgument('filter.modality', 'an array of modalities', filter.modality);
    parts.push(filter.modality.length ? `modality IN (${filter.modality.map(sqlString).join(', ')})` : 'false');
  }
  if (filter.kinds !== undefined && opts.hasKind) {
    if (!Array.isArray(filter.kinds)) throw invalidArgument('filter.kinds', 'an array of segment kinds', filter.kinds);
    parts.push(filter.kinds.length ? `kind IN (${filter.kinds.map(sqlString).join(', ')})` : 'false');
  }
  if (filter.minSize !== undefined) parts.push(`size >= ${finite('minSize', filter.minSize)}`);
  if (filter.maxSize !== undefined) parts.push(`size <= ${finite('maxSize', filter.maxSize)}`);
  if (filter.after !== undefined) parts.push(`mtime_ms >= ${finite('after', filter.after)}`);
  if (filter.before !== undefined) parts.push(`mtime_ms < ${finite('before', filter.before)}`);
  if (filter.tags !== undefined) {
    if (!Array.isArray(filter.tags)) throw invalidArgument('filter.tags', 'an array of strings', filter.tags);
    if (filter.tags.length) parts.push(`array_has_all(tags, make_array(${filter.tags.map((t) => sqlString(String(t))).join(', ')}))`);
  }
  let postFilter: CompiledFilter['postFilter'];
  if (filter.pathGlob !== undefined) {
    if (typeof filter.pathGlob !== 'string' || !filter.pathGlob)
      throw invalidArgument('filter.pathGlob', 'a non-empty glob string', filter.pathGlob);
    const re = globToRegexSource(filter.pathGlob);
    if (re) parts.push(`regexp_like(locations_text, ${sqlString(re)})`);
    postFilter = locationMatcher(filter.pathGlob);
  }
  return { where: parts.length ? parts.join(' AND ') : undefined, postFilter, needsConfirm: postFilter !== undefined };
}
