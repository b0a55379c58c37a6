/** One parsed delimited-text record with the 1-based line it started on (for error reports). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/**
 * Parses delimited text (RFC 4180 quoting: "a ""b"" c", embedded delimiters and newlines). An unterminated quote
 * ends at end of input; the caller validates field counts and reports bad rows instead of throwing.
 */
export function parseDelimited(text: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let sawAny = false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i += 1) {
    const ch = src[i];
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 1;
        } else inQuotes = false;
      } else {
        if (ch === '\n') line += 1;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      inQuotes = true;
      field = '';
      sawAny = true;
      continue;
    }
    if (ch === delimiter) {
      fields.push(field);
      field = '';
      sawAny = true;
      continue;
    }
    if (ch === '\r') continue;
    if (ch === '\n') {
      fields.push(field);
      if (sawAny || field !== '') records.push({ line: recordLine, fields });
      fields = [];
      field = '';
      sawAny = false;
      line += 1;
      recordLine = line;
      continue;
    }
    field += ch;
    sawAny = true;
  }
  if (sawAny || field !== '') {
    fields.push(field);
    records.push({ line: recordLine, fields });
  }
  return records;
}

/** Picks the delimiter of a header line: `|` (Flickr30k Kaggle form), tab, or comma. */
export function sniffDelimiter(headerLine: string): string {
  const counts: [string, number][] = ['|', '\t', ',', ';'].map((d) => [d, headerLine.split(d).length - 1]);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 0 ? counts[0][0] : ',';
}

/** The records that have as many fields as the header; each other one is reported as an issue and left out. */
export function* completeRecords<R extends { fields: string[]; line: number }>(
  records: readonly R[],
  width: number,
  file: string,
  issues: { file: string; row?: number; reason: string }[],
): Generator<R> {
  for (const rec of records) {
    if (rec.fields.length === width) yield rec;
    else issues.push({ file, row: rec.line, reason: `expected ${width} fields but found ${rec.fields.length}` });
  }
}
