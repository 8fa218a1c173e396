// Every master-key type, by its metadata list name. A new type is one module exporting `keyType`
// plus one line here; types without a module yet are kept opaque (kms/opaque.ts).
import type { KeySource, KeyType, MetadataEntry } from "../src/core/key-source.js"
import type { StoredKey } from "../src/core/metadata.js"
import { opaqueFromEntry } from "./opaque.js"

export interface KeyTypeEntry {
  /** the CLI flag (`--age`, `--add-age`, `--rm-age`) */
  readonly flag: string
  readonly short?: string
  /** the environment variable sops reads recipients from */
  readonly env: string
  readonly description: string
  readonly load: () => Promise<{ keyType: KeyType }>
}

export const keyTypes = {
  age: { flag: "age", short: "a", env: "SOPS_AGE_RECIPIENTS", description: "comma separated list of age recipients", load: () => import("./age.js") },
  pgp: { flag: "pgp", short: "p", env: "SOPS_PGP_FP", description: "comma separated list of PGP fingerprints", load: () => import("./pgp.js") },
} as const satisfies Record<string, KeyTypeEntry>

export type KeyTypeName = keyof typeof keyTypes

export const keyTypeNames = Object.keys(keyTypes) as KeyTypeName[]

const isKnown = (type: string): type is KeyTypeName => Object.hasOwn(keyTypes, type)

export async function loadKeyType(type: KeyTypeName): Promise<KeyType> {
  return (await keyTypes[type].load()).keyType
}

/** A stored key as a usable KeySource (opaque when tsops has no module for its type). */
export async function keyFromStored(stored: StoredKey): Promise<{ key: KeySource; enc: string }> {
  if (!isKnown(stored.type)) return opaqueFromEntry(stored.type, stored.entry)
  return (await loadKeyType(stored.type)).fromEntry(stored.entry as MetadataEntry)
}

/** Keys from a comma-separated list of one type (a flag, an env var, a .sops.yaml string). */
export async function keysFromList(type: KeyTypeName, list: string): Promise<KeySource[]> {
  return (await loadKeyType(type)).fromList(list)
}
