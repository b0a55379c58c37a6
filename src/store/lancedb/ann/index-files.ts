import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { KeyMap } from './key-map.js';
import { UsearchGraph } from './usearch-graph.js';
import type { AnnSettings } from './settings.js';
import { checkUsearchFile, SCALAR_BYTES, storedVectors, type UsearchFileHeader } from './usearch-header.js';

/**
 * The index of one vector table on disk, in `<collection>/ann/<table>/`: `manifest.json` names one
 * generation of files (`index-<gen>.usearch`, `keys-<gen>.bin`) with their sizes and CRC-32s, and says
 * which space version, dimension, graph settings and table version they cover. Files are written first and
 * the manifest is renamed into place last, so a crash leaves the previous manifest and its complete files.
 */
export const MANIFEST = 'manifest.json';
const FORMAT = 1;

export interface FileEntry {
  file: string;
  bytes: number;
  crc32: number;
}

export interface AnnManifest {
  format: number;
  spaceId: string;
  spaceVersion: string;
  dim: number;
  quantization: AnnSettings['quantization'];
  connectivity: number;
  expansionAdd: number;
  count: number;
  /** LanceDB version of the vector table when the keys were read (a hint: opening always compares key sets). */
  tableVersion: number;
  savedAt: string;
  index: FileEntry;
  keys: FileEntry;
}

/** What an index on disk must match to be used for a table. */
export interface IndexIdentity {
  spaceId: string;
  spaceVersion: string;
  dim: number;
}

/** A reason to rebuild, said in words (shown by `annStatus`). */
export class IndexFileProblem extends Error {}

export function annDir(collectionDir: string, tableName: string): string {
  return join(collectionDir, 'ann', tableName);
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Index files are opened only as regular files named inside the index folder: never through a link, never a device or pipe. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
/** A manifest is a few hundred bytes; anything past this is not one. */
const MAX_MANIFEST_BYTES = 64 * 1024;

function checkName(name: unknown): string {
  if (typeof name !== 'string' || !FILE_NAME.test(name) || name.includes('..'))
    throw new IndexFileProblem(`the manifest names ${JSON.stringify(name)}, not a file of the index folder`);
  return name;
}

/** The index folder and the `ann/` folder above it must be real folders, not links to elsewhere. */
function checkFolder(dir: string): void {
  for (const d of [dir, dirname(dir)]) {
    const st = lstatSync(d, { throwIfNoEntry: false });
    if (st && !st.isDirectory())
      throw new IndexFileProblem(`${d} is not a folder (a link or a file): the index is rebuilt in a real folder`);
  }
}

/** Opens `name` in `dir` for reading: a regular file there, or an IndexFileProblem saying what it is instead. */
function openInside(dir: string, name: string): { fd: number; size: number } {
  const path = join(dir, checkName(name));
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IndexFileProblem(
      code === 'ELOOP' ? `${name} is a link` : code === 'ENOENT' ? `${name} is missing` : `${name} cannot be read (${code})`,
    );
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new IndexFileProblem(`${name} is not a regular file`);
  }
  return { fd, size: st.size };
}

function readWhole(fd: number, size: number): Buffer {
  const buf = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

async function fileCrc(dir: string, name: string): Promise<{ bytes: number; crc32: number }> {
  const path = join(dir, checkName(name));
  let handle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new IndexFileProblem(
      code === 'ELOOP' ? `${name} is a link` : code === 'ENOENT' ? `${name} is missing` : `${name} cannot be read (${code})`,
    );
  }
  try {
    if (!(await handle.stat()).isFile()) throw new IndexFileProblem(`${name} is not a regular file`);
    const chunk = Buffer.allocUnsafe(16 << 20);
    let crc = 0;
    let bytes = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, bytes);
      if (bytesRead === 0) break;
      crc = crc32(chunk.subarray(0, bytesRead), crc);
      bytes += bytesRead;
    }
    return { bytes, crc32: crc };
  } finally {
    await handle.close();
  }
}

/** Writes graph and keys as a new generation, then the manifest naming them; removes older generations. */
export async function writeIndexFiles(
  dir: string,
  graph: UsearchGraph,
  keys: KeyMap,
  meta: Omit<AnnManifest, 'format' | 'count' | 'savedAt' | 'index' | 'keys'>,
): Promise<AnnManifest> {
  // A link planted where the index folder (or `ann/`) belongs is removed, never written through.
  for (const d of [dirname(dir), dir]) {
    const st = lstatSync(d, { throwIfNoEntry: false });
    if (st && !st.isDirectory()) rmSync(d, { force: true });
  }
  mkdirSync(dir, { recursive: true });
  const gen = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const indexFile = `index-${gen}.usearch`;
  const keysFile = `keys-${gen}.bin`;
  graph.save(join(dir, indexFile));
  const keyBytes = keys.serialize();
  writeFileSync(join(dir, keysFile), keyBytes);
  syncFile(join(dir, indexFile));
  syncFile(join(dir, keysFile));
  const manifest: AnnManifest = {
    format: FORMAT,
    ...meta,
    count: keys.size,
    savedAt: new Date().toISOString(),
    index: { file: indexFile, ...(await fileCrc(dir, indexFile)) },
    keys: { file: keysFile, bytes: keyBytes.length, crc32: crc32(keyBytes) },
  };
  const tmp = join(dir, `${MANIFEST}.${gen}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 1));
  syncFile(tmp);
  renameSync(tmp, join(dir, MANIFEST));
  syncFile(dir);
  removeOtherGenerations(dir, manifest);
  return manifest;
}

/**
 * Deletes files of generations the manifest does not name, once a minute old (another process may be
 * writing a newer generation right now).
 */
function removeOtherGenerations(dir: string, keep: AnnManifest): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (name === MANIFEST || name === keep.index.file || name === keep.keys.file) continue;
    if (!/^(index-|keys-|manifest\.json\.)/.test(name)) continue;
    try {
      if (now - statSync(join(dir, name)).mtimeMs > 60_000) rmSync(join(dir, name), { force: true });
    } catch {
      /* gone already */
    }
  }
}

export function readManifest(dir: string): AnnManifest | undefined {
  if (!lstatSync(join(dir, MANIFEST), { throwIfNoEntry: false })) return undefined;
  checkFolder(dir);
  const { fd, size } = openInside(dir, MANIFEST);
  let text: string;
  try {
    if (size > MAX_MANIFEST_BYTES) throw new IndexFileProblem(`the manifest is ${size} bytes, more than any manifest`);
    text = readWhole(fd, size).toString('utf8');
  } finally {
    closeSync(fd);
  }
  try {
    return JSON.parse(text) as AnnManifest;
  } catch {
    throw new IndexFileProblem('the manifest is not valid JSON');
  }
}

/**
 * Loads the generation the manifest names, trusting nothing: format, space version, dimension and graph
 * settings must match, both files must have the recorded size and CRC-32, and the graph must hold exactly
 * the keys of the key file.
 */
export interface LoadedIndex {
  graph: UsearchGraph;
  keys: KeyMap;
  manifest: AnnManifest;
  /** The vectors the index file stores for these keys (keys it does not hold are left out). */
  stored(keys: readonly number[]): Map<number, Float32Array>;
}

export async function readIndexFiles(dir: string, want: IndexIdentity, settings: AnnSettings): Promise<LoadedIndex | undefined> {
  const m = readManifest(dir);
  if (!m) return undefined;
  if (m.format !== FORMAT) throw new IndexFileProblem(`index format ${m.format}, this version reads ${FORMAT}`);
  if (m.spaceId !== want.spaceId || m.spaceVersion !== want.spaceVersion)
    throw new IndexFileProblem(`the index is of ${m.spaceId}@${m.spaceVersion}, the table holds ${want.spaceId}@${want.spaceVersion}`);
  if (m.dim !== want.dim) throw new IndexFileProblem(`the index holds ${m.dim}-d vectors, the table ${want.dim}-d`);
  if (m.quantization !== settings.quantization || m.connectivity !== settings.connectivity || m.expansionAdd !== settings.expansionAdd) {
    throw new IndexFileProblem(
      `the index was built with ${m.quantization}, M ${m.connectivity}, expansion_add ${m.expansionAdd}; ` +
        `settings now ask for ${settings.quantization}, M ${settings.connectivity}, expansion_add ${settings.expansionAdd}`,
    );
  }
  if (!m.index || !m.keys || m.index.file === m.keys.file)
    throw new IndexFileProblem('the manifest does not name an index file and a key file');
  for (const entry of [m.index, m.keys]) {
    let found: { bytes: number; crc32: number };
    try {
      found = await fileCrc(dir, entry.file);
    } catch (e) {
      throw e instanceof IndexFileProblem ? e : new IndexFileProblem(`${entry.file} is missing`);
    }
    if (found.bytes !== entry.bytes || found.crc32 !== entry.crc32)
      throw new IndexFileProblem(
        `${entry.file} is damaged (size ${found.bytes}, CRC-32 ${found.crc32}; the manifest says ${entry.bytes}, ${entry.crc32})`,
      );
  }
  let keys: KeyMap;
  const keyFile = openInside(dir, m.keys.file);
  try {
    keys = KeyMap.deserialize(readWhole(keyFile.fd, keyFile.size));
  } catch (e) {
    throw new IndexFileProblem(`${m.keys.file}: ${(e as Error).message}`);
  } finally {
    closeSync(keyFile.fd);
  }
  // usearch trusts its file's header (a forged count aborts the process): every size in it is checked first.
  const indexFile = openInside(dir, m.index.file);
  let header: UsearchFileHeader;
  try {
    header = checkUsearchFile(indexFile.fd, indexFile.size, {
      dim: want.dim,
      scalarBytes: SCALAR_BYTES[settings.quantization],
      connectivity: settings.connectivity,
      count: keys.size,
    });
  } catch (e) {
    throw new IndexFileProblem(`${m.index.file} is not an index of this table: ${(e as Error).message}`);
  } finally {
    closeSync(indexFile.fd);
  }
  let graph: UsearchGraph;
  try {
    graph = UsearchGraph.load(join(dir, m.index.file), want.dim, settings);
  } catch (e) {
    throw new IndexFileProblem(`${m.index.file} did not load: ${(e as Error).message}`);
  }
  if (graph.size !== keys.size) throw new IndexFileProblem(`the graph holds ${graph.size} vectors, the key file ${keys.size}`);
  const stored = (sample: readonly number[]) => {
    const file = openInside(dir, m.index.file);
    try {
      return storedVectors(file.fd, header, sample);
    } finally {
      closeSync(file.fd);
    }
  };
  return { graph, keys, manifest: m, stored };
}

/** Removes the index of a table (its space was re-created, or the index is beyond use). */
export function removeIndexFiles(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
