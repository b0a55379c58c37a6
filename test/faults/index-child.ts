// A child process for memory measurements: indexes paths into a collection with the library (so a test can
// set what the CLI does not expose, such as the ANN threshold) and prints the summary as JSON.
import { Rosetta } from '../../src/rosetta.js';

const [dir, models, optionsJson, ...paths] = process.argv.slice(2);
const options = JSON.parse(optionsJson) as { indexThreshold?: number; maxPixels?: number };
const rosetta = await Rosetta.open(dir, { spaces: models.split(','), offline: true, ...options });
const summary = await rosetta.index(paths);
await rosetta.close();
process.stdout.write(`${JSON.stringify(summary)}\n`);
