// filestatus: whether a file is sops-encrypted, without touching any key (spec §10.1).
import { ExitCode, MetadataError, TsopsError } from "../core/errors.js"
import { parseMetadata, toPlain } from "../core/metadata.js"
import type { FormatName } from "../core/store.js"
import { isMap, type TreeMap } from "../core/tree.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { toBytes } from "./options.js"

export interface FileStatusOptions {
  /** Name used to pick the format (by extension; unknown → binary). */
  filename?: string
  inputType?: FormatName | string
}

/** What `tsops filestatus` prints as JSON. */
export interface FileStatus {
  encrypted: boolean
}

/**
 * `{ encrypted: true }` when the file has sops metadata with a `version` and a `mac`; false when it
 * has none, or one of them is empty (as sops decides).
 * @throws TsopsError (exit 1) `cannot check file status: …` for input the format cannot parse or
 *   metadata that is present but malformed
 * @example
 *   (await fileStatus(readFileSync("s.yaml"), { filename: "s.yaml" })).encrypted
 */
export async function fileStatus(input: Uint8Array | string, options: FileStatusOptions = {}): Promise<FileStatus> {
  const store = await loadStore(selectFormat(options.inputType, options.filename ?? ""))
  try {
    const parsed = store.parse(toBytes(input))
    if (parsed.metadata === undefined) return { encrypted: false }
    if (isMap(parsed.metadata) && (!hasField(parsed.metadata, "version") || !hasField(parsed.metadata, "mac"))) return { encrypted: false }
    parseMetadata(parsed.metadata)
    return { encrypted: true }
  } catch (error) {
    if (!(error instanceof TsopsError)) throw error
    const reason = error instanceof MetadataError ? error.message : `cannot load encrypted file: ${error.message}`
    throw new TsopsError(`cannot check file status: ${reason}`, ExitCode.ErrorGeneric)
  }
}

// A non-empty field of the raw metadata, names matched case-insensitively as metadata.ts reads them.
function hasField(raw: TreeMap, name: string): boolean {
  const entry = Object.entries(toPlain(raw) as Record<string, unknown>).find(([key]) => key.toLowerCase() === name)
  return entry !== undefined && entry[1] !== null && entry[1] !== ""
}
