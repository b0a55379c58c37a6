/** A token tensor: Transformers.js' `Tensor` or rows of int64 ids with their dims. */
interface TokenTensor {
  data: unknown;
  dims: readonly number[];
}

/**
 * Puts the end token back on texts that truncation cut. Hugging Face's tokenizers truncate the words and then add
 * the special tokens, so a long text still ends with its end token (`<|endoftext|>` for CLIP, `</s>` for RoBERTa);
 * Transformers.js truncates after adding them and drops it. CLIP pools its text at that token, so without it a long
 * query is embedded at an arbitrary word (SigLIP pools at the last position too). Rows that end in padding are
 * untouched (without a mask, a row padded with the end token already ends with it). Mutates `ids` in place.
 */
export function restoreEndToken(
  ids: TokenTensor,
  mask: TokenTensor | undefined,
  endId: number | undefined,
  maxLength: number | undefined,
): void {
  if (typeof endId !== 'number' || !maxLength || ids.dims[1] !== maxLength) return;
  const data = ids.data as BigInt64Array;
  const attended = mask?.data as BigInt64Array | undefined;
  for (let row = 0; row < ids.dims[0]; row += 1) {
    const last = row * maxLength + maxLength - 1;
    if ((attended ? attended[last] === 1n : true) && data[last] !== BigInt(endId)) data[last] = BigInt(endId);
  }
}
