import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes } from '../../src/errors/codes.js';

// Codes thrown through `ErrorCodes.X` or `new RosettaError(code)` are checked by the compiler (the constructor takes an
// ErrorCode). This test covers what the compiler cannot see: a code written as a string anywhere a user meets it
// (source, the web UI, the docs), and a code pieced together at run time, which no catalogue can be checked against.

const root = fileURLToPath(new URL('../../', import.meta.url));
const catalogue = new Set<string>(Object.values(ErrorCodes));

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && ext.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const sources = [...filesUnder('src', /\.(ts|md)$/), ...filesUnder('web', /\.(js|html)$/), 'bin/rosetta.js', 'README.md', 'DESIGN.md'];

/** The documented rows of ERRORS.md: code → [meaning, fix]. */
function documented(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(join(root, 'ERRORS.md'), 'utf8').split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const code = /^`(ROSETTA_ERR_\w+)`$/.exec(cells[0] ?? '')?.[1];
    if (code) rows.set(code, cells.slice(1));
  }
  return rows;
}

test('every ROSETTA_ERR_ code written in the source, the web UI or the docs is in the catalogue and in ERRORS.md', () => {
  const rows = documented();
  const missing: string[] = [];
  let seen = 0;
  for (const file of sources) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(/ROSETTA_ERR_[A-Z0-9_]*/g)) {
      const token = match[0];
      const line = text.slice(0, match.index).split('\n').length;
      if (token.endsWith('_')) {
        // A prefix (`startsWith('ROSETTA_ERR_MEDIA_')`, a pattern): some catalogued code must begin with it.
        if (![...catalogue].some((code) => code.startsWith(token))) missing.push(`${file}:${line} prefix ${token} matches no code`);
        continue;
      }
      seen += 1;
      if (!catalogue.has(token)) missing.push(`${file}:${line} ${token} is not in src/errors/codes.ts`);
      else if (!rows.has(token)) missing.push(`${file}:${line} ${token} has no row in ERRORS.md`);
    }
  }
  assert.ok(seen > 10, `found ${seen} codes written out in ${sources.length} files`);
  assert.deepEqual(missing, []);
});

test('no error code is pieced together at run time', () => {
  // `ROSETTA_ERR_${area}_…` or 'ROSETTA_ERR_' + x cannot be checked against the catalogue: write codes whole.
  const built: string[] = [];
  for (const file of sources.filter((f) => !f.endsWith('.md'))) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (/ROSETTA_ERR_[A-Z0-9_]*\$\{|['"`]ROSETTA_ERR_[A-Z0-9_]*['"`]\s*\+|\+\s*['"`]ROSETTA_ERR_/.test(text))
        built.push(`${file}:${i + 1}: ${text.trim()}`);
    });
  }
  assert.deepEqual(built, []);
});

test('every code ERRORS.md documents is in the catalogue (test/core/docs.test.ts checks the other way)', () => {
  assert.deepEqual(
    [...documented().keys()].filter((code) => !catalogue.has(code)),
    [],
  );
});
