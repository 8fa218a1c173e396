// `tsops completion bash|zsh|fish`: prints a completion script generated from the program's commands and flags.
import { Argument, type Command } from "commander"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { completionScript, completionShells, type CompletionShell } from "../completion.js"
import type { Io } from "../io.js"

const isShell = (name: string | undefined): name is CompletionShell => completionShells.some(shell => shell === name)

export function runCompletion(shell: string | undefined, program: Command, io: Io): void {
  if (!isShell(shell)) {
    throw new TsopsError(`Error: ${shell === undefined ? "no shell given" : `unsupported shell "${shell}"`}; use one of: ${completionShells.join(", ")}`, ExitCode.ErrorGeneric)
  }
  io.stdout.write(completionScript(program, shell))
}

export const completionCommand = (program: Command, io: Io): Command =>
  program.command("completion")
    .description("print a shell completion script: source <(tsops completion bash), or zsh, or tsops completion fish | source")
    .addArgument(new Argument("[shell]", "bash, zsh or fish").choices(completionShells))
    .action((shell: string | undefined) => {
      runCompletion(shell, program, io)
    })
