// CLI entry: dispatches to the command modules.
export async function main(argv: string[], name: string): Promise<void> {
  process.stdout.write(`${name} ${argv.join(" ")}\n`);
}
