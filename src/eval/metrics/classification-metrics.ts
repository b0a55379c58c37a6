/** Classification figures: accuracy, per-class recall and precision, and the confusion matrix. */
export interface ClassificationSummary {
  accuracy: number;
  /** Mean of the per-class recalls over classes that have samples (balanced accuracy). */
  macroRecall: number;
  perClass: { label: string; support: number; recall: number; precision: number }[];
  /** `confusion[t][p]`: samples of true class t predicted as class p. */
  confusion: number[][];
  count: number;
}

/** Summarises predictions against true labels; labels are indices into `classNames`. */
export function classificationSummary(
  truth: readonly number[],
  predicted: readonly number[],
  classNames: readonly string[],
): ClassificationSummary {
  if (truth.length !== predicted.length) throw new RangeError(`truth has ${truth.length} labels but predicted has ${predicted.length}`);
  const n = classNames.length;
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let correct = 0;
  for (let k = 0; k < truth.length; k += 1) {
    confusion[truth[k]][predicted[k]] += 1;
    if (truth[k] === predicted[k]) correct += 1;
  }
  const perClass = classNames.map((label, c) => {
    const support = confusion[c].reduce((a, b) => a + b, 0);
    let predictedAs = 0;
    for (let t = 0; t < n; t += 1) predictedAs += confusion[t][c];
    return {
      label,
      support,
      recall: support === 0 ? 0 : confusion[c][c] / support,
      precision: predictedAs === 0 ? 0 : confusion[c][c] / predictedAs,
    };
  });
  const withSupport = perClass.filter((p) => p.support > 0);
  return {
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    macroRecall: withSupport.length === 0 ? 0 : withSupport.reduce((a, p) => a + p.recall, 0) / withSupport.length,
    perClass,
    confusion,
    count: truth.length,
  };
}
