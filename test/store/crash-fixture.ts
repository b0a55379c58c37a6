import { makeFixture, SPACE, type Fixture } from './conformance.js';

export { SPACE };
export const SEGMENTS_PER_ITEM = 3;

/** Item i of the crash test: deterministic, so the parent can re-commit exactly what the child wrote. */
export function crashFixture(i: number): Fixture {
  return makeFixture(`crash${String(i).padStart(4, '0')}`, { axis: i % 8, n: SEGMENTS_PER_ITEM, texts: [`item ${i} caption`] });
}
