// "Show generated binding": the C name under the cursor, and the text shown
// for the server's rustko.showBinding answer.

/** rustko.showBinding's result (server/command.go). */
export interface BindingResult {
  name: string;
  kind: string;
  rust?: string;
  text: string;
  c?: Location;
  location?: Location;
}

export interface Location {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

const IDENT = /[A-Za-z0-9_]/;

/**
 * The identifier at a UTF-16 column of a line (VS Code's columns are UTF-16,
 * as are JavaScript strings), without a Rust raw-identifier prefix. A cursor
 * just after the name counts, as in every editor's "word under cursor".
 */
export function identifierAt(line: string, character: number): string | undefined {
  let start = Math.max(0, Math.min(character, line.length));
  if (!IDENT.test(line[start] ?? '') && start > 0 && IDENT.test(line[start - 1])) {
    start--;
  }
  if (!IDENT.test(line[start] ?? '')) {
    return undefined;
  }
  let end = start;
  while (start > 0 && IDENT.test(line[start - 1])) {
    start--;
  }
  while (end < line.length && IDENT.test(line[end])) {
    end++;
  }
  const word = line.slice(start, end);
  if (/^[0-9]/.test(word)) {
    return undefined; // a number literal
  }
  if (word === 'r' && line[end] === '#') {
    return identifierAt(line, end + 1);
  }
  return word;
}

/** A file: URI as a path, for display. */
function display(loc: Location | undefined): string | undefined {
  if (!loc) {
    return undefined;
  }
  let p = loc.uri;
  if (p.startsWith('file://')) {
    try {
      p = decodeURIComponent(p.slice('file://'.length));
    } catch {
      // A malformed escape: show the URI as it came rather than nothing.
    }
  }
  return `${p}:${loc.range.start.line + 1}`;
}

/** The read-only document shown for a binding: where both sides live, then the generated item. */
export function bindingDocument(b: BindingResult): string {
  const lines = [`// ${b.kind} ${b.name}`];
  const c = display(b.c);
  if (c) {
    lines.push(`// C declaration: ${c}`);
  }
  const at = display(b.location);
  if (b.rust) {
    lines.push(`// Rust item: bindings::${b.rust}${at ? ` (${at})` : ''}`);
  }
  lines.push('', b.text.trimEnd(), '');
  return lines.join('\n');
}
