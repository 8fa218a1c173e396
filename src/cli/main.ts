// argv in, exit code out: the one place that writes errors to stderr. Commands are thin layers
// over the library API (src/api).
import { Command, CommanderError } from "commander"
import { ExitCode, TsopsError } from "../core/errors.js"
import { sopsVersion } from "../core/metadata.js"
import { decryptCommand, runDecrypt } from "./commands/decrypt.js"
import { encryptCommand, runEncrypt, type Flags } from "./commands/encrypt.js"
import { editCommand, runEdit } from "./commands/edit.js"
import { replaceCommand } from "./commands/replace.js"
import { runSetArgument, setCommand } from "./commands/set.js"
import { unsetCommand } from "./commands/unset.js"
import { filestatusCommand } from "./commands/filestatus.js"
import { groupsCommand } from "./commands/groups.js"
import { addKeyChangeFlags, checkKeyChangeTarget, rotateCommand, runRotate } from "./commands/rotate.js"
import { updatekeysCommand } from "./commands/updatekeys.js"
import { completionCommand } from "./commands/completion.js"
import { execEnvCommand } from "./commands/exec-env.js"
import { execFileCommand } from "./commands/exec-file.js"
import { fluxCommand } from "./commands/flux.js"
import { initCommand } from "./commands/init.js"
import { colorsFor } from "./colors.js"
import { ExitStatus } from "./exit-status.js"
import { addConfigFlag, addDecryptFlags, addOutputFlags, addRuleFlags, addTypeFlags } from "./flags.js"
import { processIo, type Io } from "./io.js"
import { addKeyFlags } from "./key-flags.js"

export const tsopsVersion = "0.1.0"

export type CommandFactory = (program: Command, io: Io, warn: (message: string) => void) => Command

/** Every subcommand, in `--help` order: one line per command module. */
const commands: CommandFactory[] = [
  encryptCommand,
  decryptCommand,
  editCommand,
  setCommand,
  unsetCommand,
  replaceCommand,
  rotateCommand,
  updatekeysCommand,
  groupsCommand,
  filestatusCommand,
  execEnvCommand,
  execFileCommand,
  initCommand,
  completionCommand,
  fluxCommand,
]

function buildProgram(io: Io): Command {
  const colors = colorsFor(io)
  const warn = (message: string) => {
    io.stderr.write(`${colors.yellow("[tsops] warning:")} ${message}\n`)
  }
  const program = new Command("tsops")
    .description("tsops - encrypted file editor with AWS KMS, GCP KMS, Azure Key Vault, age, and GPG support (a TypeScript sops)")
    .usage("[options] command [file]")
    .version(`tsops ${tsopsVersion} (sops ${sopsVersion} compatible)`, "-v, --version", "print the version")
    .exitOverride()
    .configureOutput({
      writeOut: s => io.stdout.write(s),
      writeErr: s => io.stderr.write(s),
      // One line per error: commander puts its "(Did you mean …?)" on a second one. Inherited by subcommands.
      outputError: (s, write) => write(`${colors.red(s.trimEnd().replace(/\n/g, " "))}\n`),
    })
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false)
    .argument("[file]", "file to encrypt or decrypt")
    .option("-d, --decrypt", "decrypt a file and output the result to stdout")
    .option("-e, --encrypt", "encrypt a file and output the result to stdout")
    .option("-r, --rotate", "generate a new data encryption key and reencrypt all values with the new key")
    .option("--extract <path>", `extract a specific key or branch from the input document. Decrypt mode only. Example: --extract '["somekey"][0]'`)
    .option("--verbose", "enable verbose logging output")
    .option("-s, --show-master-keys", "display master encryption keys in the file during editing (edit mode)")
    .option("--set <path-and-value>", `set a specific key or branch in the input document, in place; value must be JSON, e.g. --set '["somekey"][0] {"somevalue":true}'`)
  addConfigFlag(addDecryptFlags(addRuleFlags(addOutputFlags(addTypeFlags(addKeyFlags(program))))))
  addKeyChangeFlags(program)
  program.action(async (file: string | undefined, flags: Flags) => {
    if (flags.encrypt && flags.decrypt) warn("more than one mode given; only the last one is used")
    checkKeyChangeTarget(file, flags, io, true)
    if (flags.rotate) return runRotate(file, flags, io, warn, true)
    if (flags.decrypt) return runDecrypt(file, flags, io, warn)
    if (flags.encrypt) return runEncrypt(file, flags, io, warn)
    if (file === undefined) {
      program.outputHelp()
      return
    }
    if (typeof flags.set === "string") return runSetArgument(file, flags.set, flags, io, warn)
    return runEdit(file, flags, io, warn)
  })
  for (const add of commands) {
    add(program, io, warn).exitOverride().configureOutput({ writeOut: s => io.stdout.write(s), writeErr: s => io.stderr.write(s) })
  }
  return program
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: "user" })
    return 0
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help" ? 0 : error.exitCode || 1
    }
    if (error instanceof ExitStatus) return error.code
    if (error instanceof TsopsError) {
      io.stderr.write(`${colorsFor(io).red(error.message.replace(/\n/g, " "))}\n`)
      return error.exitCode
    }
    const verbose = argv.includes("--verbose")
    io.stderr.write(`tsops: internal error: ${verbose && error instanceof Error ? error.stack : String(error)}\n`)
    return ExitCode.ErrorGeneric
  }
}
