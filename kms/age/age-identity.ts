// Identities ready to unwrap a file key: native X25519 (node:crypto), hybrid post-quantum and scrypt passphrases (typage,
// loaded only when the header has a stanza of their type), and custom ones (SSH keys).
import { bech32 } from "@scure/base"
import type { Decrypter } from "age-encryption"
import type { AgeHeader, Identity } from "./header.js"
import { X25519Identity } from "./x25519.js"

/** An identity ready to use. Secrets stay in #private fields, so logging one shows only its location. */
export interface AgeIdentity {
  /** Where it came from: an env var name, a path, or a command's env var. Never secret. */
  readonly location: string
  /** true: a failure (a wrong passphrase) is recorded and the next identity is tried; false: it ends the attempt. */
  readonly guarded: boolean
  /** The file key, or null when no stanza is for this identity. Throws for a malformed stanza of its type. */
  unwrapFileKey(header: AgeHeader): Promise<Uint8Array | null>
}

/** Identities that must be unlocked first (a passphrase-encrypted identities file); unlocked only when needed. */
export interface LockedIdentities {
  readonly location: string
  unlock(): Promise<readonly AgeIdentity[]>
}

/**
 * A native `AGE-SECRET-KEY-1…` or `AGE-SECRET-KEY-PQ-1…` identity. Throws a plain Error ("invalid identity", never the
 * identity itself) when it is malformed, with the checks typage makes when such an identity is added.
 */
export function nativeIdentity(secret: string, location: string): AgeIdentity {
  if (secret.startsWith("AGE-SECRET-KEY-1")) return new NativeX25519Identity(new X25519Identity(secret), location)
  if (secret.startsWith("AGE-SECRET-KEY-PQ-1")) return new HybridIdentity(secret, location)
  throw new Error("unrecognized identity type")
}

class NativeX25519Identity implements AgeIdentity {
  readonly location: string
  readonly guarded = false
  readonly #identity: X25519Identity

  constructor(identity: X25519Identity, location: string) {
    this.#identity = identity
    this.location = location
  }

  unwrapFileKey(header: AgeHeader): Promise<Uint8Array | null> {
    return Promise.resolve().then(() => this.#identity.unwrapFileKey(header.stanzas))
  }
}

/** `AGE-SECRET-KEY-PQ-1…` (mlkem768x25519): unwrapped by typage, which brings ML-KEM. */
class HybridIdentity implements AgeIdentity {
  readonly location: string
  readonly guarded = false
  readonly #secret: string

  constructor(secret: string, location: string) {
    let valid: boolean
    try {
      const { prefix, bytes } = bech32.decodeToBytes(secret)
      valid = prefix.toUpperCase() === "AGE-SECRET-KEY-PQ-" && bytes.length === 32
    } catch {
      valid = false
    }
    if (!valid) throw new Error("invalid identity")
    this.#secret = secret
    this.location = location
  }

  async unwrapFileKey(header: AgeHeader): Promise<Uint8Array | null> {
    // typage's HybridIdentity looks at mlkem768x25519 stanzas only: without one, its answer is null.
    if (!header.stanzas.some(stanza => stanza.args[0] === "mlkem768x25519")) return null
    return unwrapWithTypage(header, decrypter => decrypter.addIdentity(this.#secret))
  }
}

/** An scrypt passphrase (age's passphrase mode), for passphrase-encrypted identity files; unwrapped by typage. */
export class PassphraseIdentity implements AgeIdentity {
  readonly location: string
  readonly guarded = false
  readonly #passphrase: string

  constructor(passphrase: string, location: string) {
    this.#passphrase = passphrase
    this.location = location
  }

  async unwrapFileKey(header: AgeHeader): Promise<Uint8Array | null> {
    if (!header.stanzas.some(stanza => stanza.args[0] === "scrypt")) return null
    return unwrapWithTypage(header, decrypter => decrypter.addPassphrase(this.#passphrase))
  }
}

/** A custom Identity (SSH keys). `guarded`: it may need a passphrase, so its failure is not fatal at once. */
export class CustomIdentity implements AgeIdentity {
  readonly location: string
  readonly guarded: boolean
  readonly #identity: Identity

  constructor(identity: Identity, location: string, options: { guarded: boolean }) {
    this.#identity = identity
    this.location = location
    this.guarded = options.guarded
  }

  async unwrapFileKey(header: AgeHeader): Promise<Uint8Array | null> {
    return this.#identity.unwrapFileKey(header.stanzas)
  }
}

// typage keeps its identity classes private; its public decryptHeader runs one on a detached header. A last identity
// that records being reached tells "no identity matched" (null) from a broken stanza or a bad MAC (thrown).
async function unwrapWithTypage(header: AgeHeader, add: (decrypter: Decrypter) => void): Promise<Uint8Array | null> {
  const { Decrypter } = await import("age-encryption")
  const decrypter = new Decrypter()
  add(decrypter)
  let exhausted = false
  decrypter.addIdentity({
    unwrapFileKey() {
      exhausted = true
      return null
    },
  })
  try {
    return await decrypter.decryptHeader(header.bytes)
  } catch (error) {
    if (exhausted) return null
    throw error
  }
}
