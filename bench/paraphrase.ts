/**
 * Text→text retrieval by meaning: 60 notes, each found by a paraphrase that shares no word with it (checked below,
 * case-insensitive). Compares the text spaces a collection can have: all-MiniLM-L6-v2 (`--model minilm`, from the
 * set-up), the mini model's text tower (`mini`), and the two fused by reciprocal rank (what search does when a
 * collection has both spaces). Recall@1/@5 over the 60 queries, each ranked against all 60 notes.
 *   node --import tsx bench/paraphrase.ts
 */
import { loadSpace } from '../src/spaces/load-space.js';
import { resolveRuntime } from '../src/models/runtime-options.js';
import { dot } from '../src/vectors/vector-math.js';
import { printTable } from './lib.js';

/** [note, query]: the query says the same thing in other words. */
export const PARAPHRASES: [string, string][] = [
  ['The doctor examined the patient', 'physician checks a sick person'],
  ['My car broke down on the motorway', 'vehicle failure during highway driving'],
  ['The meeting was postponed until next week', 'appointment delayed by seven days'],
  ['I lost my wallet at the train station', 'purse went missing near railway platform'],
  ['The kids are playing football in the park', 'children kicking soccer ball outdoors'],
  ['Please buy milk and bread on your way home', 'pick up dairy plus loaf while returning'],
  ['The flight to Paris was cancelled', 'plane trip toward France called off'],
  ['She is learning to play the piano', 'woman takes keyboard lessons'],
  ['Heavy rain flooded the streets', 'downpour left roads under water'],
  ['The company hired fifty new employees', 'firm recruited many staff members'],
  ['Our dog needs to go to the vet', 'puppy requires animal clinic visit'],
  ['The printer is out of ink', 'cartridge empty in copier machine'],
  ['He forgot his password again', 'user cannot remember login secret'],
  ['The restaurant serves delicious Italian food', 'tasty pasta eatery'],
  ['We watched a horror movie last night', 'yesterday evening saw scary film'],
  ['The baby is sleeping in her crib', 'infant napping inside cot'],
  ['Stock prices dropped sharply today', 'shares fell steeply this afternoon'],
  ['The teacher gave us a lot of homework', 'instructor assigned many exercises'],
  ['I need to charge my phone', 'mobile battery almost dead'],
  ['The museum exhibits ancient Egyptian art', 'gallery showing pharaoh artefacts'],
  ['They got married in a small church', 'couple wed inside chapel'],
  ['The bus arrived twenty minutes late', 'coach came behind schedule'],
  ['Remember to water the plants', 'do not forget hydrating flowers'],
  ['The soup is too salty', 'broth has excessive sodium'],
  ['Our team won the championship', 'squad claimed league title'],
  ['The house has three bedrooms and a garden', 'home with yard plus sleeping rooms'],
  ['My knee hurts after running', 'leg joint pain following jogging'],
  ['The volcano erupted yesterday', 'mountain spewed lava recently'],
  ['The concert tickets sold out quickly', 'gig passes gone fast'],
  ['I am allergic to peanuts', 'nut allergy'],
  ['The internet connection is very slow', 'wifi sluggish'],
  ['He repaired the leaking roof', 'fixed drip from ceiling above'],
  ['The students passed their exams', 'pupils succeeded on tests'],
  ['We are going camping in the mountains', 'trip pitching tents among peaks'],
  ['She baked a chocolate cake for his birthday', 'cocoa dessert made celebrating anniversary'],
  ['The shop closes at six in the evening', 'store shuts 6pm'],
  ['The river is polluted with plastic', 'waterway contaminated by rubbish'],
  ['The elevator is broken', 'lift not working'],
  ['My grandmother knits warm scarves', 'granny makes woolly neckwear'],
  ['The president gave a speech on television', 'leader addressed country via broadcast'],
  ['The cat caught a mouse', 'kitten hunted rodent'],
  ['Turn off the lights when you leave', 'switch lamps out upon exiting'],
  ['The price of petrol went up again', 'fuel costs rising'],
  ['I have a terrible headache', 'awful migraine'],
  ['The garden is full of roses', 'flowerbed packed with blossoms'],
  ['He is afraid of spiders', 'man fears arachnids'],
  ['The library lends books for free', 'borrow novels without paying'],
  ['We need to reduce our expenses', 'cut spending budget'],
  ['The airport was crowded with travellers', 'terminal packed passengers'],
  ['The storm knocked down several trees', 'gale toppled oaks'],
  ['My sister moved to Canada', 'sibling relocated abroad Toronto'],
  ['The hospital needs more nurses', 'clinic short of medical staff'],
  ['The snow made the roads dangerous', 'icy highways hazardous winter'],
  ['Dinner is ready', 'evening meal prepared'],
  ['The software update fixed the bug', 'patch resolved program error'],
  ['He runs every morning before work', 'jogs daily at dawn prior office'],
  ['The coffee machine is leaking water', 'espresso maker drips'],
  ['The bridge was closed for repairs', 'crossing shut maintenance'],
  ['The children built a snowman', 'kids made frosty figure'],
  ['Please keep quiet in the library', 'silence requested reading room'],
];

const words = (s: string) => new Set(s.toLowerCase().match(/[a-z0-9]+/g) ?? []);

function ranks(queries: Float32Array[], notes: Float32Array[]): number[][] {
  return queries.map((q) =>
    notes
      .map((n, i) => ({ i, s: dot(q, n) }))
      .sort((a, b) => b.s - a.s)
      .map((x) => x.i),
  );
}

function fused(lists: number[][][], k = 60): number[][] {
  return lists[0].map((_, qi) => {
    const score = new Map<number, number>();
    for (const l of lists) l[qi].forEach((doc, r) => score.set(doc, (score.get(doc) ?? 0) + 1 / (k + r + 1)));
    return [...score].sort((a, b) => b[1] - a[1]).map(([d]) => d);
  });
}

function recall(ranking: number[][], at: number): number {
  return ranking.filter((r, qi) => r.slice(0, at).includes(qi)).length / ranking.length;
}

async function main() {
  const shared = PARAPHRASES.filter(([n, q]) => [...words(q)].some((w) => words(n).has(w)));
  if (shared.length) throw new Error(`queries sharing a word with their note: ${shared.map(([, q]) => q).join('; ')}`);
  const runtime = resolveRuntime({ offline: true });
  const notes = PARAPHRASES.map(([n]) => n);
  const queries = PARAPHRASES.map(([, q]) => q);
  const rankings: Record<string, number[][]> = {};
  for (const model of ['minilm', 'mini']) {
    const space = await loadSpace({ model }, runtime);
    rankings[model] = ranks(await space.embedTexts(queries), await space.embedTexts(notes));
    await space.dispose();
  }
  rankings['minilm + mini (RRF)'] = fused([rankings.minilm, rankings.mini]);
  printTable(
    `Paraphrase retrieval: ${PARAPHRASES.length} notes, queries sharing no word with their note`,
    Object.entries(rankings).map(([space, r]) => ({ space, 'R@1': recall(r, 1), 'R@5': recall(r, 5) })),
  );
}

await main();
