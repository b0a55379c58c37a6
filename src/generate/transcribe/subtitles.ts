import type { TranscriptSegment } from '../engine.js';

/** `HH:MM:SS<sep>mmm`, rounding to the millisecond. */
function clock(seconds: number, sep: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(ms % 1000, 3)}`;
}

/** Cue text may not contain a blank line (it would end the cue); empty cues are skipped by both formats. */
function cueText(text: string): string {
  return text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * SubRip (.srt): numbered cues from 1, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line after each cue.
 * @example toSrt([{ t0: 0, t1: 1.5, text: 'Hello' }]) // "1\n00:00:00,000 --> 00:00:01,500\nHello\n"
 */
export function toSrt(segments: readonly TranscriptSegment[]): string {
  const cues: string[] = [];
  for (const seg of segments) {
    const text = cueText(seg.text);
    if (!text) continue;
    cues.push(`${cues.length + 1}\n${clock(seg.t0, ',')} --> ${clock(Math.max(seg.t1, seg.t0), ',')}\n${text}\n`);
  }
  return cues.join('\n');
}

/**
 * WebVTT (.vtt): the `WEBVTT` header, a blank line, then cues `HH:MM:SS.mmm --> HH:MM:SS.mmm`. `-->` inside
 * text is escaped, as are `&` and `<`, which WebVTT reads as markup.
 */
export function toVtt(segments: readonly TranscriptSegment[]): string {
  const cues: string[] = [];
  for (const seg of segments) {
    const text = cueText(seg.text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/-->/g, '--&gt;');
    if (!text) continue;
    cues.push(`${clock(seg.t0, '.')} --> ${clock(Math.max(seg.t1, seg.t0), '.')}\n${text}\n`);
  }
  return ['WEBVTT\n', ...cues].join('\n');
}
