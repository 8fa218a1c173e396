// age's SSH recipient types (`ssh-ed25519`, `ssh-rsa`, as filippo.io/age/agessh) as Recipient/Identity (typage's shapes).
// Stanzas: `ssh-ed25519 <tag> <ephemeral share>` (X25519 on the key's Montgomery form, tweaked by the public key)
// and `ssh-rsa <tag>` (RSA-OAEP-SHA256, label age-encryption.org/v1/ssh-rsa); tag = first 4 bytes of SHA-256(blob).
import {
  constants, createHash, createPublicKey, privateDecrypt, publicEncrypt, randomBytes, type KeyObject,
} from "node:crypto"
import { chacha20poly1305 } from "@noble/ciphers/chacha.js"
import { ed25519, x25519 } from "@noble/curves/ed25519.js"
import { hkdf } from "@noble/hashes/hkdf.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { base64nopad } from "@scure/base"
import type { Identity, Recipient, Stanza } from "./header.js"
import type { ParsedSshPrivateKey, SshPrivateKey } from "./openssh-key.js"
import {
  ed25519PublicKeyBlob, rsaModulusBytes, rsaPublicKeyBlob, sshTag, type SshPublicKey,
} from "./ssh-public-key.js"
import { concatBytes } from "./primitives.js"
import { jwkBigint } from "./ssh-wire.js"

const ed25519Label = new TextEncoder().encode("age-encryption.org/v1/ssh-ed25519")
const rsaLabel = Buffer.from("age-encryption.org/v1/ssh-rsa")
const zeroNonce = new Uint8Array(12)

/** A Recipient for an SSH public key. Throws a plain Error for keys age refuses (RSA below 2048 bits, bad point). */
export function sshRecipient(publicKey: SshPublicKey): Recipient {
  return publicKey.type === "ssh-ed25519" ? new SshEd25519Recipient(publicKey) : new SshRsaRecipient(publicKey)
}

/** An Identity for a decrypted SSH private key. */
export function sshIdentity(privateKey: SshPrivateKey): Identity {
  return privateKey.type === "ssh-ed25519" ? new SshEd25519Identity(privateKey) : new SshRsaIdentity(privateKey)
}

/** The public half of a private key, to check it against a `.pub` file or an embedded public key. */
export function publicKeyBlobOf(privateKey: SshPrivateKey): Uint8Array {
  return privateKey.type === "ssh-ed25519" ? ed25519PublicKeyBlob(privateKey.point) : rsaPublicKeyBlob(privateKey.n, privateKey.e)
}

class SshEd25519Recipient implements Recipient {
  readonly #blob: Uint8Array
  readonly #theirKey: Uint8Array

  constructor(publicKey: SshPublicKey & { type: "ssh-ed25519" }) {
    this.#blob = publicKey.blob
    // The birational map to Curve25519 (https://blog.filippo.io/using-ed25519-keys-for-encryption); rejects invalid points.
    this.#theirKey = ed25519.utils.toMontgomery(publicKey.point)
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    const ephemeral = randomBytes(32)
    const ourKey = x25519.getPublicKey(ephemeral)
    const shared = tweak(this.#blob, x25519.getSharedSecret(ephemeral, this.#theirKey))
    const wrappingKey = hkdf(sha256, shared, concatBytes(ourKey, this.#theirKey), ed25519Label, 32)
    const body = chacha20poly1305(wrappingKey, zeroNonce).encrypt(fileKey)
    return [{ args: ["ssh-ed25519", sshTag(this.#blob), base64nopad.encode(ourKey)], body }]
  }
}

// agessh multiplies the shared secret by a scalar derived from the SSH public key, binding the stanza to the SSH key.
// The scalar is HKDF-SHA256 with an empty secret and the key's wire blob as the salt (`hkdf.New(h, nil, blob, label)`).
function tweak(blob: Uint8Array, shared: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(hkdf(sha256, new Uint8Array(0), blob, ed25519Label, 32), shared)
}

class SshEd25519Identity implements Identity {
  readonly #secret: Uint8Array
  readonly #ourKey: Uint8Array
  readonly #blob: Uint8Array
  readonly #tag: string

  constructor(privateKey: SshPrivateKey & { type: "ssh-ed25519" }) {
    this.#secret = createHash("sha512").update(privateKey.seed).digest().subarray(0, 32)
    this.#ourKey = x25519.getPublicKey(this.#secret)
    this.#blob = ed25519PublicKeyBlob(privateKey.point)
    this.#tag = sshTag(this.#blob)
  }

  unwrapFileKey(stanzas: readonly Stanza[]): Uint8Array | null {
    for (const stanza of stanzas) {
      if (stanza.args[0] !== "ssh-ed25519") continue
      // As agessh: a malformed stanza of this type is an error even before the tag is compared.
      if (stanza.args.length !== 3) throw new Error("invalid ssh-ed25519 recipient block")
      let share: Uint8Array
      try {
        share = base64nopad.decode(stanza.args[2]!)
      } catch {
        throw new Error("failed to parse ssh-ed25519 recipient")
      }
      if (share.length !== 32) throw new Error("invalid ssh-ed25519 recipient block")
      if (stanza.args[1] !== this.#tag) continue
      let shared: Uint8Array
      try {
        shared = x25519.getSharedSecret(this.#secret, share)
      } catch {
        throw new Error("invalid X25519 recipient")
      }
      const wrappingKey = hkdf(sha256, tweak(this.#blob, shared), concatBytes(share, this.#ourKey), ed25519Label, 32)
      try {
        return chacha20poly1305(wrappingKey, zeroNonce).decrypt(stanza.body)
      } catch {
        throw new Error("failed to decrypt file key")
      }
    }
    return null
  }
}

class SshRsaRecipient implements Recipient {
  readonly #blob: Uint8Array
  readonly #key: KeyObject

  constructor(publicKey: SshPublicKey & { type: "ssh-rsa" }) {
    if (rsaModulusBytes(publicKey.n) < 2048 / 8) throw new Error("RSA key size is too small")
    this.#blob = publicKey.blob
    this.#key = createPublicKey({ key: { kty: "RSA", n: jwkBigint(publicKey.n), e: jwkBigint(publicKey.e) }, format: "jwk" })
  }

  wrapFileKey(fileKey: Uint8Array): Stanza[] {
    const body = publicEncrypt(
      { key: this.#key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: rsaLabel }, fileKey)
    return [{ args: ["ssh-rsa", sshTag(this.#blob)], body: Uint8Array.from(body) }]
  }
}

class SshRsaIdentity implements Identity {
  readonly #key: KeyObject
  readonly #tag: string

  constructor(privateKey: SshPrivateKey & { type: "ssh-rsa" }) {
    this.#key = privateKey.key
    this.#tag = sshTag(rsaPublicKeyBlob(privateKey.n, privateKey.e))
  }

  unwrapFileKey(stanzas: readonly Stanza[]): Uint8Array | null {
    for (const stanza of stanzas) {
      if (stanza.args[0] !== "ssh-rsa") continue
      if (stanza.args.length !== 2) throw new Error("invalid ssh-rsa recipient block")
      if (stanza.args[1] !== this.#tag) continue
      try {
        return Uint8Array.from(privateDecrypt(
          { key: this.#key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: rsaLabel },
          stanza.body))
      } catch {
        throw new Error("failed to decrypt file key")
      }
    }
    return null
  }
}

/**
 * A passphrase-protected SSH key (agessh EncryptedSSHIdentity): asks for the passphrase only when a stanza carries
 * this key's tag, then keeps the decrypted identity. A failed attempt is not remembered, so a later file asks again.
 */
export class EncryptedSshIdentity implements Identity {
  readonly #publicKey: SshPublicKey
  readonly #tag: string
  readonly #parsed: ParsedSshPrivateKey & { encrypted: true }
  readonly #askPassphrase: () => Promise<string>
  #decrypted: Promise<Identity> | undefined

  constructor(publicKey: SshPublicKey, parsed: ParsedSshPrivateKey & { encrypted: true }, askPassphrase: () => Promise<string>) {
    this.#publicKey = publicKey
    this.#tag = sshTag(publicKey.blob)
    this.#parsed = parsed
    this.#askPassphrase = askPassphrase
    sshRecipient(publicKey) // refuses the key types and sizes agessh refuses, before any prompt
  }

  async unwrapFileKey(stanzas: readonly Stanza[]): Promise<Uint8Array | null> {
    const type = this.#publicKey.type
    const matches = stanzas.some(stanza => {
      if (stanza.args[0] !== type) return false
      if (stanza.args.length < 2) throw new Error(`invalid ${type} recipient block`)
      return stanza.args[1] === this.#tag
    })
    if (!matches) return null
    this.#decrypted ??= this.#decrypt()
    let identity: Identity
    try {
      identity = await this.#decrypted
    } catch (error) {
      this.#decrypted = undefined
      throw error
    }
    return identity.unwrapFileKey(stanzas)
  }

  async #decrypt(): Promise<Identity> {
    const privateKey = await this.#parsed.decrypt(await this.#askPassphrase())
    const blob = publicKeyBlobOf(privateKey)
    if (!equalBytes(blob, this.#publicKey.blob)) throw new Error("mismatched private and public SSH key")
    return sshIdentity(privateKey)
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}
