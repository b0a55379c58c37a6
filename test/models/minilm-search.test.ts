import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/index.js';
import { registryModel } from '../helpers/registry-models.js';

const minilm = registryModel('minilm-l6-v2');

const NOTES: Record<string, string> = {
  'doctor.txt': 'The doctor examined the patient and wrote a prescription.',
  'car.txt': 'My car broke down on the motorway this morning.',
  'flight.txt': 'The flight to Paris was cancelled because of the strike.',
  'garden.txt': 'Remember to water the roses in the garden.',
  'meeting.txt': 'The budget meeting was postponed until next week.',
};

describe('searching notes by meaning in the minilm space beside the mini model', { skip: minilm.skip }, () => {
  let root: string;
  let rosetta: Rosetta;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'rosetta-minilm-'));
    const notes = join(root, 'notes');
    (await import('node:fs')).mkdirSync(notes);
    for (const [name, text] of Object.entries(NOTES)) writeFileSync(join(notes, name), text);
    rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: ['mini', 'minilm'], offline: true });
    const summary = await rosetta.index([notes]);
    assert.deepEqual(summary.failures, []);
    assert.equal(summary.added, Object.keys(NOTES).length);
  });
  after(async () => {
    await rosetta?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('finds each note from a query that shares none of its words', async () => {
    const queries: [string, string][] = [
      ['physician treating someone ill', 'doctor.txt'],
      ['vehicle failure during highway driving', 'car.txt'],
      ['plane trip called off', 'flight.txt'],
      ['appointment delayed by seven days', 'meeting.txt'],
    ];
    for (const [query, file] of queries) {
      const [top] = await rosetta.search(query, { k: 1, spaces: ['minilm'] });
      assert.ok(top?.path.endsWith(file), `${query} → ${top?.path}`);
      assert.equal(top.space, 'minilm');
    }
  });

  it("fuses its ranking with the other spaces' in an ordinary search", async () => {
    const results = await rosetta.search('physician treating someone ill', { k: 5 });
    const doctor = results.find((r) => r.path.endsWith('doctor.txt'));
    assert.ok(doctor, 'the note is among the results');
    assert.ok(doctor.spaces.includes('minilm'), `found by ${doctor.spaces.join(', ')}`);
  });
});
