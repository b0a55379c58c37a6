import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { action, addCommonOptions, parseIntStrict, printJson, withCollection, type CommonOptions } from '../shared.js';

interface AnimateCliOptions extends CommonOptions {
  out: string;
  frames: number;
  fps: number;
  seed?: number;
  size?: number;
  generator?: string;
  framesDir?: string;
}

export function registerAnimate(program: Command): void {
  addCommonOptions(
    program
      .command('animate')
      .description(
        "a short MP4 whose rosetta-mini conditioning moves from prompt A to prompt B, with each frame's consistency against both",
      ),
  )
    .argument('<promptA>', "the first frame's prompt")
    .argument('<promptB>', "the last frame's prompt")
    .requiredOption('-o, --out <clip.mp4>', 'where to write the MP4 (H.264)')
    .option(
      '--frames <n>',
      'frames (≥ 2); frame k is conditioned on slerp(A, B, k/(n−1)), all from one noise',
      (v) => parseIntStrict('--frames', v),
      16,
    )
    .option('--fps <n>', 'frames per second', (v) => parseIntStrict('--fps', v), 8)
    .option('--seed <n>', 'seed of the noise shared by every frame (default random, printed)', (v) => Number(v))
    .option('--size <px>', 'side of the video, enlarged from 32 px with nearest-neighbour (default 256)', (v) =>
      parseIntStrict('--size', v),
    )
    .option(
      '--frames-dir <dir>',
      'also write each frame as PNG and pairs.jsonl (frame with prompt A and with prompt B) for `rosetta check`',
    )
    .option('--generator <model>', '`mini` or a rosetta-mini directory (default: the --model space when it is rosetta-mini, else mini)')
    .action(
      action(async (promptA: string, promptB: string, o: AnimateCliOptions) => {
        const { formatCurve, samplePng } = await import('../../index.js');
        await withCollection(o, async (rosetta) => {
          const r = await rosetta.animate(promptA, promptB, {
            out: o.out,
            frames: o.frames,
            fps: o.fps,
            seed: o.seed,
            size: o.size,
            model: o.generator,
          });
          if (o.framesDir) {
            mkdirSync(o.framesDir, { recursive: true });
            const lines: string[] = [];
            for (const f of r.frames) {
              const name = `frame-${String(f.index).padStart(3, '0')}.png`;
              writeFileSync(join(o.framesDir, name), await samplePng(f.image, r.size));
              for (const text of [r.promptA, r.promptB]) lines.push(JSON.stringify({ image: name, text }));
            }
            writeFileSync(join(o.framesDir, 'pairs.jsonl'), `${lines.join('\n')}\n`);
          }
          if (o.json) {
            printJson({
              out: r.out,
              codec: r.codec,
              model: r.model,
              space: r.space,
              seed: r.seed,
              fps: r.fps,
              size: r.size,
              promptA: r.promptA,
              promptB: r.promptB,
              frames: r.frames.map(({ index, t, cosineA, cosineB, scoreA, scoreB }) => ({ index, t, cosineA, cosineB, scoreA, scoreB })),
            });
          } else {
            process.stdout.write(
              `wrote ${r.out} (${r.frames.length} frames at ${r.fps} fps, ${r.size}×${r.size}, seed ${r.seed})\n${formatCurve(r)}\n`,
            );
          }
        });
      }),
    );
}
