// Opens an encrypted file: parse, validate metadata, recover the data key, decrypt and check the MAC.
// decrypt, and later edit/set/rotate, start here.
import { Cipher } from "../core/cipher.js"
import { decryptTree } from "../core/decrypt-tree.js"
import { unwrapDataKey, parseDecryptionOrder } from "../core/key-groups.js"
import { verifyMac } from "../core/mac.js"
import { checkVersion, parseMetadata, type Metadata } from "../core/metadata.js"
import type { ParsedFile, Store } from "../core/store.js"
import { keyFromStored } from "../../kms/index.js"
import { envOf, keyContext, type CommonOptions } from "./options.js"

export interface OpenOptions extends CommonOptions {
  ignoreMac?: boolean
  /** Key types to try first, e.g. "pgp,age"; default SOPS_DECRYPTION_ORDER, else "age,pgp". */
  decryptionOrder?: string
}

export interface OpenedFile {
  parsed: ParsedFile
  metadata: Metadata
  dataKey: Uint8Array
  /** The cipher that decrypted the values; it remembers their IVs for diff-friendly re-encryption. */
  cipher: Cipher
}

/** Validated metadata of an encrypted file, without touching any key. */
export function readMetadata(parsed: ParsedFile): Metadata {
  const metadata = parseMetadata(parsed.metadata)
  checkVersion(metadata.version)
  return metadata
}

export async function recoverDataKey(metadata: Metadata, options: OpenOptions): Promise<Uint8Array> {
  const order = parseDecryptionOrder(options.decryptionOrder ?? envOf(options).SOPS_DECRYPTION_ORDER)
  const groups = await Promise.all(metadata.keyGroups.map(group => Promise.all(group.map(keyFromStored))))
  return unwrapDataKey(groups, metadata.shamirThreshold, order, keyContext(options))
}

/**
 * Parses, recovers the data key and decrypts the branches in place, checking the MAC unless told not to.
 * `forOutputOnly`: the values will not be re-encrypted, so the cipher need not remember their IVs.
 */
export async function openEncrypted(store: Store, input: Uint8Array, options: OpenOptions, forOutputOnly = false): Promise<OpenedFile> {
  const parsed = store.parse(input)
  const metadata = readMetadata(parsed)
  const dataKey = await recoverDataKey(metadata, options)
  const cipher = new Cipher(dataKey, undefined, undefined, { remember: !forOutputOnly })
  const mac = decryptTree(parsed.branches, cipher, metadata.rules, options.warn ? { warn: options.warn } : {})
  if (!options.ignoreMac) verifyMac(cipher, metadata.mac, metadata.lastModified, mac)
  return { parsed, metadata, dataKey, cipher }
}
