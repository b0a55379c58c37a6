/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A fraction as a percentage with one decimal. */
export const pct = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '—' : `${(v * 100).toFixed(1)}%`);

/** A number with a fixed number of decimals, or a dash. */
export const num = (v: number | undefined, digits = 3): string => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits));
