// `tsops unset FILE INDEX`: one key or list element removed in place, with the file's data key (spec §10.1).
import { Option, type Command } from "commander"
import { parseIndexPath, unset } from "../../api/set.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { writeOutput } from "../file-io.js"
import { addDecryptFlags, addTypeFlags } from "../flags.js"
import type { Io } from "../io.js"
import type { Flags } from "../flag-values.js"
import { changeOptions, readFileToChange } from "./set.js"

export async function runUnset(args: string[], flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  if (args.length !== 2) throw new TsopsError("Error: no file specified, or index is missing", ExitCode.NoFileSpecified)
  const [file, index] = args as [string, string]
  const path = parseIndexPath(index, "unset")
  const input = await readFileToChange(file, io)
  const idempotent = flags.idempotent === true
  const { output, changed } = await unset(input, path, { ...changeOptions(file, flags, io, warn), idempotent })
  if (!changed && idempotent) return
  await writeOutput(output, file, { inPlace: true }, io)
}

const int = (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${value}`)
  return n
}

export const unsetCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addDecryptFlags(addTypeFlags(program.command("unset")
    .description("unset a specific key or branch in the input document, in place")
    .summary("remove a key or list element in place: unset FILE '[\"key\"][0]'")
    .usage("[options] file index")
    .argument("[args...]", "file index")))
    .option("--idempotent", "do nothing if the given index does not exist")
    .addOption(new Option("--shamir-secret-sharing-threshold <n>", "the number of master keys required to retrieve the data key with shamir (accepted for sops compatibility; unset keeps the file's)").argParser(int))
    .action(async (args: string[], _flags: Flags, command: Command) => {
      await runUnset(args, command.optsWithGlobals(), io, warn)
    })
