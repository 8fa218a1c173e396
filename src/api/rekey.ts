// Changing who can decrypt a file (rotate, updatekeys, groups): the file's master keys as sources,
// new key groups wrapped around the same or a new data key (a fresh Shamir split with ≥2 groups,
// spec §7.1), values re-encrypted when the data key changes, and the metadata block for the result.
import { randomBytes } from "node:crypto"
import { Cipher, randomIv } from "../core/cipher.js"
import { encryptTree } from "../core/encrypt-tree.js"
import { TsopsError } from "../core/errors.js"
import { wrapDataKey } from "../core/key-groups.js"
import type { KeyContext, KeySource, MetadataEntry } from "../core/key-source.js"
import { encryptMac, nowRfc3339 } from "../core/mac.js"
import { keyListNames, metadataToTree, updateMetadataFields, type Metadata, type StoredKey } from "../core/metadata.js"
import type { ParsedFile } from "../core/store.js"
import { Comment, isList, isMap, type MapItem, type TreeMap, type TreeValue } from "../core/tree.js"
import type { KeySpec } from "../config/sops-yaml.js"
import { keyFromStored, keysFromList, keyTypes, type KeyTypeName } from "../../kms/index.js"
import { opaqueFromEntry } from "../../kms/opaque.js"

/** One master key of a new key group; `stored` is the file's entry when the file already has this key. */
export interface PlannedKey {
  key: KeySource
  stored?: StoredKey
}

/** A key as messages and plans name it: its metadata type and identity string (spec §6). */
export interface KeyLabel {
  type: string
  id: string
}

export const labelOf = (key: KeySource): KeyLabel => ({ type: key.type, id: key.id })

/** Whether tsops has a module for this key type, i.e. can wrap a data key with it. */
export const canWrap = (type: string): type is KeyTypeName => Object.hasOwn(keyTypes, type)

// PGP fingerprints are hex: `0xABCD…` and `abcd…` name the same key.
const normalId = (key: KeyLabel): string => (key.type === "pgp" ? key.id.replace(/^0x/i, "").toUpperCase() : key.id)

/** The same master key: same type and identity string (sops's `ToString` comparison, spec §6). */
export const sameKey = (a: KeyLabel, b: KeyLabel): boolean => a.type === b.type && normalId(a) === normalId(b)

/** The file's key groups as usable key sources, each remembering its stored entry. */
export async function fileKeyGroups(metadata: Metadata): Promise<PlannedKey[][]> {
  return Promise.all(metadata.keyGroups.map(group =>
    Promise.all(group.map(async stored => ({ key: (await keyFromStored(stored)).key, stored })))))
}

/** Keys from flags (`--add-age a,b`…): one list per key type, each validated. */
export async function keysFromLists(lists: Partial<Record<string, string | readonly string[] | undefined>>): Promise<KeySource[]> {
  const keys: KeySource[] = []
  for (const [type, value] of Object.entries(lists)) {
    if (value === undefined) continue
    const items = typeof value === "string" ? [value] : value
    if (!canWrap(type)) throw new TsopsError(`tsops cannot use ${type} keys yet`)
    for (const item of items) keys.push(...(await keysFromList(type, item)))
  }
  return keys
}

/**
 * Key groups named by a creation rule. Types tsops cannot use yet (kms, gcp_kms, azure_kv, hc_vault,
 * hckms) become opaque keys carrying their identity string, so a file that already has them can keep
 * its entries; wrapping a data key for them fails with a clear message (wrapKeyGroups).
 */
export async function configKeyGroups(groups: readonly (readonly KeySpec[])[]): Promise<KeySource[][]> {
  return Promise.all(groups.map(async group => (await Promise.all(group.map(async spec => {
    if (canWrap(spec.type)) return keysFromList(spec.type, spec.value)
    return configEntries(spec).map(entry => opaqueFromEntry(spec.type, entry).key)
  }))).flat()))
}

// A creation rule's key of an opaque type as the metadata entry it would become, enough for its
// identity string: key_groups give objects (JSON-encoded by sops-yaml.ts), the simple form strings.
function configEntries(spec: KeySpec): MetadataEntry[] {
  let items: unknown[] = [spec.value]
  if (spec.value.startsWith("[")) {
    try {
      items = JSON.parse(spec.value) as unknown[]
    } catch {
      // a plain string after all
    }
  }
  return items.map(item => {
    if (typeof item === "object" && item !== null) {
      const o = item as Record<string, unknown>
      return spec.type === "azure_kv" ? { vault_url: o.vaultUrl, name: o.key, version: o.version } : o
    }
    const text = String(item)
    switch (spec.type) {
      case "kms": return { arn: text }
      case "gcp_kms": return { resource_id: text }
      case "hckms": return { key_id: text }
      case "azure_kv": {
        const m = /^(.*)\/keys\/([^/]+)(?:\/([^/]*))?$/.exec(text)
        return m ? { vault_url: m[1], name: m[2], version: m[3] ?? "" } : { vault_url: text }
      }
      case "hc_vault": {
        const m = /^(.*?)\/v1\/(.+)\/keys\/([^/]+)$/.exec(text)
        return m ? { vault_address: m[1], engine_path: m[2], key_name: m[3] } : { vault_address: text }
      }
      default: return { id: text }
    }
  })
}

/** Error for keys tsops cannot wrap a data key for, naming each of them. */
export function cannotWrapError(keys: readonly KeyLabel[]): TsopsError {
  const types = [...new Set(keys.map(k => k.type))].join(", ")
  return new TsopsError(
    `tsops cannot use ${types} keys yet, so it cannot wrap the data key for: ${keys.map(k => `${k.type} ${k.id}`).join(", ")}`,
  )
}

export interface WrapOptions {
  /**
   * The entries the file already has wrap exactly `dataKey` (same data key, one key group before and
   * after): such keys keep their entry (smaller diffs; no access to their KMS needed). Otherwise
   * every key wraps its group's new secret.
   */
  keepEntries: boolean
  context: KeyContext
}

/** Wraps the data key for the new groups (Shamir split with ≥2 groups). Throws TsopsError. */
export async function wrapKeyGroups(
  dataKey: Uint8Array,
  groups: readonly (readonly PlannedKey[])[],
  shamirThreshold: number,
  options: WrapOptions,
): Promise<{ keyGroups: StoredKey[][]; shamirThreshold: number }> {
  const keep = options.keepEntries && groups.length === 1
  const kept = (key: PlannedKey): boolean => keep && key.stored !== undefined
  const blocked = groups.flat().filter(k => !kept(k) && !canWrap(k.key.type)).map(k => labelOf(k.key))
  if (blocked.length > 0) throw cannotWrapError(blocked)
  if (!keep) return wrapDataKey(dataKey, groups.map(group => group.map(k => k.key)), shamirThreshold, options.context)

  const group = groups[0]!
  if (group.length === 0) throw new TsopsError("Could not generate data key: empty key group provided")
  const fresh = group.filter(k => !kept(k)).map(k => k.key)
  const wrapped = fresh.length > 0 ? (await wrapDataKey(dataKey, [fresh], 0, options.context)).keyGroups[0]! : []
  let next = 0
  return { keyGroups: [group.map(k => (kept(k) ? k.stored! : wrapped[next++]!))], shamirThreshold: 0 }
}

/** A file whose data key is known; `cipher` is present when its values were decrypted in place. */
export interface KeyedFile {
  parsed: ParsedFile
  metadata: Metadata
  dataKey: Uint8Array
  cipher?: Cipher
}

export interface KeyChange {
  groups: PlannedKey[][]
  /** 0: the default (number of groups) when there are several, none with one. */
  shamirThreshold: number
  /** A new data key and every value re-encrypted (needs `cipher`); else values, MAC and lastmodified stay. */
  rotate: boolean
  /** Keys differ from the file's: the metadata block is written in sops 3.13's layout. */
  keysChanged: boolean
}

/**
 * Applies a key change to an opened file: re-wraps (and with `rotate` re-encrypts under a new data
 * key, reusing each value's IV — spec §2.4) and returns the branches and the metadata block to emit.
 */
export async function rekey(
  file: KeyedFile,
  change: KeyChange,
  context: KeyContext,
  now?: Date,
): Promise<{ branches: TreeMap[]; metadata: TreeMap }> {
  const { parsed, metadata } = file
  if (change.rotate && !file.cipher) throw new Error("rekey: rotating needs a file whose values are decrypted")
  const dataKey = change.rotate ? randomBytes(32) : file.dataKey
  const wrapped = await wrapKeyGroups(dataKey, change.groups, change.shamirThreshold, {
    keepEntries: !change.rotate && metadata.keyGroups.length === 1,
    context,
  })
  let updated: Metadata = { ...metadata, keyGroups: wrapped.keyGroups, shamirThreshold: wrapped.shamirThreshold }
  if (change.rotate) {
    const cipher = new Cipher(dataKey, randomIv, file.cipher)
    const mac = encryptTree(parsed.branches, cipher, metadata.rules)
    const lastModified = nowRfc3339(now)
    updated = { ...updated, lastModified, mac: encryptMac(cipher, mac, lastModified) }
  }
  const raw = isMap(parsed.metadata) ? parsed.metadata : undefined
  let kept: TreeMap | undefined
  if (!change.keysChanged && raw) {
    const inFileOrder = await fileOrder(metadata, change.groups, updated.keyGroups)
    kept = inFileOrder && replaceEncs(raw, inFileOrder)
  }
  return { branches: parsed.branches, metadata: kept ? updateMetadataFields(kept, updated) : metadataToTree(updated) }
}

// The new entries in the order the file lists its keys (the metadata block is matched by position);
// undefined when the key sets differ after all.
async function fileOrder(metadata: Metadata, groups: readonly (readonly PlannedKey[])[], wrapped: readonly StoredKey[][]): Promise<StoredKey[][] | undefined> {
  const current = await fileKeyGroups(metadata)
  if (current.length !== groups.length) return undefined
  const ordered: StoredKey[][] = []
  for (const [g, group] of current.entries()) {
    const planned = groups[g]!
    if (planned.length !== group.length) return undefined
    const entries: StoredKey[] = []
    for (const { key } of group) {
      const k = planned.findIndex(p => sameKey(p.key, key))
      if (k === -1) return undefined
      entries.push(wrapped[g]![k]!)
    }
    ordered.push(entries)
  }
  return ordered
}

// The file's own metadata block with each key's `enc` replaced, so a rotation without key changes
// keeps the block's order and shape. Undefined when the block cannot be matched to the key groups
// (then it is written afresh). Entries are visited in parseMetadata's order.
function replaceEncs(raw: TreeMap, keyGroups: readonly StoredKey[][]): TreeMap | undefined {
  const hasTopLevel = keyListNames.some(name => {
    const list = fieldItem(raw, name)?.value
    return isList(list) && list.items.some(item => !(item.value instanceof Comment))
  })
  if (hasTopLevel) return keyGroups.length === 1 ? replaceInGroup(raw, keyGroups[0]!) : undefined
  const item = fieldItem(raw, "key_groups")
  if (!item || !isList(item.value)) return undefined
  const groups = item.value.items.filter(i => !(i.value instanceof Comment))
  if (groups.length !== keyGroups.length) return undefined
  let g = 0
  const items = []
  for (const listItem of item.value.items) {
    if (listItem.value instanceof Comment) {
      items.push(listItem)
      continue
    }
    if (!isMap(listItem.value)) return undefined
    const replaced = replaceInGroup(listItem.value, keyGroups[g++]!)
    if (!replaced) return undefined
    items.push({ ...listItem, value: replaced })
  }
  return withItem(raw, item, { ...item.value, items })
}

function replaceInGroup(group: TreeMap, keys: readonly StoredKey[]): TreeMap | undefined {
  let next = 0
  let result = group
  for (const name of keyListNames) {
    const item = fieldItem(group, name)
    if (!item || !isList(item.value)) continue
    const entries = []
    for (const entry of item.value.items) {
      if (entry.value instanceof Comment) {
        entries.push(entry)
        continue
      }
      const key = keys[next++]
      const enc = key?.entry.enc
      if (!key || key.type !== name || typeof enc !== "string" || !isMap(entry.value)) return undefined
      entries.push({ ...entry, value: setField(entry.value, "enc", enc) })
    }
    result = withItem(result, fieldItem(result, name)!, { ...item.value, items: entries })
  }
  return next === keys.length ? result : undefined
}

// Field lookup as metadata.ts reads it: the exact name, else the first case-insensitive match.
function fieldItem(map: TreeMap, name: string): MapItem | undefined {
  return map.items.findLast(i => i.key === name) ?? map.items.find(i => typeof i.key === "string" && i.key.toLowerCase() === name)
}

function withItem(map: TreeMap, item: MapItem, value: TreeValue): TreeMap {
  return { ...map, items: map.items.map(i => (i === item ? { ...i, value } : i)) }
}

function setField(map: TreeMap, name: string, value: string): TreeMap {
  const item = fieldItem(map, name)
  return item ? withItem(map, item, value) : { ...map, items: [...map.items, { key: name, value }] }
}
