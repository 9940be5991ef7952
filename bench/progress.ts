/**
 * Progress for a person watching: one line, rewritten in place, on stderr, and only when stderr
 * is a terminal, so that a redirected or CI run gets the reports and nothing else.
 */
export const progress: (text: string) => void = process.stderr.isTTY
  ? (text) => process.stderr.write(`\r\x1b[2K${text}`)
  : () => undefined;
