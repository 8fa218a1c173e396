// set and unset: change one value (or branch) of an encrypted file by its tree path, keeping the
// data key, every other ciphertext and the file's layout (spec §10.1, §10.4).
import { ExitCode, TsopsError } from "../core/errors.js"
import type { FormatName } from "../core/store.js"
import { Comment, isList, isMap, type TreeValue } from "../core/tree.js"
import { parseTreePath, setAtPath, unsetAtPath, type PathComponent } from "../core/tree-path.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { alreadyEncryptedMessage } from "./encrypt.js"
import { openForUpdate, sameValue, withoutSrc } from "./replace.js"
import type { OpenedFile, OpenOptions } from "./load-encrypted.js"
import { toBytes } from "./options.js"
import { reencrypt } from "./reencrypt.js"

export interface SetOptions extends OpenOptions {
  /** Name used to pick the formats (by extension; unknown → binary). */
  filename?: string
  inputType?: FormatName | string
  outputType?: FormatName | string
  now?: Date
}

export interface UnsetOptions extends SetOptions {
  /** A path that is not there is no error: the file comes back unchanged (`--idempotent`). */
  idempotent?: boolean
}

export interface SetResult {
  /** The re-encrypted file (for an unset of a missing path with `idempotent`: the input itself). */
  output: Uint8Array
  /** Whether the value differed (sops's `--idempotent` writes nothing when it did not). */
  changed: boolean
}

/**
 * Sets the value at `path` (e.g. `["app"]["port"]`): a missing key is appended to its map, an index
 * past the end appends, missing levels are created. Re-encrypts with the file's data key.
 * @throws TsopsError: exit 7 for a bad path ("Invalid set index format") or a path through a
 *   scalar, 203 for a top-level `sops` key; the errors of `decrypt` (51, 128, …)
 * @example
 *   const { output } = await set(readFileSync("s.yaml"), '["db"]["password"]', "hunter2", { filename: "s.yaml" })
 */
export async function set(input: Uint8Array | string, path: string | readonly PathComponent[], value: TreeValue, options: SetOptions = {}): Promise<SetResult> {
  const components = typeof path === "string" ? parseIndexPath(path, "set") : path
  return change(input, options, root => setAtPath(root, components, withoutSrc(value) as TreeValue, sameValue))
}

/**
 * Removes the key or list element at `path`.
 * @throws TsopsError: exit 1 `Key not found: <key>` / `Index <n> out of bounds` (unless
 *   `idempotent`), exit 7 for a bad path; the errors of `decrypt`
 */
export async function unset(input: Uint8Array | string, path: string | readonly PathComponent[], options: UnsetOptions = {}): Promise<SetResult> {
  const components = typeof path === "string" ? parseIndexPath(path, "unset") : path
  try {
    return await change(input, options, root => {
      checkUnsetPath(root, components)
      return unsetAtPath(root, components)
    })
  } catch (error) {
    if (error instanceof KeyNotFoundError && options.idempotent) return { output: toBytes(input), changed: false }
    throw error
  }
}

/**
 * sops's "key not found" failures of unset (exit 1; `--idempotent` turns them into success).
 * @example
 *   try { await unset(bytes, '["gone"]', options) } catch (e) { if (!(e instanceof KeyNotFoundError)) throw e }
 */
export class KeyNotFoundError extends TsopsError {}

/** Decrypts, applies `edit` to the first branch, re-encrypts in the file's own layout. */
async function change(input: Uint8Array | string, options: SetOptions, edit: (root: OpenedFile["parsed"]["branches"][number]) => boolean): Promise<SetResult> {
  const filename = options.filename ?? ""
  const inputFormat = selectFormat(options.inputType, filename)
  const outputFormat = selectFormat(options.outputType, filename)
  const [inputStore, outputStore] = await Promise.all([loadStore(inputFormat), loadStore(outputFormat)])
  const opened = await openForUpdate(inputStore, toBytes(input), options)
  const root = opened.parsed.branches[0]
  if (!root) throw new TsopsError("File cannot be completely empty, it must contain at least one document", ExitCode.NeedAtLeastOneDocument)
  const changed = edit(root)
  // sops validates the result like a plaintext for encryption: `set f '["sops"]' …` is refused.
  if (root.items.some(item => item.key === "sops")) throw new TsopsError(alreadyEncryptedMessage, ExitCode.FileAlreadyEncrypted)
  const layout = inputFormat === outputFormat ? opened.parsed.layout : undefined
  const output = reencrypt(opened, outputStore, opened.parsed.branches, layout, options.now ? { now: options.now } : {})
  return { output, changed }
}

/**
 * A set/unset index (`["a"][0]`).
 * @throws TsopsError exit 7 `Invalid set index format: …` / `Invalid unset index format: …`
 */
export function parseIndexPath(text: string, command: "set" | "unset"): PathComponent[] {
  try {
    return parseTreePath(text, ExitCode.ErrorInvalidSetFormat, `Invalid ${command} index format`)
  } catch (error) {
    if (error instanceof TsopsError) throw new TsopsError(error.message, ExitCode.ErrorInvalidSetFormat)
    throw error
  }
}

/** Walks `path` the way sops's unset does, failing with its messages where it fails. */
function checkUnsetPath(root: TreeValue, path: readonly PathComponent[]): void {
  if (path.length === 0) throw new TsopsError("Invalid unset index format", ExitCode.ErrorInvalidSetFormat)
  let current: TreeValue = root
  for (const component of path) {
    if (isMap(current)) {
      const item = current.items.find(i => i.key === component)
      if (!item) throw new KeyNotFoundError(`Key not found: ${String(component)}`)
      current = item.value
    } else if (isList(current) && typeof component === "number") {
      const values = current.items.filter(i => !(i.value instanceof Comment))
      const item = component >= 0 ? values[component] : undefined
      if (!item) throw new KeyNotFoundError(`Index ${component} out of bounds`)
      current = item.value as TreeValue
    } else if (isList(current)) {
      throw new KeyNotFoundError(`Key not found: ${String(component)}`)
    } else {
      throw new TsopsError(`Unsupported type: ${current === null ? "<nil>" : typeof current} for item '${String(component)}'`)
    }
  }
}

/**
 * A `set` value from its JSON text, typed as sops types it (spec §10.4): scalars are generic JSON,
 * so every number is a float; objects keep their order and their ints (the JSON store); arrays
 * are refused (a sops quirk).
 * @throws TsopsError exit 7: `Value for --set is not valid JSON`, `Invalid --set value format`
 */
export async function parseSetValue(json: string): Promise<TreeValue> {
  let plain: unknown
  try {
    plain = JSON.parse(json)
  } catch {
    throw new TsopsError("Value for --set is not valid JSON", ExitCode.ErrorInvalidSetFormat)
  }
  // Go's decoder refuses a number out of float64 range (JSON.parse gives Infinity).
  if (typeof plain === "number" && !Number.isFinite(plain)) throw new TsopsError("Value for --set is not valid JSON", ExitCode.ErrorInvalidSetFormat)
  if (Array.isArray(plain)) throw new TsopsError("Invalid --set value format", ExitCode.ErrorInvalidSetFormat)
  if (plain === null || typeof plain !== "object") return plain as string | number | boolean | null
  // Wrapped, so a `sops` key inside the value is not taken for metadata.
  const store = await loadStore("json")
  let parsed
  try {
    parsed = store.parse(Buffer.from(`{"v":${json}}`, "utf8"))
  } catch {
    throw new TsopsError("Invalid --set value format", ExitCode.ErrorInvalidSetFormat)
  }
  return withoutSrc(parsed.branches[0]!.items[0]!.value) as TreeValue
}

/**
 * The `--set` argument of the root command: `<path> <json>`, split after the first `] ` (spec §10.2).
 * @throws TsopsError exit 7: `Invalid --set format`, or the errors of parseSetValue
 */
export async function parseSetArgument(argument: string): Promise<{ path: PathComponent[]; value: TreeValue }> {
  const at = argument.indexOf("] ")
  if (at < 0) throw new TsopsError("Invalid --set format", ExitCode.ErrorInvalidSetFormat)
  const value = await parseSetValue(argument.slice(at + 2))
  let path: PathComponent[]
  try {
    path = parseTreePath(argument.slice(0, at + 1).trimEnd(), ExitCode.ErrorInvalidSetFormat)
  } catch {
    throw new TsopsError("Invalid --set format", ExitCode.ErrorInvalidSetFormat)
  }
  return { path, value }
}
