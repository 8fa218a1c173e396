// groups add / groups delete: change an encrypted file's key groups, keeping its data key, values,
// MAC and lastmodified; the data key is split afresh for the new groups (spec §7.1, §10.1).
import { ExitCode, TsopsError } from "../core/errors.js"
import type { FormatName } from "../core/store.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { readMetadata, recoverDataKey, type OpenOptions } from "./load-encrypted.js"
import { keyContext, toBytes } from "./options.js"
import { emitOptions, storesConfigFor, type OutputOptions } from "./output.js"
import { fileKeyGroups, keysFromLists, rekey, type PlannedKey } from "./rekey.js"
import type { KeyLists } from "./rotate.js"

export interface GroupsOptions extends OpenOptions, OutputOptions {
  /** Name used to pick the format (by extension; unknown → binary). */
  filename?: string
  inputType?: FormatName | string
  /** The new Shamir threshold; 0 or absent: keep the file's. */
  shamirThreshold?: number
}

export interface AddGroupOptions extends GroupsOptions {
  /** The master keys of the new group, per key type (`--age a --age b`, `--pgp FP`). */
  keys: KeyLists
}

/**
 * Appends a key group made of `options.keys` and re-splits the file's data key among all groups.
 * @throws TsopsError: no keys given, a bad threshold, keys tsops cannot wrap for; DataKeyRecoveryError
 *   (exit 128) when the data key cannot be recovered
 * @example
 *   const out = await addKeyGroup(bytes, { filename: "s.yaml", keys: { age: "age1…" }, shamirThreshold: 2 })
 */
export async function addKeyGroup(input: Uint8Array | string, options: AddGroupOptions): Promise<Uint8Array> {
  const added = await keysFromLists(options.keys)
  if (added.length === 0) throw new TsopsError("no master keys given for the new key group (use --age, --pgp…)")
  return changeGroups(input, options, "add", groups => [...groups, added.map(key => ({ key }))])
}

/**
 * Removes key group `index` (0-based) and re-splits the file's data key among the groups left.
 * @throws TsopsError: an index out of range, the only group, fewer groups left than the threshold;
 *   DataKeyRecoveryError (exit 128)
 */
export async function deleteKeyGroup(input: Uint8Array | string, index: number, options: GroupsOptions = {}): Promise<Uint8Array> {
  return changeGroups(input, options, "delete", groups => {
    if (!Number.isInteger(index) || index < 0 || index >= groups.length) {
      throw new TsopsError(`Invalid key group index ${index}: the file has ${groups.length} key group(s), numbered from 0`)
    }
    if (groups.length === 1) throw new TsopsError("Cannot delete the only key group of the file")
    return groups.filter((_, i) => i !== index)
  })
}

async function changeGroups(
  input: Uint8Array | string,
  options: GroupsOptions,
  operation: "add" | "delete",
  change: (groups: PlannedKey[][]) => PlannedKey[][],
): Promise<Uint8Array> {
  const requested = options.shamirThreshold ?? 0
  if (!Number.isInteger(requested) || requested < 0 || requested > 255) {
    throw new TsopsError(`Invalid Shamir threshold ${requested}: it must be a whole number from 2 to 255`, ExitCode.ErrorGeneric)
  }
  const format = selectFormat(options.inputType, options.filename ?? "")
  const [store, stores] = await Promise.all([loadStore(format), storesConfigFor(options)])
  const parsed = store.parse(toBytes(input))
  const metadata = readMetadata(parsed)
  const groups = change(await fileKeyGroups(metadata))
  const threshold = requested || metadata.shamirThreshold
  if (groups.length < threshold) {
    throw new TsopsError(operation === "delete"
      // sops's wording (cmd/sops/subcommand/groups/delete.go)
      ? `removing this key group will make the Shamir threshold impossible to satisfy: Shamir threshold is ${threshold}, but we only have ${groups.length} key groups`
      : `Invalid Shamir threshold ${threshold}: the file would have only ${groups.length} key groups`)
  }
  if (groups.length > 1 && threshold === 1) {
    throw new TsopsError("Invalid Shamir threshold 1: with several key groups it must be at least 2")
  }
  const dataKey = await recoverDataKey(metadata, options)
  const rekeyed = await rekey(
    { parsed, metadata, dataKey },
    { groups, shamirThreshold: groups.length > 1 ? threshold : 0, rotate: false, keysChanged: true },
    keyContext(options),
  )
  return store.emit(rekeyed.branches, emitOptions(format, parsed.layout, options, stores, rekeyed.metadata))
}
