// Re-encryption with the file's own data key (edit, set, unset, replace): values whose (plaintext,
// path) did not change keep their exact ciphertext (spec §2.4), only lastmodified, mac and an older
// version change in the metadata, and the metadata block keeps its order.
import { encryptTree } from "../core/encrypt-tree.js"
import { encryptMac, nowRfc3339 } from "../core/mac.js"
import { sopsVersion, updateMetadataFields, type Metadata } from "../core/metadata.js"
import type { Store } from "../core/store.js"
import { isMap, type TreeMap } from "../core/tree.js"
import type { OpenedFile } from "./load-encrypted.js"

export interface ReencryptOptions {
  /** Raise `version` to tsops's when older (sops does this on edit only). */
  upgradeVersion?: boolean
  now?: Date
}

/** Whether semver `a` is older than `b` (numeric major.minor.patch; pre-release ignored). */
export function isOlderVersion(a: string, b: string): boolean {
  const parse = (v: string) => v.split(/[-+]/)[0]!.split(".").map(n => Number(n) || 0)
  const [x, y] = [parse(a), parse(b)]
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0)
  return false
}

/**
 * Encrypts `branches` with the opened file's cipher and returns the file bytes, laid out like
 * `layout` (a parse of the same store), with the metadata block of the opened file updated in place.
 */
export function reencrypt(opened: OpenedFile, store: Store, branches: TreeMap[], layout: unknown, options: ReencryptOptions = {}): Uint8Array {
  const { metadata, cipher } = opened
  const mac = encryptTree(branches, cipher, metadata.rules)
  const lastModified = nowRfc3339(options.now)
  const version = options.upgradeVersion && isOlderVersion(metadata.version, sopsVersion) ? sopsVersion : metadata.version
  const updated: Metadata = { ...metadata, lastModified, mac: encryptMac(cipher, mac, lastModified), version }
  const raw = opened.parsed.metadata
  const metadataTree = updateMetadataFields(isMap(raw) ? raw : undefined, updated)
  return store.emit(branches, { metadata: metadataTree, ...(layout !== undefined ? { layout } : {}) })
}
