/**
 * Which row each ANN key stands for: key → segment id (and item hash). Item hashes are not stored when
 * the segment id starts with `<itemHash>:` (how ingest names every segment), so a million rows cost one
 * string each. The map and the graph always hold the same keys.
 */
export interface KeyedRow {
  key: number;
  segmentId: string;
  itemHash: string;
}

export class KeyMap {
  private readonly segments = new Map<number, string>();
  private readonly odd = new Map<number, string>();

  get size(): number {
    return this.segments.size;
  }

  has(key: number): boolean {
    return this.segments.has(key);
  }

  set(key: number, segmentId: string, itemHash: string): void {
    this.segments.set(key, segmentId);
    if (segmentId.length > itemHash.length && segmentId.startsWith(itemHash) && segmentId[itemHash.length] === ':') this.odd.delete(key);
    else this.odd.set(key, itemHash);
  }

  delete(key: number): boolean {
    this.odd.delete(key);
    return this.segments.delete(key);
  }

  /** The row of a key, or undefined when the key is not (or no longer) in the table. */
  get(key: number): { segmentId: string; itemHash: string } | undefined {
    const segmentId = this.segments.get(key);
    if (segmentId === undefined) return undefined;
    return { segmentId, itemHash: this.odd.get(key) ?? segmentId.slice(0, segmentId.indexOf(':')) };
  }

  keys(): IterableIterator<number> {
    return this.segments.keys();
  }

  /**
   * Binary form saved beside the index: a little-endian u32 count, the keys as f64, then one UTF-8 line
   * per key — the segment id, or a JSON `[segmentId, itemHash]` when the id does not carry the hash or
   * holds a line break.
   */
  serialize(): Buffer {
    const n = this.segments.size;
    const keys = new Float64Array(n);
    const lines: string[] = new Array(n);
    let i = 0;
    for (const [key, segmentId] of this.segments) {
      keys[i] = key;
      const odd = this.odd.get(key);
      lines[i++] =
        odd !== undefined || /[\n[]/.test(segmentId[0] ?? '') || segmentId.includes('\n')
          ? JSON.stringify([segmentId, this.get(key)!.itemHash])
          : segmentId;
    }
    const head = Buffer.alloc(8);
    head.writeUInt32LE(n, 0);
    return Buffer.concat([head, Buffer.from(keys.buffer, keys.byteOffset, keys.byteLength), Buffer.from(lines.join('\n'), 'utf8')]);
  }

  static deserialize(bytes: Buffer): KeyMap {
    const n = bytes.readUInt32LE(0);
    const keyBytes = bytes.subarray(8, 8 + n * 8);
    if (keyBytes.length !== n * 8) throw new Error(`key file holds ${Math.floor(keyBytes.length / 8)} keys, its header says ${n}`);
    const keys = new Float64Array(keyBytes.buffer.slice(keyBytes.byteOffset, keyBytes.byteOffset + keyBytes.length));
    const text = bytes.subarray(8 + n * 8).toString('utf8');
    const lines = n ? text.split('\n') : [];
    if (lines.length !== n) throw new Error(`key file holds ${lines.length} segment ids for ${n} keys`);
    const map = new KeyMap();
    for (let i = 0; i < n; i++) {
      const line = lines[i];
      if (line[0] === '[') {
        const [segmentId, itemHash] = JSON.parse(line) as [string, string];
        map.set(keys[i], segmentId, itemHash);
      } else map.set(keys[i], line, line.slice(0, line.indexOf(':')));
    }
    if (map.size !== n) throw new Error(`key file repeats keys (${n - map.size} duplicates)`);
    return map;
  }
}
