// The age payload (C2SP age spec, "Payload"): a 16-byte nonce, then STREAM ChaCha20-Poly1305 chunks of 64 KiB keyed by
// HKDF(file key, nonce, "payload"); the chunk nonce is an 11-byte big-endian counter and a last-chunk flag byte.
import { randomBytes } from "node:crypto"
import { concatBytes, hkdfSha256, open, seal } from "./primitives.js"

const nonceLength = 16
const chunkSize = 64 * 1024
const sealedChunkSize = chunkSize + 16

/** The payload (nonce and chunks) of `plaintext` under `fileKey`. */
export function encryptPayload(fileKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const nonce = new Uint8Array(randomBytes(nonceLength))
  const key = hkdfSha256(fileKey, nonce, "payload")
  const chunkNonce = new Uint8Array(12)
  const parts: Uint8Array[] = [nonce]
  let at = 0
  // The last chunk may be full, and is empty only when the whole plaintext is.
  while (plaintext.length - at > chunkSize) {
    parts.push(seal(key, chunkNonce, plaintext.subarray(at, at + chunkSize)))
    increment(chunkNonce)
    at += chunkSize
  }
  chunkNonce[11] = 1
  parts.push(seal(key, chunkNonce, plaintext.subarray(at)))
  return concatBytes(...parts)
}

/** The plaintext of a payload. Throws a plain Error for a short nonce, a bad chunk or a misplaced final chunk. */
export function decryptPayload(fileKey: Uint8Array, payload: Uint8Array): Uint8Array {
  if (payload.length < nonceLength) throw new Error(`stream ended before reading ${nonceLength} bytes`)
  const key = hkdfSha256(fileKey, payload.subarray(0, nonceLength), "payload")
  const chunks = payload.subarray(nonceLength)
  const chunkNonce = new Uint8Array(12)
  const parts: Uint8Array[] = []
  let at = 0
  // As typage: a full chunk followed by more data is a middle chunk; whatever remains (a full chunk, a short one, or
  // nothing at all) is the final one. A full final chunk is allowed; an empty one only when it is the only chunk.
  while (chunks.length - at > sealedChunkSize) {
    parts.push(openChunk(key, chunkNonce, chunks.subarray(at, at + sealedChunkSize)))
    increment(chunkNonce)
    at += sealedChunkSize
  }
  chunkNonce[11] = 1
  const last = openChunk(key, chunkNonce, chunks.subarray(at))
  if (at > 0 && last.length === 0) throw new Error("final chunk is empty")
  parts.push(last)
  return concatBytes(...parts)
}

function openChunk(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Uint8Array {
  const plaintext = open(key, nonce, sealed)
  if (plaintext === null) throw new Error("failed to decrypt and authenticate payload chunk")
  return plaintext
}

// The 11-byte counter; it cannot overflow for any file that fits in memory.
function increment(nonce: Uint8Array): void {
  for (let i = 10; i >= 0; i--) {
    nonce[i] = (nonce[i]! + 1) & 0xff
    if (nonce[i] !== 0) break
  }
}
