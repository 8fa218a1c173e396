// `tsops encrypt [file]` (and the legacy `tsops -e file`): flags in, encrypted file out.
import type { Command } from "commander"
import { encrypt } from "../../api/encrypt.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { keyFlagValues } from "../key-flags.js"
import { checkDestination, readInput, writeOutput } from "../file-io.js"
import { addConfigFlag, addOutputFlags, addRuleFlags, addTypeFlags } from "../flags.js"
import { addKeyFlags } from "../key-flags.js"
import type { Io } from "../io.js"
import { ioOptions, layoutOptions, ruleOptions, str, typeOptions, type Flags } from "../flag-values.js"

export type { Flags }


export async function runEncrypt(file: string | undefined, flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  checkDestination(file, flags)
  const fromStdin = file === undefined || file === "-"
  const filename = str(flags.filenameOverride) ?? (fromStdin ? undefined : file)
  if (fromStdin && filename === undefined) {
    throw new TsopsError("Error: must specify --filename-override when reading from stdin", ExitCode.ErrorConflictingParameters)
  }
  const input = await readInput(file, io)
  const output = await encrypt(input, {
    ...keyFlagValues(flags),
    filename,
    ...typeOptions(flags),
    ...ruleOptions(flags),
    ...layoutOptions(flags),
    ...ioOptions(io, warn),
  })
  await writeOutput(output, file, flags, io)
}

export const encryptCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addConfigFlag(addRuleFlags(addOutputFlags(addTypeFlags(addKeyFlags(
    program.command("encrypt").description("encrypt a file, and output the results to stdout").argument("[file]", "file to encrypt (stdin if omitted)"),
  ))))).action(async (file: string | undefined, _flags: Flags, command: Command) => {
    await runEncrypt(file, command.optsWithGlobals(), io, warn)
  })
