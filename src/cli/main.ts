// argv in, exit code out: the one place that writes errors to stderr. Commands are thin layers
// over the library API (src/api).
import type { Command } from "commander"
import { ExitCode, TsopsError } from "../core/errors.js"
import { sopsVersion } from "../core/metadata.js"
import { colorsFor } from "./colors.js"
import { ExitStatus } from "./exit-status.js"
import { fastDecryptFile } from "./fast-path.js"
import { processIo, type Io } from "./io.js"
import type { Flags } from "./flag-values.js"

export const tsopsVersion = "0.1.0"

export type CommandFactory = (program: Command, io: Io, warn: (message: string) => void) => Command

/**
 * Every subcommand, in `--help` order, loaded only when used: a command's module (and the library
 * code behind it) stays out of the start-up path of the others.
 */
const commands: { name: string; load: () => Promise<CommandFactory> }[] = [
  { name: "encrypt", load: async () => (await import("./commands/encrypt.js")).encryptCommand },
  { name: "decrypt", load: async () => (await import("./commands/decrypt.js")).decryptCommand },
  { name: "edit", load: async () => (await import("./commands/edit.js")).editCommand },
  { name: "set", load: async () => (await import("./commands/set.js")).setCommand },
  { name: "unset", load: async () => (await import("./commands/unset.js")).unsetCommand },
  { name: "replace", load: async () => (await import("./commands/replace.js")).replaceCommand },
  { name: "rotate", load: async () => (await import("./commands/rotate.js")).rotateCommand },
  { name: "updatekeys", load: async () => (await import("./commands/updatekeys.js")).updatekeysCommand },
  { name: "groups", load: async () => (await import("./commands/groups.js")).groupsCommand },
  { name: "filestatus", load: async () => (await import("./commands/filestatus.js")).filestatusCommand },
  { name: "exec-env", load: async () => (await import("./commands/exec-env.js")).execEnvCommand },
  { name: "exec-file", load: async () => (await import("./commands/exec-file.js")).execFileCommand },
  { name: "init", load: async () => (await import("./commands/init.js")).initCommand },
  { name: "completion", load: async () => (await import("./commands/completion.js")).completionCommand },
  { name: "flux", load: async () => (await import("./commands/flux.js")).fluxCommand },
]

/** The commands argv needs: the one it names, or all of them for help, completion and unknown words. */
function commandsFor(argv: readonly string[]): typeof commands {
  const first = argv.find(arg => commands.some(c => c.name === arg))
  const named = commands.find(c => c.name === first)
  const wantsAll = argv.length === 0 || argv.includes("help") || ((argv.includes("--help") || argv.includes("-h")) && !named)
  if (named && named.name !== "completion" && !wantsAll) return [named]
  if (named || wantsAll) return commands
  // Legacy root mode (`tsops -d FILE`, `tsops FILE`): no subcommand to load.
  return argv.some(a => !a.startsWith("-")) ? [] : commands
}

/** Warnings to stderr, yellow on a terminal. */
function warnerFor(io: Io): (message: string) => void {
  const colors = colorsFor(io)
  return message => {
    io.stderr.write(`${colors.yellow("[tsops] warning:")} ${message}\n`)
  }
}

// commander and the flag tables load only when argv needs parsing: `tsops decrypt FILE` never does (fast-path.ts).
async function buildProgram(io: Io, argv: readonly string[], Command: typeof import("commander").Command): Promise<Command> {
  const [{ addConfigFlag, addDecryptFlags, addOutputFlags, addRuleFlags, addTypeFlags }, { addKeyChangeFlags, addKeyFlags, checkKeyChangeTarget }] =
    await Promise.all([import("./flags.js"), import("./key-flags.js")])
  const colors = colorsFor(io)
  const warn = warnerFor(io)
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
    if (flags.rotate) return (await import("./commands/rotate.js")).runRotate(file, flags, io, warn, true)
    if (flags.decrypt) return (await import("./commands/run-decrypt.js")).runDecrypt(file, flags, io, warn)
    if (flags.encrypt) return (await import("./commands/encrypt.js")).runEncrypt(file, flags, io, warn)
    if (file === undefined) {
      program.outputHelp()
      return
    }
    if (typeof flags.set === "string") return (await import("./commands/set.js")).runSetArgument(file, flags.set, flags, io, warn)
    return (await import("./commands/edit.js")).runEdit(file, flags, io, warn)
  })
  for (const add of await Promise.all(commandsFor(argv).map(c => c.load()))) {
    add(program, io, warn).exitOverride().configureOutput({ writeOut: s => io.stdout.write(s), writeErr: s => io.stderr.write(s) })
  }
  return program
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let commander: typeof import("commander") | undefined
  try {
    const file = fastDecryptFile(argv, commands.map(c => c.name))
    if (file !== undefined) {
      await (await import("./commands/run-decrypt.js")).runDecrypt(file, {}, io, warnerFor(io))
      return 0
    }
    commander = await import("commander")
    await (await buildProgram(io, argv, commander.Command)).parseAsync([...argv], { from: "user" })
    return 0
  } catch (error) {
    if (commander !== undefined && error instanceof commander.CommanderError) {
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
