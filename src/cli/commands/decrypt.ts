// `tsops decrypt [file]` (and the legacy `tsops -d file`): flags in, plaintext out.
import type { Command } from "commander"
import { decrypt } from "../../api/decrypt.js"
import { checkDestination, readInput, writeOutput } from "../file-io.js"
import { addConfigFlag, addDecryptFlags, addOutputFlags, addTypeFlags } from "../flags.js"
import type { Io } from "../io.js"
import { decryptFlagOptions, ioOptions, layoutOptions, str, typeOptions, type Flags } from "../flag-values.js"


export async function runDecrypt(file: string | undefined, flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  checkDestination(file, flags)
  const fromStdin = file === undefined || file === "-"
  const input = await readInput(file, io)
  const output = await decrypt(input, {
    filename: str(flags.filenameOverride) ?? (fromStdin ? "" : file),
    ...typeOptions(flags),
    extract: str(flags.extract),
    ...decryptFlagOptions(flags),
    ...layoutOptions(flags),
    ...ioOptions(io, warn),
  })
  await writeOutput(output, file, flags, io)
}

export const decryptCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addConfigFlag(addDecryptFlags(addOutputFlags(addTypeFlags(
    program.command("decrypt").description("decrypt a file, and output the results to stdout").argument("[file]", "file to decrypt (stdin if omitted)"),
  )))).option("--extract <path>", `extract a specific key or branch from the input document, e.g. '["somekey"][0]'`)
    .action(async (file: string | undefined, _flags: Flags, command: Command) => {
      await runDecrypt(file, command.optsWithGlobals(), io, warn)
    })
