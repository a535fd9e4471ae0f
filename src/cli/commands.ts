// The command registry: each module adds its command(s) to the program.
import type { Command } from "commander";

export type RegisterCommand = (program: Command) => void;

export const commandModules: RegisterCommand[] = [];
