// `tsops groups add` / `tsops groups delete INDEX`: add or remove a key group (spec §10.1).
// Key flags are repeatable and generated from the key-type table.
import { Command, Option } from "commander"
import { addKeyGroup, deleteKeyGroup, type GroupsOptions } from "../../api/groups.js"
import type { KeyLists } from "../../api/rotate.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { keyTypes, keyTypeNames, type KeyTypeEntry, type KeyTypeName } from "../../../kms/index.js"
import { checkDestination, readInput, writeOutput } from "../file-io.js"
import { addConfigFlag } from "../flags.js"
import type { Io } from "../io.js"
import { ioOptions, num, str, type Flags } from "../flag-values.js"

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]
const int = (value: string): number => {
  if (!/^-?\d+$/.test(value)) throw new TsopsError(`Invalid Shamir threshold ${JSON.stringify(value)}: expected a whole number`)
  return Number(value)
}

function addFileFlags(command: Command): Command {
  return addConfigFlag(command
    .option("-f, --file <file>", "the encrypted file to change")
    .option("-i, --in-place", "write output back to the same file instead of stdout")
    .addOption(new Option("--shamir-secret-sharing-threshold <n>", "the number of key groups required to retrieve the data key").argParser(int))
    .option("--decryption-order <types>", "comma separated list of decryption key types [$SOPS_DECRYPTION_ORDER]"))
}

async function run(flags: Flags, io: Io, warn: (m: string) => void, change: (input: Buffer, options: GroupsOptions) => Promise<Uint8Array>): Promise<void> {
  const file = str(flags.file)
  if (file === undefined) throw new TsopsError("Error: no file specified (use -f/--file)", ExitCode.NoFileSpecified)
  checkDestination(file, flags)
  const input = await readInput(file, io)
  const output = await change(input, {
    filename: file === "-" ? "" : file,
    shamirThreshold: num(flags.shamirSecretSharingThreshold),
    decryptionOrder: str(flags.decryptionOrder),
    config: str(flags.config),
    ...ioOptions(io, warn),
  })
  await writeOutput(output, file, { inPlace: flags.inPlace === true }, io)
}

export const groupsCommand = (program: Command, io: Io, warn: (m: string) => void): Command => {
  const groups = program.command("groups").description("modify the groups on a SOPS file")
  // The root command declares --age/--pgp too and, parsing options anywhere on the line, takes
  // them first (keeping only the last): its option events still see every occurrence.
  const seen = new Map<KeyTypeName, string[]>()
  for (const type of keyTypeNames) {
    program.on(`option:${keyTypes[type].flag}`, (value: string) => seen.set(type, [...(seen.get(type) ?? []), value]))
  }
  const add = groups.command("add").description("add a new group to a SOPS file")
  for (const type of keyTypeNames) {
    const entry: KeyTypeEntry = keyTypes[type]
    add.addOption(new Option(`--${entry.flag} <key>`, `master keys of the new group: ${entry.description}. Can be specified more than once`).argParser(collect))
  }
  addFileFlags(add).action(async (_flags: Flags, command: Command) => {
    if (command.args.length > 0) throw new TsopsError("error: no positional arguments allowed")
    const flags = command.optsWithGlobals()
    const keys: KeyLists = {}
    for (const type of keyTypeNames) {
      const own = command.opts()[keyTypes[type].flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] as string[] | undefined
      const values = [...(seen.get(type) ?? []), ...(own ?? [])]
      if (values.length > 0) keys[type] = values
    }
    await run(flags, io, warn, (input, options) => addKeyGroup(input, { ...options, keys }))
  })
  addFileFlags(groups.command("delete").description("delete a key group from a SOPS file").argument("[index]", "the index of the group to delete, from 0"))
    .action(async (index: string | undefined, _flags: Flags, command: Command) => {
      if (index === undefined || command.args.length !== 1) {
        throw new TsopsError("error: exactly one positional argument (index) required")
      }
      if (!/^\d+$/.test(index)) throw new TsopsError(`failed to parse [index] argument: ${JSON.stringify(index)} is not a group number`)
      await run(command.optsWithGlobals(), io, warn, (input, options) => deleteKeyGroup(input, Number(index), options))
    })
  return groups
}
