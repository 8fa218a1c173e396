// The `sops` metadata block (spec §5): read tolerantly in every older shape (any field order,
// case-insensitive names, stringly typed values, null/[] lists), written in sops 3.13's layout.
import { MetadataError, TsopsError } from "./errors.js"
import type { MetadataEntry } from "./key-source.js"
import { defaultUnencryptedSuffix, countRules, conflictMessage, type CryptRules } from "./rules.js"
import { Comment, isList, isMap, newList, newMap, SopsTime, type TreeMap, type TreeValue } from "./tree.js"

export const sopsVersion = "3.13.2"

/** The metadata lists of master keys, in the order sops collects them within a group (spec §5.4). */
export const keyListNames = ["kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "pgp", "age"] as const

/** One master key as the file stores it: its list name and its entry. */
export interface StoredKey {
  type: string
  entry: MetadataEntry
}

export interface Metadata {
  keyGroups: StoredKey[][]
  /** 0 when unset (one group) */
  shamirThreshold: number
  lastModified: string
  mac: string
  version: string
  rules: CryptRules
}

const ruleKeys: Record<keyof CryptRules & string, string> = {
  unencryptedSuffix: "unencrypted_suffix",
  encryptedSuffix: "encrypted_suffix",
  unencryptedRegex: "unencrypted_regex",
  encryptedRegex: "encrypted_regex",
  unencryptedCommentRegex: "unencrypted_comment_regex",
  encryptedCommentRegex: "encrypted_comment_regex",
  macOnlyEncrypted: "mac_only_encrypted",
}

/** A tree value as plain JS: maps → objects (last duplicate wins), lists → arrays, scalars as they are. */
export function toPlain(value: TreeValue): unknown {
  if (isMap(value)) {
    const out: Record<string, unknown> = {}
    for (const item of value.items) if (typeof item.key === "string") out[item.key] = toPlain(item.value)
    return out
  }
  if (isList(value)) {
    return value.items.flatMap(item => (item.value instanceof Comment ? [] : [toPlain(item.value)]))
  }
  return value
}

/** Case-insensitive field lookup (mapstructure's default matching). */
function field(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name]
  const lower = name.toLowerCase()
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key]
  return undefined
}

/** Weakly typed string: numbers and bools become strings (an unquoted YAML `version: 3.5`). */
function weakString(value: unknown, name: string): string {
  if (value === undefined || value === null) return ""
  if (typeof value === "string") return value
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean") return String(value)
  if (value instanceof SopsTime) {
    throw new MetadataError(`error decoding '${name}': expected type 'string', got unconvertible type 'time.Time'`)
  }
  throw new MetadataError(`error decoding '${name}': expected type 'string'`)
}

function weakInt(value: unknown, name: string): number {
  if (value === undefined || value === null || value === "") return 0
  if (typeof value === "bigint") return Number(value)
  if (typeof value === "number" && Number.isInteger(value)) return value
  if (typeof value === "boolean") return value ? 1 : 0
  if (typeof value === "string" && /^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]*|0[bB][01]+|[1-9][0-9]*)$/.test(value)) {
    const negative = value.startsWith("-")
    const body = value.replace(/^[+-]/, "")
    const n = /^0[0-7]+$/.test(body) ? parseInt(body, 8) : Number(body.replace(/^0[oO]/, "0o"))
    return negative ? -n : n
  }
  throw new MetadataError(`error decoding '${name}': cannot parse '${name}' as int`)
}

function weakBool(value: unknown, name: string): boolean {
  if (value === undefined || value === null || value === "") return false
  if (typeof value === "boolean") return value
  if (typeof value === "bigint" || typeof value === "number") return Number(value) !== 0
  if (typeof value === "string") {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true
    if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false
  }
  throw new MetadataError(`error decoding '${name}': cannot parse '${name}' as bool`)
}

function entriesOf(group: Record<string, unknown>): StoredKey[] {
  const keys: StoredKey[] = []
  for (const type of keyListNames) {
    const list = field(group, type)
    if (list === undefined || list === null) continue
    if (!Array.isArray(list)) throw new MetadataError(`error decoding '${type}': source data must be an array or slice`)
    for (const entry of list) {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
        throw new MetadataError(`error decoding '${type}': expected a map`)
      }
      keys.push({ type, entry: entry as MetadataEntry })
    }
  }
  return keys
}

/**
 * Validates the raw `sops` entry of a file (spec §5.4). Throws MetadataError (`sops metadata not
 * found` when absent, which filestatus reports as not encrypted).
 */
export function parseMetadata(raw: TreeValue | undefined): Metadata {
  if (raw === undefined) throw new MetadataError("sops metadata not found")
  if (!isMap(raw)) throw new MetadataError("Found sops entry that is not a mapping")
  const object = toPlain(raw) as Record<string, unknown>
  const rules: CryptRules = {}
  for (const [name, key] of Object.entries(ruleKeys) as [keyof CryptRules, string][]) {
    const value = field(object, key)
    if (name === "macOnlyEncrypted") rules.macOnlyEncrypted = weakBool(value, key)
    else {
      const text = weakString(value, key)
      if (text !== "") rules[name] = text
    }
  }
  if (countRules(rules) > 1) throw new MetadataError(`${conflictMessage.replace(/^c/, "C")} in the same file`)
  if (countRules(rules) === 0) rules.unencryptedSuffix = defaultUnencryptedSuffix

  let keyGroups: StoredKey[][]
  const topLevel = entriesOf(object)
  if (topLevel.length > 0) keyGroups = [topLevel]
  else {
    const groups = field(object, "key_groups")
    keyGroups = Array.isArray(groups)
      ? groups.map(group => {
          if (typeof group !== "object" || group === null) throw new MetadataError("error decoding 'key_groups': expected a map")
          return entriesOf(group as Record<string, unknown>)
        })
      : []
    if (keyGroups.every(group => group.length === 0)) throw new MetadataError("No keys found in file")
  }
  const lastModified = weakString(field(object, "lastmodified"), "lastmodified")
  checkRfc3339(lastModified)
  for (const group of keyGroups) {
    for (const { type, entry } of group) {
      if (type !== "age") checkRfc3339(weakString(field(entry, "created_at"), "created_at"))
    }
  }
  return {
    keyGroups,
    shamirThreshold: weakInt(field(object, "shamir_threshold"), "shamir_threshold"),
    lastModified,
    mac: weakString(field(object, "mac"), "mac"),
    version: weakString(field(object, "version"), "version"),
    rules,
  }
}

function checkRfc3339(text: string): void {
  if (!/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(text)) {
    throw new MetadataError(`parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(text)} as "2006"`)
  }
}

/**
 * sops compares `version` with 3.3.0 on every decrypt (the KMS context bug check), so a version
 * that is not semver makes real sops fail; we refuse such files the same way (spec §5.4).
 */
export function checkVersion(version: string): void {
  if (version.startsWith("1.")) return
  if (version === "") throw new TsopsError("Version string empty")
  if (!/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/.test(version)) {
    throw new TsopsError(`Invalid version ${JSON.stringify(version)} in sops metadata: not semver`)
  }
}

/** A plain value as a tree, maps with their keys sorted (sops 3.13 sorts at every level, spec §5.2). */
function toTree(value: unknown): TreeValue {
  if (Array.isArray(value)) return newList(value.map(v => ({ value: toTree(v) })))
  if (typeof value === "object" && value !== null && !(value instanceof SopsTime) && !(value instanceof Uint8Array)) {
    const keys = Object.keys(value).sort(byteOrder)
    return newMap(keys.map(k => ({ key: k, value: toTree((value as Record<string, unknown>)[k]) })))
  }
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value)
  return value as TreeValue
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The metadata block as sops 3.13 writes it (spec §5.2): alphabetical, omitting empty fields. */
export function metadataToTree(metadata: Metadata): TreeMap {
  const out: Record<string, unknown> = {}
  const groupObject = (group: StoredKey[], always: readonly string[]): Record<string, unknown> => {
    const lists: Record<string, MetadataEntry[]> = {}
    for (const name of always) lists[name] = []
    for (const { type, entry } of group) (lists[type] ??= []).push(entry)
    return lists
  }
  if (metadata.keyGroups.length === 1) Object.assign(out, groupObject(metadata.keyGroups[0]!, []))
  else out.key_groups = metadata.keyGroups.map(group => groupObject(group, ["age", "hc_vault"]))
  for (const [name, key] of Object.entries(ruleKeys) as [keyof CryptRules, string][]) {
    const value = metadata.rules[name]
    if (value) out[key] = value
  }
  out.lastmodified = metadata.lastModified
  out.mac = metadata.mac
  if (metadata.shamirThreshold > 0) out.shamir_threshold = metadata.shamirThreshold
  out.version = metadata.version
  return toTree(out) as TreeMap
}


/**
 * The file's own metadata block with only `lastmodified`, `mac` and `version` replaced, so a
 * re-encrypted file keeps its metadata order and bytes (minimal git diffs). Without a block to
 * update, the block is written afresh in sops 3.13's layout.
 */
export function updateMetadataFields(raw: TreeMap | undefined, metadata: Metadata): TreeMap {
  if (!raw) return metadataToTree(metadata)
  const values: Record<string, string> = { lastmodified: metadata.lastModified, mac: metadata.mac, version: metadata.version }
  const items = raw.items.map(item => {
    if (typeof item.key !== "string") return item
    const name = item.key.toLowerCase()
    return name in values ? { ...item, value: values[name]! } : item
  })
  for (const name of Object.keys(values)) {
    if (!items.some(item => typeof item.key === "string" && item.key.toLowerCase() === name)) {
      items.push({ key: name, value: values[name]! })
    }
  }
  return { ...raw, items }
}
