export interface TextChunk {
  index: number;
  text: string;
}

/**
 * Splits a document into chunks a text tower can read whole (CLIP reads ~77 tokens, about 300
 * characters): paragraphs first, then sentences, then words, never mid-word. Markdown syntax that
 * carries no meaning (heading marks, emphasis, link targets) is removed.
 */
export function chunkText(source: string, maxChars = 300): TextChunk[] {
  const clean = source
    .replace(/\r\n?/g, '\n')
    .replace(/```[\s\S]*?```/g, (m) => m.replace(/```\w*/g, ''))
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/[*_]{1,3}([^*_\n]+)[*_]{1,3}/g, '$1');
  const pieces: string[] = [];
  for (const para of clean.split(/\n\s*\n/)) {
    const p = para.replace(/\s+/g, ' ').trim();
    if (!p) continue;
    if (p.length <= maxChars) {
      pieces.push(p);
      continue;
    }
    let current = '';
    for (const sentence of p.split(/(?<=[.!?。！？])\s*/)) {
      for (const part of splitLong(sentence, maxChars)) {
        if (current && current.length + 1 + part.length > maxChars) {
          pieces.push(current);
          current = '';
        }
        current = current ? `${current} ${part}` : part;
      }
    }
    if (current) pieces.push(current);
  }
  return pieces.map((text, index) => ({ index, text }));
}

function splitLong(s: string, max: number): string[] {
  if (s.length <= max) return [s];
  const out: string[] = [];
  let cur = '';
  for (const w of s.split(' ')) {
    const word = w.length > max ? w.slice(0, max) : w;
    if (cur && cur.length + 1 + word.length > max) {
      out.push(cur);
      cur = '';
    }
    cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}
