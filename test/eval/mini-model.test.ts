import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MINI_MODEL_DIR } from '../../src/models/model-ref.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import { loadSpace } from '../../src/spaces/load-space.js';
import { check } from '../../src/eval/consistency/check.js';
import { evaluateRetrieval } from '../../src/eval/evaluate-retrieval.js';
import { heldOutCaptionDataset, heldOutPairs } from '../helpers/emoji-eval-data.js';

const present = existsSync(join(MINI_MODEL_DIR, 'rosetta.json'));

test(
  'on the mini model, calibration separates matched from shuffled held-out pairs and retrieval beats chance',
  { skip: !present && `no mini model at ${MINI_MODEL_DIR}` },
  async () => {
    const space = await loadSpace({ model: MINI_MODEL_DIR }, resolveRuntime({ offline: true }));
    try {
      const result = await check(space, heldOutPairs('en'), { seed: 0, batchSize: 64 });
      const cal = result.calibration.image!;
      assert.ok(cal.auc > 0.65, `AUC ${cal.auc}`); // chance is 0.5 (±0.03 at 344 pairs)
      assert.ok(cal.matched.mean > cal.shuffled.mean);
      assert.ok(cal.balancedAccuracy > 0.6, `balanced accuracy ${cal.balancedAccuracy}`);
      const r = await evaluateRetrieval(space, heldOutCaptionDataset(['en']), { batchSize: 64 });
      const chance = 10 / r.dataset.images;
      assert.ok(r.t2i.r10 > 3 * chance, `T→I R@10 ${r.t2i.r10} vs chance ${chance}`);
    } finally {
      // CompositeSpace.dispose releases the shared CLIP tower twice (reported); only that error is tolerated here.
      await space.dispose().catch((e: Error) => {
        if (!/already disposed/.test(e.message)) throw e;
      });
    }
  },
);
