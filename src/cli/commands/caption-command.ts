import type { Command } from 'commander';
import { action, addCommonOptions, openCollection, printJson, type CommonOptions } from '../shared.js';

export function registerCaption(program: Command): void {
  addCommonOptions(
    program.command('caption').description("describe an image in words (offline: zero-shot tags from the collection's image space)"),
  )
    .argument('<image>', 'image file or URL')
    .option(
      '--captioner <model>',
      'captioning model (hub id or directory), or "tags" for zero-shot tags; a named captioner that cannot load is an error',
    )
    .option('--detailed', 'a longer description where the model can')
    .option('--ocr', 'also read the text in the image (Florence-2 when it is the captioner, else PaddleOCR offline)')
    .option('--labels <labels>', 'label vocabulary for the tags fallback (comma-separated)')
    .option('--store', 'keep the caption with the indexed image, so text and keyword search see it (an error when only tags could be made)')
    .action(
      action(
        async (
          image: string,
          o: CommonOptions & { captioner?: string; detailed?: boolean; ocr?: boolean; labels?: string; store?: boolean },
        ) => {
          const rosetta = await openCollection(o, { create: false });
          try {
            const r = await rosetta.caption(image, {
              model: o.captioner,
              detail: o.detailed ? 'detailed' : 'short',
              ocr: o.ocr,
              labels: o.labels?.split(',').map((s) => s.trim()),
              store: o.store,
            });
            if (o.json) {
              printJson({ image, ...r });
              return;
            }
            process.stdout.write(`${r.kind === 'tags' ? 'tags: ' : ''}${r.text}\n`);
            if (r.ocr) process.stdout.write(`text in image: ${r.ocr}\n`);
            if (r.consistency !== undefined)
              process.stdout.write(`consistency (CLIPScore in ${r.consistencySpace}): ${r.consistency.toFixed(3)}\n`);
            if (r.fallbackReason) process.stderr.write(`note: ${r.fallbackReason}\n`);
          } finally {
            await rosetta.close();
          }
        },
      ),
    );
}
