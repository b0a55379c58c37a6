/**
 * What the connected Milvus server can do, from its version string. Partial upserts (`partial_update`,
 * "merge mode") came with Milvus 2.6.2; older servers, and any server whose version cannot be read, get
 * whole-row rewrites instead, which are correct everywhere, only heavier.
 */
export const PARTIAL_UPDATE_SINCE: readonly [number, number, number] = [2, 6, 2];

/** `v2.6.3`, `2.5.14`, `v2.6.0-rc1`, "… Compatible with Milvus 2.5" → [major, minor, patch]; anything else → undefined. */
export function parseMilvusVersion(text: string | undefined): [number, number, number] | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text ?? '');
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function supportsPartialUpdate(version: string | undefined): boolean {
  // Milvus Lite numbers its own releases (`milvus_lite-3.2.2`): not a Milvus version, and it merges every upsert.
  // (The `milvus` wheel's real Milvus says `v2.3.5-lite`: a Milvus version.)
  if (/^milvus_lite/i.test(version ?? '')) return false;
  const v = parseMilvusVersion(version);
  if (!v) return false;
  for (let i = 0; i < 3; i += 1) if (v[i] !== PARTIAL_UPDATE_SINCE[i]) return v[i] > PARTIAL_UPDATE_SINCE[i];
  return true;
}
