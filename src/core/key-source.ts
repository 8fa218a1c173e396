// The contract every master-key type implements (kms/ holds one module per type).

/** A metadata entry of one master key, with sops's field names (`recipient`, `enc`, `fp`, `created_at`…). */
export type MetadataEntry = Record<string, unknown>

/** Where a key source looks for identities, tools and credentials. Tests pass a plain object. */
export interface KeyContext {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Asks the user for a passphrase (age-encrypted identity files, SSH keys); absent: not interactive. */
  readonly askPassphrase?: (prompt: string) => Promise<string>
  /** Non-fatal diagnostics (unused key locations, skipped identities); never secrets. */
  readonly warn?: (message: string) => void
}

/** One master key: an age recipient, a PGP fingerprint, a KMS key… Immutable. */
export interface KeySource {
  /** The metadata list it lives in: "age", "pgp", "kms", "gcp_kms", "azure_kv", "hc_vault", "hckms". */
  readonly type: string
  /** What a person recognises in messages and `--rm-*` flags (spec §6 identity strings); never secret. */
  readonly id: string
  /** Wraps the data key (or Shamir share); returns the entry's `enc`. Throws KeySourceError. */
  wrap(dataKey: Uint8Array, context: KeyContext): Promise<string>
  /**
   * null: nothing here can unwrap it (no matching age identity, no PGP secret key). Throws a
   * KeySourceError only when it should have worked (corrupt `enc`, a tool failure).
   */
  unwrap(enc: string, context: KeyContext): Promise<Uint8Array | null>
  /** The whole metadata entry for this key with the given `enc`, fields in sops's (alphabetical) order. */
  toEntry(enc: string): MetadataEntry
}

/** What each kms/ module exports as `keyType`. */
export interface KeyType {
  readonly type: string
  /** A key and its `enc` from a metadata entry. Throws MetadataError for a malformed entry. */
  fromEntry(entry: MetadataEntry): { key: KeySource; enc: string }
  /** Keys from a comma-separated list (a flag, an env var, a .sops.yaml string). Throws TsopsError when one is invalid. */
  fromList(list: string): KeySource[]
}
