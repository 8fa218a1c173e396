// `tsops rotate FILE` (and the legacy `tsops -r FILE`): a new data key, with --add-*/--rm-* flags
// generated from the key-type table for every key type tsops supports.
import type { Command } from "commander"
import { rotate } from "../../api/rotate.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { addKeyChangeFlags, checkKeyChangeTarget, keyChangeValues } from "../key-flags.js"
import { checkDestination, readInput, writeOutput } from "../file-io.js"
import { addConfigFlag, addDecryptFlags, addOutputFlags, addTypeFlags } from "../flags.js"
import type { Io } from "../io.js"
import { decryptFlagOptions, ioOptions, layoutOptions, str, typeOptions, type Flags } from "../flag-values.js"


export async function runRotate(file: string | undefined, flags: Flags, io: Io, warn: (m: string) => void, legacy = false): Promise<void> {
  if (file === undefined) throw new TsopsError("Error: no file specified", ExitCode.NoFileSpecified)
  checkDestination(file, flags)
  checkKeyChangeTarget(file, flags, io, legacy)
  const input = await readInput(file, io)
  const { add, remove } = keyChangeValues(flags)
  const output = await rotate(input, {
    filename: str(flags.filenameOverride) ?? (file === "-" ? "" : file),
    ...typeOptions(flags),
    add,
    remove,
    ...decryptFlagOptions(flags),
    ...layoutOptions(flags),
    ...ioOptions(io, warn),
  })
  await writeOutput(output, file, flags, io)
}

export const rotateCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addKeyChangeFlags(addConfigFlag(addDecryptFlags(addOutputFlags(addTypeFlags(
    program.command("rotate").description("generate a new data encryption key and reencrypt all values with the new key").argument("[file]", "file to rotate"),
  ))))).action(async (file: string | undefined, _flags: Flags, command: Command) => {
    await runRotate(file, command.optsWithGlobals(), io, warn)
  })
