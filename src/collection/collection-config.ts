import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpaceSpec } from '../spaces/load-space.js';

/** The collection's own settings, kept beside its tables so reopening needs no options. */
export interface CollectionConfig {
  formatVersion: 1;
  spaces: Required<SpaceSpec>[];
  createdAt: string;
}

const FILE = 'collection.json';

export function readCollectionConfig(dir: string): CollectionConfig | undefined {
  const path = join(dir, FILE);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as CollectionConfig;
}

/** Written via a temp file and rename, so a crash never leaves half a config. */
export function writeCollectionConfig(dir: string, config: CollectionConfig): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${FILE}.tmp`);
  writeFileSync(tmp, JSON.stringify(config, null, 2));
  renameSync(tmp, join(dir, FILE));
}
