/** Generated text for fault tests. */

/** The tiny CLIP's and tiny CLAP's words, so chunks have non-zero vectors in both (and a few others). */
const WORDS = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta', 'sky', 'car', 'über', '色', 'a', 'of', 'low', 'high', 'sound'];

/** Paragraphs of the tiny models' words, each different, with CRLF and multi-byte characters. */
export function textOfSize(bytes: number, seed = 1, words = { min: 20, max: 100 }): string {
  const vocabulary = WORDS;
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    // The draws stay in the same order (length, words, break), so the same seed gives the same text.
    const length = words.min + Math.floor(next() * (words.max - words.min));
    const sentence = Array.from({ length }, () => vocabulary[Math.floor(next() * vocabulary.length)]).join(' ');
    const p = `${sentence}.${next() < 0.3 ? '\r\n\r\n' : '\n\n'}`;
    parts.push(p);
    size += Buffer.byteLength(p);
  }
  return parts.join('');
}
