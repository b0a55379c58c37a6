import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { action, addCommonOptions, openCollection, parseIntStrict, printJson, type CommonOptions } from '../shared.js';

interface ExportFlags extends CommonOptions {
  format: 'parquet';
  out: string;
  space?: string[];
  rowsPerPart?: number;
}

export function registerExport(program: Command): void {
  addCommonOptions(
    program
      .command('export')
      .description("write the collection's vectors with ids, paths and captions, laid out like clip-retrieval's embeddings folder"),
  )
    .addOption(
      new Option('--format <format>', 'output format: parquet metadata beside .npy vectors').choices(['parquet']).default('parquet'),
    )
    .requiredOption('--out <dir>', 'folder to write (one sub-folder per space)')
    .option('--space <id...>', 'only these spaces (default: all)')
    .option('--rows-per-part <n>', 'rows per part file', (v) => parseIntStrict('--rows-per-part', v))
    .action(
      action(async (o: ExportFlags) => {
        const { exportEmbeddings } = await import('../../index.js');
        const rosetta = await openCollection(o, { create: false });
        try {
          const spaces = rosetta.spaces
            .filter((x) => !o.space || o.space.includes(x.id))
            .map((s) => ({ spaceId: s.id, version: s.version }));
          const result = await exportEmbeddings(rosetta.store, spaces, resolve(o.out), { rowsPerPart: o.rowsPerPart });
          if (o.json) {
            printJson({ out: resolve(o.out), spaces: result });
            return;
          }
          for (const r of result) process.stdout.write(`${r.spaceId}: ${r.rows} vectors (${r.dim}-d) in ${r.parts} part(s) → ${r.dir}\n`);
        } finally {
          await rosetta.close();
        }
      }),
    );
}
