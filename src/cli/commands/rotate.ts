// `tsops rotate FILE` (and the legacy `tsops -r FILE`): a new data key, with --add-*/--rm-* flags
// generated from the key-type table for every key type tsops supports.
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { Option, type Command } from "commander"
import { rotate, type KeyLists } from "../../api/rotate.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { keyTypes, keyTypeNames, type KeyTypeEntry } from "../../../kms/index.js"
import { checkDestination, readInput, writeOutput } from "../file-io.js"
import { addConfigFlag, addDecryptFlags, addOutputFlags, addTypeFlags } from "../flags.js"
import { passphrasePrompt, type Io } from "../io.js"
import type { Flags } from "./encrypt.js"

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())

/** `--add-<type>` and `--rm-<type>` for every key type of kms/index.ts. */
export function addKeyChangeFlags(command: Command): Command {
  for (const type of keyTypeNames) {
    const entry: KeyTypeEntry = keyTypes[type]
    command.addOption(new Option(`--add-${entry.flag} <list>`, `add the provided comma-separated list of ${type} master keys to the file's first key group`))
    command.addOption(new Option(`--rm-${entry.flag} <list>`, `remove the provided comma-separated list of ${type} master keys from every key group of the file`))
  }
  return command
}

/** The keys to add and remove given in parsed flags. */
export function keyChangeValues(flags: Flags): { add: KeyLists; remove: KeyLists; any: boolean } {
  const add: Record<string, string> = {}
  const remove: Record<string, string> = {}
  for (const type of keyTypeNames) {
    const added = str(flags[camel(`add-${keyTypes[type].flag}`)])
    const removed = str(flags[camel(`rm-${keyTypes[type].flag}`)])
    if (added) add[type] = added
    if (removed) remove[type] = removed
  }
  return { add, remove, any: Object.keys(add).length + Object.keys(remove).length > 0 }
}

/**
 * sops refuses --add-… and --rm-… flags on a file that does not exist (exit 49); the advice differs between
 * the subcommand and the legacy root command.
 */
export function checkKeyChangeTarget(file: string | undefined, flags: Flags, io: Io, legacy: boolean): void {
  if (file === undefined || file === "-" || !keyChangeValues(flags).any) return
  const path = resolve(io.cwd, file)
  if (existsSync(path)) return
  const advice = legacy ? "use `--kms` and `--pgp` instead" : "use the `edit` subcommand instead"
  throw new TsopsError(`Error: cannot add or remove keys on non-existent file "${path}", ${advice}.`, ExitCode.CannotChangeKeysFromNonExistentFile)
}

export async function runRotate(file: string | undefined, flags: Flags, io: Io, warn: (m: string) => void, legacy = false): Promise<void> {
  if (file === undefined) throw new TsopsError("Error: no file specified", ExitCode.NoFileSpecified)
  checkDestination(file, flags)
  checkKeyChangeTarget(file, flags, io, legacy)
  const input = await readInput(file, io)
  const askPassphrase = passphrasePrompt(io)
  const { add, remove } = keyChangeValues(flags)
  const output = await rotate(input, {
    filename: str(flags.filenameOverride) ?? (file === "-" ? "" : file),
    inputType: str(flags.inputType),
    outputType: str(flags.outputType),
    add,
    remove,
    ignoreMac: flags.ignoreMac === true,
    decryptionOrder: str(flags.decryptionOrder),
    indent: typeof flags.indent === "number" ? flags.indent : undefined,
    config: str(flags.config),
    env: io.env,
    cwd: io.cwd,
    warn,
    ...(askPassphrase ? { askPassphrase } : {}),
  })
  await writeOutput(output, file, flags, io)
}

export const rotateCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addKeyChangeFlags(addConfigFlag(addDecryptFlags(addOutputFlags(addTypeFlags(
    program.command("rotate").description("generate a new data encryption key and reencrypt all values with the new key").argument("[file]", "file to rotate"),
  ))))).action(async (file: string | undefined, _flags: Flags, command: Command) => {
    await runRotate(file, command.optsWithGlobals(), io, warn)
  })
