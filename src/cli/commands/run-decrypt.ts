// What `tsops decrypt` does once its flags are parsed; apart from decrypt.ts so the commander-free fast path
// (fast-path.ts) loads neither commander nor the flag tables.
import { decrypt } from "../../api/decrypt.js"
import { checkDestination, readInput, writeOutput } from "../file-io.js"
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
