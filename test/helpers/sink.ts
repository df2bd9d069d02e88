/** A writable the CLI commands print to in tests: collects the text, looks like a non-TTY terminal of `columns`. */
export function sink(columns = 100) {
  let text = '';
  return { write: (s: string) => ((text += s), true), text: () => text, isTTY: false, columns };
}
