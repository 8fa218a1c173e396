// `tsops replace FILE --from PLAINTEXT`: a regenerated plaintext re-encrypted into an existing file so
// that unchanged values keep their exact ciphertext (sops issue #1587); in place unless --output.
import type { Command } from "commander"
import { replace } from "../../api/replace.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { writeOutput } from "../file-io.js"
import { addConfigFlag, addDecryptFlags } from "../flags.js"
import { readAll, type Io } from "../io.js"
import { decryptFlagOptions, ioOptions, str, type Flags } from "../flag-values.js"
import { readFileToChange } from "./set.js"


export async function runReplace(file: string | undefined, flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  if (file === undefined || file === "-") throw new TsopsError("Error: no file specified", ExitCode.NoFileSpecified)
  const from = str(flags.from)
  if (from === undefined) throw new TsopsError("Error: --from is required (the plaintext file, or - for stdin)", ExitCode.NoFileSpecified)
  const encrypted = await readFileToChange(file, io)
  const plaintext = from === "-" ? await readAll(io.stdin) : await readFileToChange(from, io)
  const { output, changed } = await replace(encrypted, plaintext, {
    filename: file,
    ...(from !== "-" ? { plaintextFilename: from } : {}),
    inputType: str(flags.inputType),
    ...decryptFlagOptions(flags),
    ...ioOptions(io, warn),
  })
  const target = str(flags.output)
  // Nothing changed: the file stays byte for byte (no new lastmodified/MAC to commit).
  if (!changed && target === undefined) return
  await writeOutput(output, file, target !== undefined ? { output: target } : { inPlace: true }, io)
}

export const replaceCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addConfigFlag(addDecryptFlags(
    program.command("replace")
      .description("re-encrypt a plaintext file into an existing encrypted file with the same data key: values whose path and plaintext are unchanged keep their exact ciphertext, so scripts that regenerate secrets produce minimal diffs. Writes FILE in place (atomically) unless --output is given; a plaintext with the same values leaves FILE untouched")
      .summary("re-encrypt a plaintext into an existing encrypted file, keeping unchanged ciphertexts (in place)")
      .argument("[file]", "the encrypted file to update")
      .requiredOption("--from <plaintext>", "the new plaintext (a file, or - for stdin)")
      .option("--output <file>", "write the result to this file instead of FILE")
      .option("--input-type <type>", "format of both files (json, yaml, dotenv, ini, binary); default: from their extensions"),
  )).action(async (file: string | undefined, _flags: Flags, command: Command) => {
    await runReplace(file, command.optsWithGlobals(), io, warn)
  })
