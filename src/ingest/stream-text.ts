import { createReadStream } from 'node:fs';
import { chunkText, type TextChunk } from './chunk-text.js';

export interface StreamTextOptions {
  /** Characters per chunk (default 300, as `chunkText`). */
  maxChars?: number;
  /** Chunks per group handed on (default 2048; a group may run over by one read's worth). */
  groupSize?: number;
  signal?: AbortSignal;
}

/** Bytes read at a time. */
const READ_BYTES = 256 * 1024;
/** A paragraph running longer than this without a break is cut at its last space (characters). */
const HOLD_CHARS = 64 * 1024;

/**
 * Chunks a UTF-8 text file while reading it, a group of chunks at a time, so memory stays bounded whatever
 * the file's size: text is chunked up to its last paragraph break and only the unfinished paragraph is kept.
 * Chunks are numbered across the whole file, as `chunkText` numbers them.
 */
export async function* streamTextChunks(path: string, options: StreamTextOptions = {}): AsyncGenerator<TextChunk[]> {
  const groupSize = options.groupSize ?? 2048;
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let group: TextChunk[] = [];
  let index = 0;
  const take = (text: string) => {
    for (const c of chunkText(text, options.maxChars)) group.push({ index: index++, text: c.text });
  };
  for await (const bytes of createReadStream(path, { highWaterMark: READ_BYTES })) {
    options.signal?.throwIfAborted();
    pending += decoder.decode(bytes as Buffer, { stream: true });
    let cut = lastParagraphEnd(pending);
    if (cut <= 0 && pending.length > HOLD_CHARS) cut = Math.max(pending.lastIndexOf(' ') + 1, 0) || pending.length;
    if (cut > 0) {
      take(pending.slice(0, cut));
      pending = pending.slice(cut);
    }
    if (group.length >= groupSize) {
      yield group;
      group = [];
    }
  }
  take(pending + decoder.decode());
  if (group.length) yield group;
}

/** The index just after the last paragraph break (a newline, blank space, a newline) in `s`, or -1. */
function lastParagraphEnd(s: string): number {
  let i = s.lastIndexOf('\n');
  while (i > 0) {
    let j = i - 1;
    while (j >= 0 && (s[j] === ' ' || s[j] === '\t' || s[j] === '\r')) j -= 1;
    if (j >= 0 && s[j] === '\n') return i + 1;
    i = j >= 0 ? s.lastIndexOf('\n', j) : -1;
  }
  return -1;
}
