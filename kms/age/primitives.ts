// age's symmetric primitives (C2SP age spec, "Conventions"): HKDF-SHA-256, HMAC-SHA-256 and ChaCha20-Poly1305, from
// node:crypto so that the common X25519 path never loads the noble hash and cipher code.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, timingSafeEqual } from "node:crypto"

const tagLength = 16

/** HKDF-SHA-256 (RFC 5869) with a text label as the info. */
export function hkdfSha256(secret: Uint8Array, salt: Uint8Array, info: string, length = 32): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secret, salt, info, length))
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac("sha256", key).update(data).digest())
}

/** Constant-time comparison; false for different lengths (a MAC line may decode to any length). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** ChaCha20-Poly1305 (RFC 8439) with no associated data: ciphertext followed by the 16-byte tag. */
export function seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv("chacha20-poly1305", key, nonce, { authTagLength: tagLength })
  const out = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
  return new Uint8Array(out.buffer, out.byteOffset, out.length)
}

/** The plaintext of `sealed`, or null when it is shorter than a tag or fails authentication. */
export function open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < tagLength) return null
  const decipher = createDecipheriv("chacha20-poly1305", key, nonce, { authTagLength: tagLength })
  decipher.setAuthTag(sealed.subarray(sealed.length - tagLength))
  const plaintext = decipher.update(sealed.subarray(0, sealed.length - tagLength))
  try {
    decipher.final()
  } catch {
    return null
  }
  return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.length)
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
