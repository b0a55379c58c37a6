// Child process for the SIGKILL test: indexes a folder, printing a line after each batch.
import { Rosetta } from '../../src/rosetta.js';

const [dir, files, model] = process.argv.slice(2);
const rosetta = await Rosetta.open(dir, { spaces: [model], offline: true });
await rosetta.index([files], {
  batchFiles: 4,
  commitItems: 4, // a write per batch, so the kill lands between writes
  onProgress: (p) => {
    if (p.phase === 'index') process.stdout.write(`done ${p.done}\n`);
  },
});
process.stdout.write('finished\n');
await rosetta.close();
