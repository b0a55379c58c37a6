/** Control characters (newline, tab, escape, C1, line separators) that would break or forge an output line. */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A path as it should appear in a line of output: as is, or JSON-quoted when it holds control characters. */
export function showPath(path: string): string {
  return CONTROL.test(path) ? JSON.stringify(path) : path;
}

/** `message` with every mention of `path` shown as `showPath` shows it, so a newline in a name cannot split the line. */
export function showPathIn(message: string, path: string | undefined): string {
  if (!path || !CONTROL.test(path)) return message;
  return message.split(path).join(showPath(path));
}
