// Preloaded with `node --import` (NODE_OPTIONS) by test/core/start-up.test.ts: records every file a process loads —
// ES modules (node_modules and Rosetta's own) through a load hook, CommonJS ones from the require cache at exit — one
// path a line, into the file named by ROSETTA_TEST_LOADED_FILE.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.ROSETTA_TEST_LOADED_FILE;
if (out) {
  register(
    `data:text/javascript,${encodeURIComponent(`import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(out)}, url + '\\n');
  return next(url, context);
}`)}`,
  );
  process.on('exit', () => appendFileSync(out, `${Object.keys(createRequire(import.meta.url).cache).join('\n')}\n`));
}
