// rotate: a new data key for an encrypted file, optionally adding and removing master keys
// (spec §10.1 rotate row). Every value is re-encrypted; IVs are reused with the new key (§2.4).
import { TsopsError } from "../core/errors.js"
import type { FormatName } from "../core/store.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import type { KeyTypeName } from "../../kms/index.js"
import { openEncrypted, type OpenOptions } from "./load-encrypted.js"
import { keyContext, toBytes } from "./options.js"
import { emitOptions, storesConfigFor, type OutputOptions } from "./output.js"
import { fileKeyGroups, keysFromLists, labelOf, rekey, sameKey, type PlannedKey } from "./rekey.js"

/** Master keys per key type, each a comma-separated list (or several lists), as `--add-age a,b` gives them. */
export type KeyLists = Partial<Record<KeyTypeName, string | readonly string[]>>

export interface RotateOptions extends OpenOptions, OutputOptions {
  /** Name used to pick the formats (by extension; unknown → binary). */
  filename?: string
  inputType?: FormatName | string
  outputType?: FormatName | string
  /** Keys to append to the first key group (`--add-age`, `--add-pgp`…). */
  add?: KeyLists
  /** Keys to remove from every key group, matched by identity string (`--rm-age`, `--rm-pgp`…). */
  remove?: KeyLists
  /** For tests: the clock for `lastmodified`. */
  now?: Date
}

/**
 * Generates a new data key, applies `add`/`remove`, re-wraps the data key for every master key
 * (a new Shamir split with several key groups) and re-encrypts every value. `version` is kept.
 * @throws TsopsError: a key to remove that the file does not have, a key group left empty, keys
 *   tsops cannot wrap for (AWS/GCP/Azure/Vault, named), invalid keys to add; plus every error of
 *   `decrypt` (exit 128 no data key, 51 MAC mismatch, 25 bad value, 2 unparseable input)
 * @example
 *   const rotated = await rotate(readFileSync("s.yaml"), { filename: "s.yaml", remove: { age: "age1…" } })
 */
export async function rotate(input: Uint8Array | string, options: RotateOptions = {}): Promise<Uint8Array> {
  const filename = options.filename ?? ""
  const inputFormat = selectFormat(options.inputType, filename)
  const outputFormat = selectFormat(options.outputType, filename)
  const [inputStore, outputStore, stores, added, removed] = await Promise.all([
    loadStore(inputFormat), loadStore(outputFormat), storesConfigFor(options),
    keysFromLists(options.add ?? {}), keysFromLists(options.remove ?? {}),
  ])
  const opened = await openEncrypted(inputStore, toBytes(input), options)
  const groups = changeKeys(await fileKeyGroups(opened.metadata), added.map(key => ({ key })), removed.map(labelOf))
  const change = { groups, shamirThreshold: opened.metadata.shamirThreshold, rotate: true, keysChanged: added.length + removed.length > 0 }
  const { branches, metadata } = await rekey(opened, change, keyContext(options), options.now)
  const layout = inputFormat === outputFormat ? opened.parsed.layout : undefined
  return outputStore.emit(branches, emitOptions(outputFormat, layout, options, stores, metadata))
}

/**
 * Appends `add` to group 0 (keys it already has are skipped) and removes `remove` from every group.
 * Throws when a key to remove is in no group, or when a group would be left without keys.
 */
export function changeKeys(groups: PlannedKey[][], add: readonly PlannedKey[], remove: readonly { type: string; id: string }[]): PlannedKey[][] {
  const result = groups.map(group => [...group])
  if (result.length === 0) result.push([])
  for (const key of add) if (!result[0]!.some(k => sameKey(k.key, key.key))) result[0]!.push(key)
  for (const gone of remove) {
    if (!result.some(group => group.some(k => sameKey(k.key, gone)))) {
      throw new TsopsError(`Cannot remove ${gone.type} key ${gone.id}: the file has no such master key`)
    }
    for (const [i, group] of result.entries()) result[i] = group.filter(k => !sameKey(k.key, gone))
  }
  const empty = result.findIndex(group => group.length === 0)
  if (empty !== -1) {
    throw new TsopsError(`Cannot remove these keys: key group ${empty} would be left without master keys`)
  }
  return result
}
