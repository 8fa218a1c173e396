// AES-256-GCM value encryption with sops's 32-byte IVs, path AAD and the ENC[...] grammar (spec §2.1–2.4).
import { createCipheriv, createDecipheriv, randomBytes, type DecipherGCM } from "node:crypto"
import { decodeBase64Chunks, EncryptedBytes, encryptedBytesOffsets, largeValue, latin1Of, writeEncryptedBytes } from "./encrypted-bytes.js"
import { DecryptionError } from "./errors.js"
import type { ValueType } from "./scalar.js"

export interface EncryptedValue {
  ciphertext: Buffer
  iv: Buffer
  tag: Buffer
  type: string
}

const prefix = "ENC[AES256_GCM,data:"

/**
 * Where the groups of sops's `^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]` (RE2, `s`
 * flag, unanchored at the end) end: the offsets of `,iv:`, `,tag:`, `,type:` and `]`, or undefined.
 * Greedy groups take the last separator that still leaves the later groups a character each, so
 * each one is the last occurrence before the next — found with lastIndexOf, not a backtracking scan
 * (a 32 MiB binary file is one 43 MiB value).
 */
function encOffsets(value: string): [iv: number, tag: number, type: number, close: number] | undefined {
  if (!value.startsWith(prefix)) return undefined
  const close = value.lastIndexOf("]")
  const type = close - 7 < 0 ? -1 : value.lastIndexOf(",type:", close - 7)
  const tag = type - 6 < 0 ? -1 : value.lastIndexOf(",tag:", type - 6)
  const iv = tag - 5 < 0 ? -1 : value.lastIndexOf(",iv:", tag - 5)
  return iv > prefix.length ? [iv, tag, type, close] : undefined
}

/** Whether a string is an ENC[...] value (sops's regex: unanchored at the end). */
export const isEncrypted = (value: string): boolean => encOffsets(value) !== undefined

// The standard alphabet's values; -1 for any other ASCII character.
const alphabet = /* @__PURE__ */ (() => {
  const table = new Int8Array(128).fill(-1)
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  for (let i = 0; i < 64; i++) table[chars.charCodeAt(i)] = i
  return table
})()

/**
 * Strict: only the padded standard alphabet, and a canonical encoding (zero padding bits), so that
 * every changed byte of an ENC string fails — Go's decoder would ignore a changed padding bit, and
 * Node's decoder skips characters it does not know. `known`: the caller found only ASCII and no
 * `-` or `_` (base64url) in the value; then any other foreign character or a misplaced `=` shows
 * as a decoded length short of what the length promises, and no character need be looked at here.
 */
function decodeBase64Strict(value: string, start: number, end: number, what: string, known = false): Buffer {
  const length = end - start
  let pad = 0
  if (length > 0 && value.charCodeAt(end - 1) === 0x3d) pad = value.charCodeAt(end - 2) === 0x3d ? 2 : 1
  let valid = length % 4 === 0
  for (let i = start; valid && !known && i < end - pad; i++) {
    const c = value.charCodeAt(i)
    if (c > 0x7f || alphabet[c]! < 0) valid = false
  }
  // the bits of the last character that a padded encoding leaves unused must be zero
  if (valid && pad > 0) {
    const last = value.charCodeAt(end - pad - 1)
    valid = last <= 0x7f && alphabet[last]! >= 0 && (alphabet[last]! & (pad === 1 ? 0x3 : 0xf)) === 0
  }
  const bytes = valid ? Buffer.from(start === 0 && end === value.length ? value : value.slice(start, end), "base64") : undefined
  if (!bytes || bytes.length !== (length / 4) * 3 - pad) {
    throw new DecryptionError(`Error decrypting tree: Error base64-decoding ${what}: illegal base64 data`)
  }
  return bytes
}

export function parseEncrypted(value: string): EncryptedValue {
  const at = encOffsets(value)
  if (!at) throw new DecryptionError("Error decrypting tree: Input string does not match sops' data format")
  const [iv, tag, type, close] = at
  const known = Buffer.byteLength(value, "utf8") === value.length && !foreignBefore(value, "-", type) && !foreignBefore(value, "_", type)
  return {
    ciphertext: decodeBase64Strict(value, prefix.length, iv, "data", known),
    iv: decodeBase64Strict(value, iv + 4, tag, "iv", known),
    tag: decodeBase64Strict(value, tag + 5, type, "tag", known),
    type: typeName(value, type + 6, close),
  }
}

const typeNames = ["str", "int", "float", "bool", "time", "comment", "bytes"]

/** value.slice(start, end), without a new string for the usual type names. */
function typeName(value: string, start: number, end: number): string {
  for (const name of typeNames) if (end - start === name.length && value.startsWith(name, start)) return name
  return value.slice(start, end)
}

/** Whether `char` occurs in the groups (after the prefix, before `,type:`). */
function foreignBefore(value: string, char: string, end: number): boolean {
  const at = value.indexOf(char, prefix.length)
  return at >= 0 && at < end
}

export function formatEncrypted(ciphertext: Uint8Array, iv: Uint8Array, tag: Uint8Array, type: ValueType): string {
  const b64 = (bytes: Uint8Array) =>
    (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString("base64")
  // one flat string (a template literal builds a tree of partial strings that lives with the value)
  return [prefix, b64(ciphertext), ",iv:", b64(iv), ",tag:", b64(tag), ",type:", type, "]"].join("")
}

/** Supplies IVs: random by default; tests and known-answer checks inject their own. */
export type IvSource = (plaintext: Uint8Array, aad: string) => Uint8Array

// One randomBytes call per 256 IVs: a call per value costs more than the encryption of a short value.
// Every IV is a fresh slice of the pool, never handed out twice.
let ivPool: Buffer | undefined
let ivPoolOffset = 0

export const randomIv: IvSource = () => {
  if (ivPool === undefined || ivPoolOffset === ivPool.length) {
    ivPool = randomBytes(32 * 256)
    ivPoolOffset = 0
  }
  ivPoolOffset += 32
  return ivPool.subarray(ivPoolOffset - 32, ivPoolOffset)
}

// Values up to this size are remembered by their bytes; longer ones by their GCM tag (see #stashLong).
const shortValue = 256

interface LongEntry {
  iv: Buffer
  tag: Buffer
  key: Buffer
}

/** The GCM tag of a plaintext under a key and IV, its ciphertext discarded a chunk at a time. */
function gcmTag(key: Buffer, plaintext: Uint8Array, aad: string, iv: Buffer): Buffer {
  const cipher = createCipheriv("aes-256-gcm", key, iv)
  cipher.setAAD(Buffer.from(aad, "utf8"))
  for (let at = 0; at < plaintext.length; at += 1 << 20) cipher.update(plaintext.subarray(at, at + (1 << 20)))
  cipher.final()
  return cipher.getAuthTag()
}

/**
 * Encrypts and decrypts values under one data key. Remembers the IV of every (plaintext, AAD)
 * it decrypted so re-encrypting an unchanged value yields the identical ENC string (spec §2.4).
 */
export class Cipher {
  readonly #dataKey: Buffer
  readonly #ivSource: IvSource
  readonly #stash = new Map<string, Buffer>()
  /**
   * Long values (a 32 MiB binary file) are not hashed on decryption: their IV and tag (and the data
   * key that made them) are kept per (AAD, length), and a plaintext that gives that tag under that
   * key and IV is the one decrypted. A trial ciphertext of another plaintext is discarded, never
   * written. (rotate reuses the IVs under its new key, as sops does.)
   */
  readonly #stashLong = new Map<string, LongEntry[]>()

  readonly #remembers: boolean

  /** `remember: false` for a cipher that only decrypts for output: no IVs are kept for re-encryption. */
  constructor(dataKey: Uint8Array, ivSource: IvSource = randomIv, stash?: Cipher, options: { remember?: boolean } = {}) {
    if (dataKey.length !== 32) throw new DecryptionError("data key must be 32 bytes")
    this.#dataKey = Buffer.from(dataKey)
    this.#ivSource = ivSource
    this.#remembers = options.remember ?? true
    if (stash) {
      for (const [k, v] of stash.#stash) this.#stash.set(k, v)
      for (const [k, v] of stash.#stashLong) this.#stashLong.set(k, [...v])
    }
  }

  encrypt(plaintext: Uint8Array, aad: string, type: ValueType): string {
    if (plaintext.length > shortValue) {
      for (const entry of this.#longCandidates(plaintext, aad)) {
        if (!this.#dataKey.equals(entry.key) && !gcmTag(entry.key, plaintext, aad, entry.iv).equals(entry.tag)) continue
        const trial = this.#seal(plaintext, aad, entry.iv)
        if (!this.#dataKey.equals(entry.key) || trial.tag.equals(entry.tag)) return formatEncrypted(trial.ciphertext, entry.iv, trial.tag, type)
      }
    }
    const stashed = plaintext.length > shortValue || this.#stash.size === 0 ? undefined : this.#stash.get(stashKey(plaintext, aad))
    const iv = stashed ?? this.#freshIv(plaintext, aad)
    const { ciphertext, tag } = this.#seal(plaintext, aad, iv)
    return formatEncrypted(ciphertext, iv, tag, type)
  }

  /**
   * encrypt() for a tree leaf: a plaintext of `largeValue` bytes or more becomes EncryptedBytes, its
   * ciphertext encoded a chunk at a time. A subclass that overrides encrypt() (replace's
   * OccurrenceCipher chooses its own IVs) gets every value through it, as a string.
   */
  encryptValue(plaintext: Uint8Array, aad: string, type: ValueType): string | EncryptedBytes {
    if (plaintext.length < largeValue || this.encrypt !== Cipher.prototype.encrypt) return this.encrypt(plaintext, aad, type)
    for (const entry of this.#longCandidates(plaintext, aad)) {
      if (!this.#dataKey.equals(entry.key) && !gcmTag(entry.key, plaintext, aad, entry.iv).equals(entry.tag)) continue
      const trial = this.#sealLarge(plaintext, aad, entry.iv, type)
      if (!this.#dataKey.equals(entry.key) || trial.tag.equals(entry.tag)) return trial.bytes
    }
    return this.#sealLarge(plaintext, aad, this.#freshIv(plaintext, aad), type).bytes
  }

  /** IVs (with their tags and keys) under which this plaintext may have been decrypted, the latest first. */
  #longCandidates(plaintext: Uint8Array, aad: string): LongEntry[] {
    return [...(this.#stashLong.get(longStashKey(plaintext.length, aad)) ?? [])].reverse()
  }

  // randomIv hands out fresh buffers; an injected source's array is copied so it cannot change later
  #freshIv(plaintext: Uint8Array, aad: string): Buffer {
    return this.#ivSource === randomIv ? (randomIv(plaintext, aad) as Buffer) : Buffer.from(this.#ivSource(plaintext, aad))
  }

  #sealLarge(plaintext: Uint8Array, aad: string, iv: Buffer, type: ValueType): { bytes: EncryptedBytes; tag: Buffer } {
    const cipher = createCipheriv("aes-256-gcm", this.#dataKey, iv)
    cipher.setAAD(Buffer.from(aad, "utf8"))
    const ivText = iv.toString("base64")
    let tag = Buffer.alloc(0)
    const tailLength = `,iv:${ivText},tag:,type:${type}]`.length + 24
    const bytes = writeEncryptedBytes(plaintext, prefix, chunk => cipher.update(chunk), tailLength, () => {
      cipher.final()
      tag = cipher.getAuthTag()
      return `,iv:${ivText},tag:${tag.toString("base64")},type:${type}]`
    })
    return { bytes, tag }
  }

  #seal(plaintext: Uint8Array, aad: string, iv: Buffer): { ciphertext: Buffer; tag: Buffer } {
    const cipher = createCipheriv("aes-256-gcm", this.#dataKey, iv)
    cipher.setAAD(Buffer.from(aad, "utf8"))
    const ciphertext = joined(cipher.update(plaintext), cipher.final())
    return { ciphertext, tag: cipher.getAuthTag() }
  }

  /** Returns the plaintext and the stored type; throws DecryptionError when it does not authenticate. */
  decrypt(value: string, aad: string): { plaintext: Buffer; type: string } {
    const parsed = parseEncrypted(value)
    let plaintext: Buffer
    if (parsed.tag.length !== 16) throw authenticationFailure()
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#dataKey, parsed.iv)
      decipher.setAAD(Buffer.from(aad, "utf8"))
      decipher.setAuthTag(parsed.tag)
      plaintext = joined(decipher.update(parsed.ciphertext), decipher.final())
    } catch (cause) {
      throw authenticationFailure(cause)
    }
    if (this.#remembers && parsed.iv.length === 32) this.#remember(plaintext, aad, parsed.iv, parsed.tag)
    return { plaintext, type: parsed.type }
  }

  /**
   * decrypt() for a tree leaf: EncryptedBytes are decrypted from their bytes, a chunk at a time, into
   * one plaintext buffer. A subclass that overrides decrypt() gets them as a string.
   */
  decryptValue(value: string | EncryptedBytes, aad: string): { plaintext: Buffer; type: string } {
    if (typeof value === "string") return this.decrypt(value, aad)
    if (this.decrypt !== Cipher.prototype.decrypt) return this.decrypt(latin1Of(value, 0, value.length), aad)
    const at = encryptedBytesOffsets(value, prefix)
    if (!at) throw new DecryptionError("Error decrypting tree: Input string does not match sops' data format")
    const [ivAt, tagAt, typeAt, close] = at
    const ivText = latin1Of(value, ivAt + 4, tagAt)
    const tagText = latin1Of(value, tagAt + 5, typeAt)
    // decrypt()'s order of errors: data, iv, tag, tag length, authentication. The data is checked as
    // it is decrypted, so an earlier error waits until the data is known to be good.
    const dataIsGood = () => decodeBase64Chunks(value, prefix.length, ivAt, () => undefined)
    const dataError = () => new DecryptionError("Error decrypting tree: Error base64-decoding data: illegal base64 data")
    let decipher: DecipherGCM
    let iv: Buffer
    let tag: Buffer
    try {
      iv = decodeBase64Strict(ivText, 0, ivText.length, "iv")
      tag = decodeBase64Strict(tagText, 0, tagText.length, "tag")
      if (tag.length !== 16) throw authenticationFailure()
      try {
        decipher = createDecipheriv("aes-256-gcm", this.#dataKey, iv)
        decipher.setAAD(Buffer.from(aad, "utf8"))
        decipher.setAuthTag(tag)
      } catch (cause) {
        throw authenticationFailure(cause)
      }
    } catch (error) {
      throw dataIsGood() ? error : dataError()
    }
    const dataChars = ivAt - prefix.length
    if (dataChars % 4 !== 0) throw dataError()
    const pad = value[ivAt - 1] !== 0x3d ? 0 : value[ivAt - 2] === 0x3d ? 2 : 1
    const plaintext = Buffer.allocUnsafe((dataChars / 4) * 3 - pad)
    let written = 0
    const good = decodeBase64Chunks(value, prefix.length, ivAt, chunk => {
      written += copyInto(plaintext, decipher.update(chunk), written)
    })
    if (!good) throw dataError()
    try {
      decipher.final()
    } catch (cause) {
      throw authenticationFailure(cause)
    }
    if (this.#remembers && iv.length === 32) this.#remember(plaintext, aad, iv, tag)
    return { plaintext, type: latin1Of(value, typeAt + 6, close) }
  }

  #remember(plaintext: Buffer, aad: string, iv: Buffer, tag: Buffer): void {
    if (plaintext.length <= shortValue) {
      this.#stash.set(stashKey(plaintext, aad), iv)
      return
    }
    const key = longStashKey(plaintext.length, aad)
    const entries = this.#stashLong.get(key)
    const entry = { iv, tag, key: this.#dataKey }
    if (entries === undefined) this.#stashLong.set(key, [entry])
    else if (!entries.some(other => other.tag.equals(tag))) entries.push(entry)
  }
}

const authenticationFailure = (cause?: unknown) =>
  new DecryptionError("Could not decrypt with AES_GCM: cipher: message authentication failed", cause === undefined ? undefined : { cause })

function copyInto(target: Buffer, chunk: Buffer, at: number): number {
  target.set(chunk, at)
  return chunk.length
}

/** GCM's final() adds nothing; avoid copying the output when it is empty. */
const joined = (head: Buffer, tail: Buffer): Buffer => (tail.length === 0 ? head : Buffer.concat([head, tail]))

// The AAD's length first, so that the key splits back into AAD and plaintext in one way only;
// latin1 maps every byte to one character.
function stashKey(plaintext: Uint8Array, aad: string): string {
  const bytes = Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength)
  return `${aad.length}:${aad}${bytes.toString("latin1")}`
}

const longStashKey = (length: number, aad: string): string => `${length}:${aad}`
