// Master keys of types tsops cannot use yet (AWS/GCP KMS, Azure Key Vault, Vault, HuaweiCloud KMS):
// their metadata entries are kept and written back unchanged; decryption uses another key of the file.
import { KeySourceError } from "../src/core/errors.js"
import type { KeySource, MetadataEntry } from "../src/core/key-source.js"

const text = (entry: MetadataEntry, name: string): string => {
  const value = Object.entries(entry).find(([k]) => k.toLowerCase() === name)?.[1]
  return value === undefined || value === null ? "" : String(value)
}

/** sops's identity string per key type (spec §6), so messages and --rm-* name keys the sops way. */
function identityOf(type: string, entry: MetadataEntry): string {
  switch (type) {
    case "kms": {
      const context = Object.entries(entry).find(([k]) => k.toLowerCase() === "context")?.[1]
      const pairs = context && typeof context === "object"
        ? Object.entries(context as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}:${String(v)}`)
        : []
      const role = text(entry, "role")
      const profile = text(entry, "aws_profile")
      let id = text(entry, "arn") + (role ? `+${role}` : "")
      if (pairs.length > 0 || profile) id += `|${pairs.join(",")}`
      if (profile) id += `|${profile}`
      return id
    }
    case "gcp_kms":
      return text(entry, "resource_id")
    case "azure_kv":
      return `${text(entry, "vault_url")}/keys/${text(entry, "name")}/${text(entry, "version")}`
    case "hc_vault":
      return `${text(entry, "vault_address")}/v1/${text(entry, "engine_path")}/keys/${text(entry, "key_name")}`
    case "hckms":
      return text(entry, "key_id")
    default:
      return `${type} key`
  }
}

export class OpaqueKeySource implements KeySource {
  readonly type: string
  readonly id: string
  readonly #entry: MetadataEntry

  constructor(type: string, entry: MetadataEntry) {
    this.type = type
    this.#entry = entry
    this.id = identityOf(type, entry)
  }

  async wrap(): Promise<string> {
    throw new KeySourceError(this.id, `tsops cannot use ${this.type} keys yet`)
  }

  async unwrap(): Promise<Uint8Array | null> {
    throw new KeySourceError(this.id, `tsops cannot use ${this.type} keys yet; decrypt with another key of the file`)
  }

  /** The entry as it was read: re-wrapping is impossible, so `enc` is never replaced. */
  toEntry(): MetadataEntry {
    return this.#entry
  }
}

export function opaqueFromEntry(type: string, entry: MetadataEntry): { key: KeySource; enc: string } {
  return { key: new OpaqueKeySource(type, entry), enc: text(entry, "enc") }
}
