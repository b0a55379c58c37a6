import picomatch from 'picomatch';

/**
 * Path-glob support shared by the stores. A glob is translated to an anchored regular expression in
 * the dialect both Rust's `regex` (LanceDB) and RE2 understand (no look-arounds), so the filter is
 * pushed down into the engine; picomatch then confirms each hit, so the pushed-down form only has to
 * be a superset of picomatch's answer. Globs using syntax this translator does not know (extglobs,
 * negation) return `undefined` and are post-filtered alone.
 */
export function globToRegexSource(glob: string): string | undefined {
  if (/[!@+]\(|^!|\\/.test(glob)) return undefined;
  let out = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const before = i === 0 || glob[i - 1] === '/';
        const after = i + 2 === glob.length || glob[i + 2] === '/';
        i++;
        if (before && glob[i + 1] === '/') {
          out += '(?:[^\\n]*/)?';
          i++;
          continue;
        }
        if (before && after) {
          out += '[^\\n]*';
          continue;
        }
      }
      out += '[^/\\n]*';
    } else if (c === '?') out += '[^/\\n]';
    else if (c === '{') {
      braceDepth++;
      out += '(?:';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else if (c === ',' && braceDepth > 0) out += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) return undefined;
      let body = glob.slice(i + 1, end).replace(/^!/, '^');
      if (body.includes('[:')) return undefined;
      body = body.replace(/\\/g, '\\\\');
      out += `[${body}]`;
      i = end;
    } else out += c.replace(/[.+^$()|\\\]]/g, '\\$&');
  }
  if (braceDepth !== 0) return undefined;
  // `dir/**` should also match `dir` itself, as picomatch does.
  out = out.replace(/\/\[\^\\n\]\*$/, '(?:/[^\\n]*)?');
  return `(?:^|\\n)${out}(?:$|\\n)`;
}

/** A matcher for one glob over any of an item's locations (dotfiles included). */
export function locationMatcher(glob: string): (locations: readonly string[]) => boolean {
  const isMatch = picomatch(glob, { dot: true });
  return (locations) => locations.some((l) => isMatch(l));
}

/** Locations joined the way the regex above expects: one per line. */
export function joinLocations(locations: readonly string[]): string {
  return locations.map((l) => l.replace(/\n/g, ' ')).join('\n');
}
