// decrypt: an encrypted file's bytes in, its plaintext (or one extracted value) out.
import { ExitCode, TsopsError } from "../core/errors.js"
import type { FormatName } from "../core/store.js"
import { isList, isMap } from "../core/tree.js"
import { parseTreePath, valueAtPath } from "../core/tree-path.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { openEncrypted, type OpenOptions } from "./load-encrypted.js"
import { toBytes } from "./options.js"
import { emitOptions, storesConfigFor, type OutputOptions } from "./output.js"

export interface DecryptOptions extends OpenOptions, OutputOptions {
  /** Name used to pick the formats (by extension; unknown → binary). Default: binary unless types are given. */
  filename?: string
  inputType?: FormatName | string
  outputType?: FormatName | string
  /** Print only this value, e.g. `["app"]["port"]` (spec §10.4). */
  extract?: string
}

/**
 * Decrypts a sops file, verifying its MAC.
 * @throws MacMismatchError (exit 51), DataKeyRecoveryError (exit 128), DecryptionError (exit 25),
 *   MetadataError (exit 1), InputParseError (exit 2), TsopsError (exit 91 for a bad --extract path)
 * @example
 *   const plain = await decrypt(readFileSync("secrets.yaml"), { filename: "secrets.yaml" })
 */
export async function decrypt(input: Uint8Array | string, options: DecryptOptions = {}): Promise<Uint8Array> {
  const filename = options.filename ?? ""
  const inputFormat = selectFormat(options.inputType, filename)
  const outputFormat = selectFormat(options.outputType, filename)
  const extractPath = options.extract !== undefined ? parseTreePath(options.extract) : undefined
  if (extractPath && inputFormat === "binary") {
    throw new TsopsError("Binary files are not structured and extracting a single value is not possible", ExitCode.ErrorGeneric)
  }
  const [inputStore, outputStore, stores] = await Promise.all([
    loadStore(inputFormat), loadStore(outputFormat), storesConfigFor(options),
  ])
  const { parsed } = await openEncrypted(inputStore, toBytes(input), options, true)
  if (extractPath) {
    const value = valueAtPath(parsed.branches[0] ?? null, extractPath)
    if (typeof value === "string") return Buffer.from(value, "utf8")
    if (value instanceof Uint8Array) return value
    if (!isMap(value) && !isList(value) && outputFormat === "binary") return Buffer.from(String(value), "utf8")
    return outputStore.emitValue(value)
  }
  const layout = inputFormat === outputFormat ? parsed.layout : undefined
  return outputStore.emit(parsed.branches, emitOptions(outputFormat, layout, options, stores))
}
