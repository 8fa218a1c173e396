// `tsops encrypt [file]` (and the legacy `tsops -e file`): flags in, encrypted file out.
import type { Command } from "commander"
import { encrypt } from "../../api/encrypt.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { keyFlagValues } from "../key-flags.js"
import { checkDestination, readInput, writeOutput } from "../file-io.js"
import { addConfigFlag, addOutputFlags, addRuleFlags, addTypeFlags } from "../flags.js"
import { addKeyFlags } from "../key-flags.js"
import { passphrasePrompt, type Io } from "../io.js"

export type Flags = Record<string, unknown>

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

export async function runEncrypt(file: string | undefined, flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  checkDestination(file, flags)
  const fromStdin = file === undefined || file === "-"
  const filename = str(flags.filenameOverride) ?? (fromStdin ? undefined : file)
  if (fromStdin && filename === undefined) {
    throw new TsopsError("Error: must specify --filename-override when reading from stdin", ExitCode.ErrorConflictingParameters)
  }
  const input = await readInput(file, io)
  const askPassphrase = passphrasePrompt(io)
  const output = await encrypt(input, {
    ...keyFlagValues(flags),
    filename,
    inputType: str(flags.inputType),
    outputType: str(flags.outputType),
    unencryptedSuffix: str(flags.unencryptedSuffix),
    encryptedSuffix: str(flags.encryptedSuffix),
    unencryptedRegex: str(flags.unencryptedRegex),
    encryptedRegex: str(flags.encryptedRegex),
    unencryptedCommentRegex: str(flags.unencryptedCommentRegex),
    encryptedCommentRegex: str(flags.encryptedCommentRegex),
    macOnlyEncrypted: flags.macOnlyEncrypted === true,
    shamirThreshold: typeof flags.shamirSecretSharingThreshold === "number" ? flags.shamirSecretSharingThreshold : undefined,
    indent: typeof flags.indent === "number" ? flags.indent : undefined,
    config: str(flags.config),
    env: io.env,
    cwd: io.cwd,
    warn,
    ...(askPassphrase ? { askPassphrase } : {}),
  })
  await writeOutput(output, file, flags, io)
}

export const encryptCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addConfigFlag(addRuleFlags(addOutputFlags(addTypeFlags(addKeyFlags(
    program.command("encrypt").description("encrypt a file, and output the results to stdout").argument("[file]", "file to encrypt (stdin if omitted)"),
  ))))).action(async (file: string | undefined, _flags: Flags, command: Command) => {
    await runEncrypt(file, command.optsWithGlobals(), io, warn)
  })
