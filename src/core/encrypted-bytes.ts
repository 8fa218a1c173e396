// ENC[...] values of a megabyte or more held as their ASCII bytes (spec §2.2, §9.5): a 32 MiB binary
// file is one 43 MiB value, and as bytes it is never copied into a JS string, nor decoded whole.
import { Buffer } from "node:buffer"

/**
 * An ENC[...] value as the bytes of its text (printable ASCII, so its bytes are its characters).
 * It is a tree leaf in place of the string it spells: the binary store reads a large `data` member
 * as one, and Cipher.encryptValue gives one for a large plaintext. Stores write it as that string.
 */
export class EncryptedBytes extends Uint8Array {}

/** From this many bytes of plaintext or of ENC text on, values are EncryptedBytes. */
export const largeValue = 1 << 20

// Base64 is decoded and encoded 64 KiB at a time (multiples of 4 characters, 3 bytes): such strings
// are ordinary young objects on V8's heap, cheap to make and freed by the next scavenge. Large ones
// cost a fresh mapping each, and above Node's external-string size (about 1 MB) they live outside
// the heap until a full collection.
const chunkChars = 64 << 10
const chunkBytes = (chunkChars / 4) * 3

const view = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/**
 * Offsets of `,iv:`, `,tag:`, `,type:` and `]` where cipher.ts's split of the same string puts
 * them (each separator the last one that leaves the later groups a character), or undefined.
 */
export function encryptedBytesOffsets(bytes: Uint8Array, prefix: string): [number, number, number, number] | undefined {
  const text = view(bytes)
  if (text.length < prefix.length || text.toString("latin1", 0, prefix.length) !== prefix) return undefined
  const close = text.lastIndexOf(0x5d)
  // Buffer.lastIndexOf counts a negative offset from the end: guard before each search
  const type = close - 7 < 0 ? -1 : text.lastIndexOf(",type:", close - 7, "latin1")
  const tag = type - 6 < 0 ? -1 : text.lastIndexOf(",tag:", type - 6, "latin1")
  const iv = tag - 5 < 0 ? -1 : text.lastIndexOf(",iv:", tag - 5, "latin1")
  return iv > prefix.length ? [iv, tag, type, close] : undefined
}

export const latin1Of = (bytes: Uint8Array, start: number, end: number): string => view(bytes).toString("latin1", start, end)

/**
 * Decodes bytes[start, end) as strict base64 (padded standard alphabet, zero padding bits) and
 * hands each decoded chunk to `sink` in order (a scratch buffer, valid during the call); false,
 * after some chunks perhaps, when it is not.
 * Node's decoder skips characters it does not know and stops at `=`: a strict chunk is one whose
 * decoded length is exactly what its length promises, and which holds no `-` or `_` (base64url).
 */
export function decodeBase64Chunks(bytes: Uint8Array, start: number, end: number, sink: (chunk: Buffer) => void): boolean {
  const text = view(bytes)
  const length = end - start
  if (length % 4 !== 0) return false
  let pad = 0
  if (length > 0 && text[end - 1] === 0x3d) pad = text[end - 2] === 0x3d ? 2 : 1
  for (const foreign of [0x2d, 0x5f]) {
    const at = text.indexOf(foreign, start)
    if (at >= 0 && at < end) return false
  }
  if (pad > 0) {
    const last = base64Value(text[end - pad - 1]!)
    if (last < 0 || (last & (pad === 1 ? 0x3 : 0xf)) !== 0) return false
  }
  const scratch = Buffer.allocUnsafe(Math.min(chunkChars, length) / 4 * 3)
  for (let at = start; at < end; at += chunkChars) {
    const stop = Math.min(end, at + chunkChars)
    const decoded = scratch.write(text.toString("latin1", at, stop), 0, "base64")
    if (decoded !== ((stop - at) / 4) * 3 - (stop === end ? pad : 0)) return false
    sink(scratch.subarray(0, decoded))
  }
  return true
}

function base64Value(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52
  return c === 0x2b ? 62 : c === 0x2f ? 63 : -1
}

// Spare bytes around the ENC text written below, so that a store can write its file around the
// value in place (the binary envelope) instead of copying 43 MB into a new buffer.
const room = 64 << 10
const unclaimed = new WeakSet<EncryptedBytes>()

/**
 * One buffer of `before` bytes, the value, and `after` bytes, all in the value's own allocation, for
 * the caller to fill in: only for a value written by writeEncryptedBytes, only once, and only when
 * its room suffices. Undefined otherwise (then copy).
 */
export function withRoom(bytes: EncryptedBytes, before: number, after: number): Buffer | undefined {
  const end = bytes.byteOffset + bytes.length
  if (!unclaimed.has(bytes) || before > bytes.byteOffset || end + after > bytes.buffer.byteLength) return undefined
  unclaimed.delete(bytes)
  return Buffer.from(bytes.buffer, bytes.byteOffset - before, before + bytes.length + after)
}

/**
 * The ENC text `${head}<base64 of the ciphertext>${tail()}` written straight into one buffer:
 * `encrypt` turns plaintext chunks into ciphertext chunks, `tail` (at most `tailLength` characters)
 * is asked for after the last one.
 */
export function writeEncryptedBytes(plaintext: Uint8Array, head: string, encrypt: (chunk: Uint8Array) => Buffer,
  tailLength: number, tail: () => string): EncryptedBytes {
  const dataChars = Math.ceil(plaintext.length / 3) * 4
  const out = Buffer.from(new ArrayBuffer(room + head.length + dataChars + tailLength + room), room, head.length + dataChars + tailLength)
  let at = out.write(head, 0, "latin1")
  for (let from = 0; from < plaintext.length; from += chunkBytes) {
    const ciphertext = encrypt(plaintext.subarray(from, Math.min(plaintext.length, from + chunkBytes)))
    at += out.write(ciphertext.toString("base64"), at, "latin1")
  }
  const end = tail()
  if (end.length > out.length - at) throw new Error("internal error: ENC tail longer than announced")
  at += out.write(end, at, "latin1")
  const bytes = new EncryptedBytes(out.buffer as ArrayBuffer, out.byteOffset, at)
  unclaimed.add(bytes)
  return bytes
}
