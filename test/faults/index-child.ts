// A child process for memory measurements: indexes paths into a collection with the library (so a test can
// set what the CLI does not expose, such as the ANN threshold) and prints the summary as JSON, with
// `peakRssBeforeOptimizeMb`: the child's peak resident set when indexing was done and the store's
// end-of-run optimize (LanceDB's compaction and index builds) began.
import { Rosetta } from '../../src/rosetta.js';

const [dir, models, optionsJson, ...paths] = process.argv.slice(2);
const options = JSON.parse(optionsJson) as { indexThreshold?: number; maxPixels?: number };
const rosetta = await Rosetta.open(dir, { spaces: models.split(','), offline: true, ...options });
let peakRssBeforeOptimizeMb: number | undefined;
const summary = await rosetta.index(paths, {
  onProgress: (p) => {
    if (p.phase === 'optimize') peakRssBeforeOptimizeMb = process.resourceUsage().maxRSS / 1024;
  },
});
await rosetta.close();
process.stdout.write(`${JSON.stringify({ ...summary, peakRssBeforeOptimizeMb })}\n`);
