// Terminal conventions in one place: whether to colour (NO_COLOR, FORCE_COLOR, TERM=dumb) and a usable size.

/**
 * Whether output to a stream may carry ANSI colours. FORCE_COLOR wins (0/false turns colour off, anything else on,
 * as in Node and most tools); then NO_COLOR (any non-empty value, https://no-color.org) and TERM=dumb turn it off;
 * otherwise colour only on a terminal.
 */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR) return false;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

/** A terminal's columns and rows; 0, missing or nonsense (a pty nobody sized reports 0) means unknown: the defaults. */
export function terminalSize(
  stream: { columns?: number; rows?: number },
  defaults: { columns: number; rows: number } = { columns: 100, rows: 40 },
): { columns: number; rows: number } {
  const usable = (n: number | undefined): n is number => typeof n === "number" && Number.isInteger(n) && n > 0;
  return {
    columns: usable(stream.columns) ? stream.columns : defaults.columns,
    rows: usable(stream.rows) ? stream.rows : defaults.rows,
  };
}
