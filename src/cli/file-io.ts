// Reading the input and writing the output of a command: stdin/stdout, --output, --in-place.
// Output files are written atomically, so a failure never leaves a partial or truncated file.
import { readFile } from "node:fs/promises"
import { resolve } from "node:path"
import { ExitCode, TsopsError } from "../core/errors.js"
import { readAll, type Io } from "./io.js"

export interface Destination {
  inPlace?: boolean
  output?: string
}

/** The input bytes: the file, or stdin when no file (or `-`) is given. */
export async function readInput(file: string | undefined, io: Io): Promise<Buffer> {
  if (file === undefined || file === "-") return readAll(io.stdin)
  const path = resolve(io.cwd, file)
  try {
    return await readFile(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === "ENOENT") throw new TsopsError(`Error: cannot operate on non-existent file "${path}"`, ExitCode.NoFileSpecified)
    throw new TsopsError(`Error reading file: ${code ?? "unknown error"}: ${path}`, ExitCode.CouldNotReadInputFile)
  }
}

export function checkDestination(file: string | undefined, destination: Destination): void {
  if (destination.inPlace && destination.output) {
    throw new TsopsError("Error: cannot operate on both --output and --in-place", ExitCode.ErrorConflictingParameters)
  }
  if (destination.inPlace && (file === undefined || file === "-")) {
    throw new TsopsError("Error: cannot use --in-place when reading from stdin", ExitCode.ErrorConflictingParameters)
  }
}

export async function writeOutput(bytes: Uint8Array, file: string | undefined, destination: Destination, io: Io): Promise<void> {
  const target = destination.inPlace ? file : destination.output
  if (target === undefined) {
    io.stdout.write(bytes)
    return
  }
  const path = resolve(io.cwd, target)
  const { default: writeFileAtomic } = await import("write-file-atomic")
  try {
    await writeFileAtomic(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error"
    const what = destination.inPlace ? "in-place file" : "output file"
    throw new TsopsError(`Could not open ${what} for writing: ${code}: ${path}`, ExitCode.CouldNotWriteOutputFile)
  }
}
