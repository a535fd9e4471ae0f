// `logward completion bash|zsh|fish`: a shell completion script made from the declared commands and flags.
import type { Command } from "commander";
import { UserError } from "../core/errors.js";

const SHELLS = ["bash", "zsh", "fish"] as const;

interface Words {
  commands: { name: string; description: string; flags: string[] }[];
  globalFlags: string[];
  /** Flags whose next word is their value, not a command. */
  withValue: string[];
}

function wordsOf(program: Command): Words {
  const flagsOf = (command: Command): string[] =>
    [...command.options.flatMap((o) => [o.short, o.long]), "--help"].filter((f): f is string => !!f);
  return {
    commands: program.commands
      .filter((c) => !(c as unknown as { _hidden?: boolean })._hidden)
      .map((c) => ({
        name: c.name(),
        description: c.description(),
        flags: [...flagsOf(c), ...c.commands.map((sub) => sub.name()), ...(c.name() === "completion" ? SHELLS : [])],
      })),
    globalFlags: flagsOf(program),
    withValue: program.options.filter((o) => o.required || o.optional).map((o) => o.long as string),
  };
}

function bashScript(w: Words): string {
  const cases = w.commands.map((c) => `    ${c.name}) words="${c.flags.join(" ")}" ;;`).join("\n");
  return `# logward completion for bash: eval "$(logward completion bash)"
_logward() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmd="" words i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      ${w.withValue.join("|")}) ((i++)) ;;
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  case $cmd in
    "") words="${[...w.commands.map((c) => c.name), ...w.globalFlags].join(" ")}" ;;
${cases}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _logward logward
`;
}

function zshScript(w: Words): string {
  return `# logward completion for zsh: eval "$(logward completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bashScript(w).split("\n").slice(1).join("\n")}`;
}

function fishScript(w: Words): string {
  const quote = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  const lines = ["# logward completion for fish: logward completion fish | source"];
  for (const c of w.commands)
    lines.push(`complete -c logward -n __fish_use_subcommand -a ${c.name} -d ${quote(c.description.slice(0, 60))}`);
  for (const c of w.commands)
    for (const word of c.flags) {
      const option = word.startsWith("--")
        ? `-l ${word.slice(2)}`
        : word.startsWith("-")
          ? `-s ${word.slice(1)}`
          : `-a ${word}`;
      lines.push(`complete -c logward -n '__fish_seen_subcommand_from ${c.name}' ${option}`);
    }
  return `${lines.join("\n")}\n`;
}

export function completionScript(program: Command, shell: string): string {
  const words = wordsOf(program);
  if (shell === "bash") return bashScript(words);
  if (shell === "zsh") return zshScript(words);
  if (shell === "fish") return fishScript(words);
  throw new UserError("USAGE", `completion: unknown shell "${shell}" (use ${SHELLS.join(", ")})`);
}

export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("print a completion script: bash, zsh or fish")
    .argument("<shell>", SHELLS.join("|"))
    .action((shell: string) => {
      process.stdout.write(completionScript(program, shell));
    });
}
