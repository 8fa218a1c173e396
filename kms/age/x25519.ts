// age's native X25519 recipient type (C2SP age spec, "X25519 recipient stanza") with node:crypto: `age1…` recipients,
// `AGE-SECRET-KEY-1…` identities, stanza `-> X25519 <ephemeral share>` whose body is the ChaCha20-Poly1305-wrapped file
// key under HKDF-SHA-256(shared secret, share || recipient, "age-encryption.org/v1/X25519").
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from "node:crypto"
import { base64nopad, bech32 } from "@scure/base"
import type { Identity, Recipient, Stanza } from "./header.js"
import { concatBytes, hkdfSha256, open, seal } from "./primitives.js"

const label = "age-encryption.org/v1/X25519"
const zeroNonce = new Uint8Array(12)
// RFC 8410 PrivateKeyInfo for X25519 up to the 32-byte key: node:crypto imports a raw scalar only this way (or as a
// JWK, which would need the public key we want it to compute).
const pkcs8Prefix = Buffer.from("302e020100300506032b656e04220420", "hex")

/** The 32-byte public key of an `age1…` recipient. Throws a plain Error (bech32, type or length). */
export function parseX25519Recipient(recipient: string): Uint8Array {
  const { prefix, bytes } = bech32.decodeToBytes(recipient)
  if (!recipient.startsWith("age1") || prefix.toLowerCase() !== "age" || bytes.length !== 32) throw new Error("invalid recipient")
  return bytes
}

/** The 32-byte scalar of an `AGE-SECRET-KEY-1…` identity. Throws a plain Error that never quotes the identity. */
export function parseX25519Identity(identity: string): Uint8Array {
  let decoded: { prefix: string; bytes: Uint8Array }
  try {
    decoded = bech32.decodeToBytes(identity)
  } catch {
    throw new Error("invalid identity")
  }
  if (!identity.startsWith("AGE-SECRET-KEY-1") || decoded.prefix.toUpperCase() !== "AGE-SECRET-KEY-" || decoded.bytes.length !== 32) {
    throw new Error("invalid identity")
  }
  return decoded.bytes
}

/** A fresh identity and its recipient, as age-keygen writes them. */
export function generateX25519(): { identity: string; recipient: string } {
  const { privateKey, publicKey } = generateKeyPairSync("x25519")
  const secret = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url")
  return {
    identity: bech32.encodeFromBytes("AGE-SECRET-KEY-", secret).toUpperCase(),
    recipient: bech32.encodeFromBytes("age", rawPublicKey(publicKey)),
  }
}

export class X25519Recipient implements Recipient {
  readonly #bytes: Uint8Array
  readonly #key: KeyObject

  constructor(recipient: string) {
    this.#bytes = parseX25519Recipient(recipient)
    this.#key = publicKeyFrom(this.#bytes)
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    const ephemeral = generateKeyPairSync("x25519")
    const share = rawPublicKey(ephemeral.publicKey)
    const shared = sharedSecret(ephemeral.privateKey, this.#key)
    const key = hkdfSha256(shared, concatBytes(share, this.#bytes), label)
    return [{ args: ["X25519", base64nopad.encode(share)], body: seal(key, zeroNonce, fileKey) }]
  }
}

/** An X25519 identity. The scalar lives only inside a KeyObject (#private), so logging it shows nothing secret. */
export class X25519Identity implements Identity {
  readonly #key: KeyObject
  readonly #recipient: Uint8Array

  constructor(identity: string) {
    const scalar = parseX25519Identity(identity)
    this.#key = createPrivateKey({ key: Buffer.concat([pkcs8Prefix, scalar]), format: "der", type: "pkcs8" })
    this.#recipient = rawPublicKey(createPublicKey(this.#key))
  }

  // As typage and age: every X25519 stanza is tried; a malformed one is an error even if a later one would match, and
  // a body that fails to authenticate is "another recipient".
  unwrapFileKey(stanzas: readonly Stanza[]): Uint8Array | null {
    for (const stanza of stanzas) {
      if (stanza.args[0] !== "X25519") continue
      if (stanza.args.length !== 2) throw new Error("invalid X25519 stanza")
      const share = base64nopad.decode(stanza.args[1]!)
      if (share.length !== 32) throw new Error("invalid X25519 stanza")
      const shared = sharedSecret(this.#key, publicKeyFrom(share))
      const key = hkdfSha256(shared, concatBytes(share, this.#recipient), label)
      if (stanza.body.length !== 32) throw new Error("invalid stanza")
      const fileKey = open(key, zeroNonce, stanza.body)
      if (fileKey !== null) return fileKey
    }
    return null
  }
}

function publicKeyFrom(bytes: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: Buffer.from(bytes).toString("base64url") }, format: "jwk" })
}

function rawPublicKey(key: KeyObject): Uint8Array {
  return new Uint8Array(Buffer.from(key.export({ format: "jwk" }).x!, "base64url"))
}

// OpenSSL refuses an all-zero result (a low-order point), as age requires.
function sharedSecret(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  try {
    return new Uint8Array(diffieHellman({ privateKey, publicKey }))
  } catch {
    throw new Error("invalid X25519 recipient: low-order point")
  }
}
