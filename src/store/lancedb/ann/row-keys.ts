import { randomFillSync } from 'node:crypto';

/**
 * Every row written to a vector table gets a fresh random key (an `Int64` column, below 2^53 so it is an
 * exact JS number). The ANN index is keyed by it: a key never changes and is never reused, so "which rows
 * does the index hold?" is a set comparison with the table's key column, and a row rewritten under the
 * same segment id (a replaced caption) shows up as one key gone and one new. Random rather than a counter
 * so no state has to survive a crash; two keys collide with probability ~n²/2^54 (5·10⁻⁵ at a million
 * rows), which the index detects when it reads the table and repairs by re-keying.
 */
export const KEY_COLUMN = 'key';

const HIGH = 2 ** 32;

/** `count` fresh row keys in [1, 2^53). */
export function newRowKeys(count: number): number[] {
  const words = new Uint32Array(count * 2);
  randomFillSync(words);
  const keys: number[] = new Array(count);
  for (let i = 0; i < count; i++) keys[i] = (words[2 * i] & 0x1fffff) * HIGH + words[2 * i + 1] || 1;
  return keys;
}

/** Keys as the u64 array usearch takes. */
export function toNativeKeys(keys: ArrayLike<number>): BigUint64Array {
  const out = new BigUint64Array(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = BigInt(keys[i]);
  return out;
}
