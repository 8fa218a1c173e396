// `tsops edit FILE` and the legacy `tsops FILE`: the plaintext in $SOPS_EDITOR / $EDITOR, saved back
// in place with the file's data key (spec §10.1, §10.3).
import { createInterface } from "node:readline"
import type { Command } from "commander"
import { editFile, type EditOptions } from "../../api/edit.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { writeOutput } from "../file-io.js"
import { addConfigFlag, addDecryptFlags, addRuleFlags, addTypeFlags } from "../flags.js"
import type { Io } from "../io.js"
import { addKeyFlags, keyFlagValues } from "../key-flags.js"
import { decryptFlagOptions, ioOptions, ruleOptions, str, typeOptions, type Flags } from "../flag-values.js"


const pressEnter = "Press enter to return to the editor, or Ctrl+C to exit."

/**
 * On a terminal, an edit that cannot be saved is shown and the editor re-opened after Enter (as
 * sops does); elsewhere nobody could press Enter, so the edit fails (the original is untouched).
 */
function retryPrompt(io: Io): EditOptions["askRetry"] {
  if (!io.stdin.isTTY) return undefined
  return (reason, signal) => new Promise<void>((resolve, reject) => {
    io.stderr.write(`${reason} ${pressEnter}\n`)
    // Not `terminal: true`: Ctrl+C must stay a SIGINT, which cancels the edit.
    const rl = createInterface({ input: io.stdin, terminal: false })
    let settled = false
    const settle = (error?: TsopsError) => {
      if (settled) return
      settled = true
      signal.removeEventListener("abort", onAbort)
      rl.close()
      if (error) reject(error)
      else resolve()
    }
    const onAbort = () => settle(new TsopsError("User canceled operation", ExitCode.ErrorGeneric))
    rl.once("line", () => settle())
    rl.once("close", () => settle(new TsopsError("User canceled operation", ExitCode.ErrorGeneric)))
    signal.addEventListener("abort", onAbort, { once: true })
  })
}

export async function runEdit(file: string | undefined, flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  if (file === undefined || file === "-") throw new TsopsError("Error: no file specified", ExitCode.NoFileSpecified)
  const askRetry = retryPrompt(io)
  const output = await editFile(file, {
    ...keyFlagValues(flags),
    filename: str(flags.filenameOverride) ?? file,
    ...typeOptions(flags),
    ...ruleOptions(flags),
    showMasterKeys: flags.showMasterKeys === true,
    ...decryptFlagOptions(flags),
    config: str(flags.config),
    ...ioOptions(io, warn),
    ...(askRetry ? { askRetry } : {}),
  })
  await writeOutput(output, file, { inPlace: true }, io)
}

export const editCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addConfigFlag(addDecryptFlags(addRuleFlags(addTypeFlags(addKeyFlags(
    program.command("edit")
      .description("edit a file with $SOPS_EDITOR or $EDITOR (else vim, nano or vi) and save it encrypted, in place; a new file starts from an example and gets its keys from the flags or .sops.yaml")
      .summary("edit a file in $SOPS_EDITOR / $EDITOR and save it encrypted, in place")
      .argument("[file]", "file to edit"),
  ))))).option("-s, --show-master-keys", "display master encryption keys in the file during editing")
    .action(async (file: string | undefined, _flags: Flags, command: Command) => {
      await runEdit(file, command.optsWithGlobals(), io, warn)
    })
