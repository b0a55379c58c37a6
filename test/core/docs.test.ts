import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ErrorCodes } from '../../src/errors/codes.js';
import { DEFAULT_INDEX_THRESHOLD } from '../../src/store/lancedb/index-policy.js';

test('every error code has a meaning and a fix in ERRORS.md', () => {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(new URL('../../ERRORS.md', import.meta.url), 'utf8').split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const code = /^`(ROSETTA_ERR_\w+)`$/.exec(cells[0] ?? '')?.[1];
    if (code) rows.set(code, cells.slice(1));
  }
  for (const code of Object.values(ErrorCodes)) {
    const [meaning, fix] = rows.get(code) ?? [];
    assert.ok(meaning && meaning.length > 10, `${code} has a meaning in ERRORS.md`);
    assert.ok(fix && fix.length > 10, `${code} has a fix in ERRORS.md`);
  }
});

test('the README states the exact-search threshold the store uses', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const stated = /fewer than ([\d,]+) vectors \(`indexThreshold`\) is searched exactly/.exec(readme)?.[1];
  assert.ok(stated, 'the README states it');
  assert.equal(Number(stated.replace(/,/g, '')), DEFAULT_INDEX_THRESHOLD);
});
