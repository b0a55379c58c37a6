/**
 * Reads every row an expression matches, a page at a time, with no row cap: each page asks for rows whose
 * primary key is above the last page's largest key (Milvus caps one query's offset + limit at 16,384, so
 * offset paging cannot go further). Ends on a short or empty page.
 */
export async function* pagesByKey<T>(
  fetchPage: (afterKey: string | undefined, limit: number) => Promise<T[]>,
  keyOf: (row: T) => string,
  pageSize = 4096,
): AsyncGenerator<T[]> {
  let after: string | undefined;
  for (;;) {
    const rows = await fetchPage(after, pageSize);
    if (rows.length) yield rows;
    if (rows.length < pageSize) return;
    let max = keyOf(rows[0]);
    for (const r of rows) {
      const k = keyOf(r);
      if (k > max) max = k;
    }
    if (after !== undefined && max <= after) return; // a server that ignored the key bound: stop rather than loop
    after = max;
  }
}

/** All pages of `pagesByKey` in one array. */
export async function readAllByKey<T>(
  fetchPage: (afterKey: string | undefined, limit: number) => Promise<T[]>,
  keyOf: (row: T) => string,
  pageSize = 4096,
): Promise<T[]> {
  const out: T[] = [];
  for await (const rows of pagesByKey(fetchPage, keyOf, pageSize)) out.push(...rows);
  return out;
}

/** The key condition of the page after `afterKey`, combined with the caller's expression. */
export function pageExpr(expr: string, key: string, afterKey: string | undefined): string {
  return afterKey === undefined ? expr : `(${expr}) and ${key} > ${JSON.stringify(afterKey)}`;
}

/** A readable line from whatever the SDK threw: an Error, a gRPC status object, or a reply with a reason. */
export function describeMilvusError(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (cause && typeof cause === 'object') {
    const o = cause as Record<string, unknown>;
    const text = [o.message, o.details, o.reason, (o.status as Record<string, unknown> | undefined)?.reason].find(
      (v) => typeof v === 'string' && v,
    );
    if (text) return `${text}${o.code !== undefined ? ` (code ${String(o.code)})` : ''}`;
    try {
      return JSON.stringify(cause);
    } catch {
      /* fall through */
    }
  }
  return String(cause);
}
