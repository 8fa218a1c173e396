// The MAC (spec §4): SHA-512 over the plaintexts in walk order, uppercase hex, stored encrypted
// with the normalised `lastmodified` as AAD.
import { createHash, type Hash } from "node:crypto"
import type { Cipher } from "./cipher.js"
import { MacMismatchError, MetadataError } from "./errors.js"

// SHA-256("sops"): the prefix of the stream when mac_only_encrypted is set (spec §4).
const macOnlyEncryptedPrefix = /* @__PURE__ */ Buffer.from(
  "8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69", "hex")

// Short plaintexts are collected and hashed a block at a time: one hash.update per value (10,000
// values in a large file) costs more than the hashing.
const batchSize = 64 * 1024

export class MacHasher {
  readonly #hash: Hash = createHash("sha512")
  #batch: Buffer | undefined
  #batched = 0
  constructor(macOnlyEncrypted = false) {
    if (macOnlyEncrypted) this.#hash.update(macOnlyEncryptedPrefix)
  }
  update(plaintext: Uint8Array): void {
    if (plaintext.length > batchSize / 4) {
      this.#flush()
      this.#hash.update(plaintext)
      return
    }
    if (this.#batched + plaintext.length > batchSize) this.#flush()
    this.#batch ??= Buffer.allocUnsafe(batchSize)
    this.#batch.set(plaintext, this.#batched)
    this.#batched += plaintext.length
  }
  #flush(): void {
    if (this.#batched === 0) return
    this.#hash.update(this.#batch!.subarray(0, this.#batched))
    this.#batched = 0
  }
  /** The MAC string: 128 uppercase hex characters. */
  digest(): string {
    this.#flush()
    return this.#hash.digest("hex").toUpperCase()
  }
}

/**
 * `lastmodified` as the MAC's AAD: parsed as RFC 3339 and re-formatted with Go's time.RFC3339
 * layout, so fractional seconds are dropped and a zero offset prints as `Z` (spec §4).
 */
export function normalizeLastModified(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|z|[+-]\d{2}:\d{2})$/.exec(text)
  if (!m) throw new MetadataError(`parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05Z07:00": cannot parse`)
  const zone = m[3]!.toUpperCase()
  return `${m[1]}T${m[2]}${zone === "+00:00" || zone === "-00:00" ? "Z" : zone}`
}

/** Now in UTC, seconds precision, as sops writes `lastmodified`. */
export const nowRfc3339 = (now: Date = new Date()): string => now.toISOString().replace(/\.\d{3}Z$/, "Z")

export function encryptMac(cipher: Cipher, mac: string, lastModified: string): string {
  return cipher.encrypt(Buffer.from(mac, "utf8"), lastModified, "str")
}

/** Throws MacMismatchError (exit 51) unless the stored MAC decrypts to the computed one. */
export function verifyMac(cipher: Cipher, storedMac: string, lastModified: string, computed: string): void {
  let stored = ""
  if (storedMac !== "") {
    try {
      const { plaintext, type } = cipher.decrypt(storedMac, normalizeLastModified(lastModified))
      // The type tag is not authenticated by GCM; sops parses it, so a mangled one fails there too.
      if (type !== "str" && type !== "bytes") throw new Error(`Unknown datatype: ${type}`)
      stored = plaintext.toString("utf8")
    } catch (error) {
      throw new MacMismatchError(`Cannot decrypt MAC: ${(error as Error).message}`)
    }
  }
  if (stored !== computed) {
    throw new MacMismatchError(
      stored === "" ? `MAC mismatch. File has no MAC, computed ${computed}` : `MAC mismatch. File has ${stored}, computed ${computed}`,
    )
  }
}
