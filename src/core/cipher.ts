// AES-256-GCM value encryption with sops's 32-byte IVs, path AAD and the ENC[...] grammar (spec §2.1–2.4).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto"
import { DecryptionError } from "./errors.js"
import type { ValueType } from "./scalar.js"

const ENC_PATTERN = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/s
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export interface EncryptedValue {
  ciphertext: Buffer
  iv: Buffer
  tag: Buffer
  type: string
}

/** Whether a string is an ENC[...] value (sops's regex: unanchored at the end). */
export const isEncrypted = (value: string): boolean => value.startsWith("ENC[AES256_GCM,") && ENC_PATTERN.test(value)

export function parseEncrypted(value: string): EncryptedValue {
  // RE2 groups are greedy like JS's; `s` lets a trailing newline from a block-scalar carrier pass.
  const m = ENC_PATTERN.exec(value)
  if (!m) throw new DecryptionError("Error decrypting tree: Input string does not match sops' data format")
  // Strict: a non-canonical encoding (changed padding bits) is refused, so that every changed
  // byte of an ENC string fails — Go's decoder would ignore such a change.
  const decode = (text: string, what: string): Buffer => {
    const bytes = BASE64.test(text) && text.length % 4 === 0 ? Buffer.from(text, "base64") : undefined
    if (!bytes || bytes.toString("base64") !== text) {
      throw new DecryptionError(`Error decrypting tree: Error base64-decoding ${what}: illegal base64 data`)
    }
    return bytes
  }
  return { ciphertext: decode(m[1]!, "data"), iv: decode(m[2]!, "iv"), tag: decode(m[3]!, "tag"), type: m[4]! }
}

export function formatEncrypted(ciphertext: Uint8Array, iv: Uint8Array, tag: Uint8Array, type: ValueType): string {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")
  return `ENC[AES256_GCM,data:${b64(ciphertext)},iv:${b64(iv)},tag:${b64(tag)},type:${type}]`
}

/** Supplies IVs: random by default; tests and known-answer checks inject their own. */
export type IvSource = (plaintext: Uint8Array, aad: string) => Uint8Array

export const randomIv: IvSource = () => randomBytes(32)

/**
 * Encrypts and decrypts values under one data key. Remembers the IV of every (plaintext, AAD)
 * it decrypted so re-encrypting an unchanged value yields the identical ENC string (spec §2.4).
 */
export class Cipher {
  readonly #dataKey: Buffer
  readonly #ivSource: IvSource
  readonly #stash = new Map<string, Buffer>()

  constructor(dataKey: Uint8Array, ivSource: IvSource = randomIv, stash?: Cipher) {
    if (dataKey.length !== 32) throw new DecryptionError("data key must be 32 bytes")
    this.#dataKey = Buffer.from(dataKey)
    this.#ivSource = ivSource
    if (stash) for (const [k, v] of stash.#stash) this.#stash.set(k, v)
  }

  encrypt(plaintext: Uint8Array, aad: string, type: ValueType): string {
    const stashKey = stashKeyOf(plaintext, aad)
    const iv = this.#stash.get(stashKey) ?? Buffer.from(this.#ivSource(plaintext, aad))
    const cipher = createCipheriv("aes-256-gcm", this.#dataKey, iv)
    cipher.setAAD(Buffer.from(aad, "utf8"))
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return formatEncrypted(ciphertext, iv, cipher.getAuthTag(), type)
  }

  /** Returns the plaintext and the stored type; throws DecryptionError when it does not authenticate. */
  decrypt(value: string, aad: string): { plaintext: Buffer; type: string } {
    const parsed = parseEncrypted(value)
    let plaintext: Buffer
    if (parsed.tag.length !== 16) throw new DecryptionError("Could not decrypt with AES_GCM: cipher: message authentication failed")
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#dataKey, parsed.iv)
      decipher.setAAD(Buffer.from(aad, "utf8"))
      decipher.setAuthTag(parsed.tag)
      plaintext = Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()])
    } catch (cause) {
      throw new DecryptionError("Could not decrypt with AES_GCM: cipher: message authentication failed", { cause })
    }
    if (parsed.iv.length === 32) this.#stash.set(stashKeyOf(plaintext, aad), parsed.iv)
    return { plaintext, type: parsed.type }
  }
}

// Short values are their own key; long ones (a 32 MiB binary file) are hashed so the stash stays small.
function stashKeyOf(plaintext: Uint8Array, aad: string): string {
  const body = plaintext.length <= 256
    ? Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).toString("base64")
    : createHash("sha256").update(plaintext).digest("base64")
  return `${aad}\u0000${plaintext.length}\u0000${body}`
}
