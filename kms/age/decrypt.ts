// Decrypting an age file with every discovered identity, telling "no identity matched" (null) from a broken file (throw).
import type { Decrypter, Identity } from "age-encryption"

/** Wraps a custom identity so that its failure is recorded instead of ending the attempt. */
export type Guard = (identity: Identity, location: string) => Identity

/** An identity ready to use. Secrets stay in #private fields, so logging one shows only its location. */
export interface AgeIdentity {
  /** Where it came from: an env var name, a path, or a command's env var. Never secret. */
  readonly location: string
  addTo(decrypter: Decrypter, guard: Guard): void
}

/** A native `AGE-SECRET-KEY-1…` / `AGE-SECRET-KEY-PQ-1…` identity, handled by typage. */
export class NativeIdentity implements AgeIdentity {
  readonly location: string
  readonly #secret: string

  constructor(secret: string, location: string) {
    this.#secret = secret
    this.location = location
  }

  addTo(decrypter: Decrypter): void {
    decrypter.addIdentity(this.#secret)
  }
}

/** A custom typage Identity (SSH keys). `guarded`: it may need a passphrase, so its failure is not fatal at once. */
export class CustomIdentity implements AgeIdentity {
  readonly location: string
  readonly #identity: Identity
  readonly #guarded: boolean

  constructor(identity: Identity, location: string, options: { guarded: boolean }) {
    this.#identity = identity
    this.location = location
    this.#guarded = options.guarded
  }

  addTo(decrypter: Decrypter, guard: Guard): void {
    decrypter.addIdentity(this.#guarded ? guard(this.#identity, this.location) : this.#identity)
  }
}

/** An scrypt passphrase (age's passphrase mode), for passphrase-protected identity files. */
export class PassphraseIdentity implements AgeIdentity {
  readonly location: string
  readonly #passphrase: string

  constructor(passphrase: string, location: string) {
    this.#passphrase = passphrase
    this.location = location
  }

  addTo(decrypter: Decrypter): void {
    decrypter.addPassphrase(this.#passphrase)
  }
}

/** Identities that must be unlocked first (a passphrase-encrypted identities file); unlocked only when needed. */
export interface LockedIdentities {
  readonly location: string
  unlock(): Promise<readonly AgeIdentity[]>
}

/** The ASCII armor of an `enc` (or of an identities file) is malformed. */
export class ArmorError extends Error {}

/** Several identities failed (a wrong passphrase, no prompt) and none matched. Messages name locations only. */
export class IdentityFailureError extends Error {}

/** Decodes age's ASCII armor (strict, as the Go armor reader; whitespace around it and CRLF are allowed). */
export async function decodeArmor(text: string): Promise<Uint8Array> {
  const { armor } = await import("age-encryption")
  try {
    return armor.decode(text)
  } catch (error) {
    throw new ArmorError(`invalid armor: ${messageOf(error)}`)
  }
}

/** Encodes canonical armor: 64-character base64 lines, ending with a newline (spec §6.1). */
export async function encodeArmor(file: Uint8Array): Promise<string> {
  const { armor } = await import("age-encryption")
  return armor.encode(file)
}

export async function decryptArmored(
  enc: string, identities: readonly AgeIdentity[], locked: readonly LockedIdentities[] = [], warn?: (message: string) => void,
): Promise<Uint8Array | null> {
  return decryptAge(await decodeArmor(enc), identities, locked, warn)
}

/**
 * The plaintext, or null when no identity matches any stanza. Throws when the file is malformed (header, HMAC,
 * payload) or a matching stanza cannot be unwrapped. Locked identities are unlocked (a passphrase prompt) only when
 * nothing else matched; their failures, like those of guarded identities, are thrown only if nothing matched at all.
 */
export async function decryptAge(
  file: Uint8Array, identities: readonly AgeIdentity[], locked: readonly LockedIdentities[] = [], warn?: (message: string) => void,
): Promise<Uint8Array | null> {
  const failures: string[] = []
  const first = await attempt(file, identities, failures)
  if (first !== null) return first
  for (const set of locked) {
    let unlocked: readonly AgeIdentity[]
    try {
      unlocked = await set.unlock()
    } catch (error) {
      failures.push(`${set.location}: ${messageOf(error)}`)
      continue
    }
    const plaintext = await attempt(file, unlocked, failures)
    if (plaintext !== null) return plaintext
    warn?.(`encrypted identity '${set.location}' didn't match file's recipients`)
  }
  if (failures.length > 0) throw new IdentityFailureError(failures.join("; "))
  return null
}

async function attempt(file: Uint8Array, identities: readonly AgeIdentity[], failures: string[]): Promise<Uint8Array | null> {
  const { Decrypter } = await import("age-encryption")
  const decrypter = new Decrypter()
  const guard: Guard = (identity, location) => ({
    async unwrapFileKey(stanzas) {
      try {
        return await identity.unwrapFileKey(stanzas)
      } catch (error) {
        failures.push(`${location}: ${messageOf(error)}`)
        return null
      }
    },
  })
  for (const identity of identities) identity.addTo(decrypter, guard)
  // typage tries identities in order and stops at the first key or error; reaching this last one means every
  // identity returned null, so the "no identity matched" error that follows is a plain no-match, not a broken file.
  let exhausted = false
  decrypter.addIdentity({
    unwrapFileKey() {
      exhausted = true
      return null
    },
  })
  try {
    return await decrypter.decrypt(file)
  } catch (error) {
    if (exhausted) return null
    throw error
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
