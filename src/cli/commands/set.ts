// `tsops set FILE INDEX [VALUE]` and the legacy `tsops --set '<path> <json>' FILE`: one value changed
// in place, with the file's data key (spec §10.1, §10.2, §10.4).
import { readFile } from "node:fs/promises"
import { resolve } from "node:path"
import { Option, type Command } from "commander"
import { parseIndexPath, parseSetArgument, parseSetValue, set } from "../../api/set.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { writeOutput } from "../file-io.js"
import { addDecryptFlags, addTypeFlags } from "../flags.js"
import { readAll, type Io } from "../io.js"
import { decryptFlagOptions, ioOptions, str, typeOptions, type Flags } from "../flag-values.js"


const goErrors: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "not a directory",
}

/** The bytes of a file a command changes in place; sops's message and exit code (2) when it cannot be read. */
export async function readFileToChange(file: string, io: Io): Promise<Buffer> {
  const path = resolve(io.cwd, file)
  try {
    return await readFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error"
    throw new TsopsError(`Error reading file: open ${path}: ${goErrors[code] ?? code}`, ExitCode.CouldNotReadInputFile)
  }
}

/** Options shared by set and unset (and the legacy --set): flags and the process boundary. */
export function changeOptions(file: string, flags: Flags, io: Io, warn: (m: string) => void) {
  return {
    filename: str(flags.filenameOverride) ?? file,
    ...typeOptions(flags),
    ...decryptFlagOptions(flags),
    ...ioOptions(io, warn),
  }
}

export async function runSet(args: string[], flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  if (flags.valueFile && flags.valueStdin) throw new TsopsError("Error: cannot use both --value-file and --value-stdin", ExitCode.ErrorGeneric)
  if (flags.valueStdin && args.length !== 2) {
    throw new TsopsError("Error: file specified, or index and value are missing. Need precisely 2 positional arguments since --value-stdin is used.", ExitCode.NoFileSpecified)
  }
  if (!flags.valueStdin && args.length !== 3) {
    throw new TsopsError("Error: no file specified, or index and value are missing. Need precisely 3 positional arguments.", ExitCode.NoFileSpecified)
  }
  const [file, index, argument] = args as [string, string, string | undefined]
  const path = parseIndexPath(index, "set")
  let json: string
  if (flags.valueStdin) json = (await readAll(io.stdin)).toString("utf8")
  else if (flags.valueFile) {
    const path = resolve(io.cwd, argument!)
    try {
      json = await readFile(path, "utf8")
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unknown error"
      throw new TsopsError(`Error reading value file: open ${path}: ${goErrors[code] ?? code}`, ExitCode.ErrorGeneric)
    }
  } else json = argument!
  const value = await parseSetValue(json)
  const input = await readFileToChange(file, io)
  const { output, changed } = await set(input, path, value, changeOptions(file, flags, io, warn))
  // --idempotent: an unchanged value means no write at all (sops: "File not written due to no change").
  if (!changed && flags.idempotent) return
  await writeOutput(output, file, { inPlace: true }, io)
}

/** The legacy root command's `--set '<path> <json>'` mode: always in place. */
export async function runSetArgument(file: string | undefined, argument: string, flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  if (file === undefined) throw new TsopsError("Error: no file specified", ExitCode.NoFileSpecified)
  const { path, value } = await parseSetArgument(argument)
  const input = await readFileToChange(file, io)
  const { output } = await set(input, path, value, changeOptions(file, flags, io, warn))
  await writeOutput(output, file, { inPlace: true }, io)
}

const int = (value: string): number => {
  const n = Number(value)
  if (!Number.isInteger(n)) throw new Error(`not an integer: ${value}`)
  return n
}

export const setCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addDecryptFlags(addTypeFlags(program.command("set")
    .description(`set a specific key or branch in the input document, in place. value must be a JSON encoded string, for example '/path/to/file ["somekey"][0] {"somevalue":true}', or a path if --value-file is used, or omitted if --value-stdin is used`)
    .summary("set a key or branch (JSON value) in place: set FILE '[\"key\"][0]' VALUE")
    .usage("[options] file index [value]")
    .argument("[args...]", "file index [value]")))
    .option("--value-file", "treat 'value' as a file to read the actual value from (avoids leaking secrets in process listings). Mutually exclusive with --value-stdin")
    .option("--value-stdin", "read the value from stdin; the 'value' argument to 'set' is not needed in this case (avoids leaking secrets in process listings). Mutually exclusive with --value-file")
    .option("--idempotent", "do nothing if the given index already has the given value")
    .addOption(new Option("--shamir-secret-sharing-threshold <n>", "the number of master keys required to retrieve the data key with shamir (accepted for sops compatibility; set keeps the file's)").argParser(int))
    .action(async (args: string[], _flags: Flags, command: Command) => {
      await runSet(args, command.optsWithGlobals(), io, warn)
    })
