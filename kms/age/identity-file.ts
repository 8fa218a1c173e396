// age identity files (spec §6.1): one identity per line, `#` comments, or a whole file encrypted with a passphrase.
import { PassphraseIdentity, nativeIdentity, type AgeIdentity, type LockedIdentities } from "./age-identity.js"
import { ArmorError, decodeArmor } from "./armor.js"
import { decryptAge, messageOf } from "./decrypt.js"

export interface IdentityFileOptions {
  /** An env var name or a path, for messages. */
  readonly location: string
  /** SOPS_AGE_KEY only (sops ≥ 3.13.0): several identities on one line, separated by whitespace. */
  readonly multiplePerLine: boolean
  readonly warn?: ((message: string) => void) | undefined
  readonly askPassphrase?: ((prompt: string) => Promise<string>) | undefined
}

export interface IdentityFile {
  readonly identities: readonly AgeIdentity[]
  readonly locked: readonly LockedIdentities[]
}

/** Reads identities from a file's bytes. Throws a plain Error naming the location and line, never the line itself. */
export async function readIdentityFile(contents: Uint8Array | string, options: IdentityFileOptions): Promise<IdentityFile> {
  const bytes = typeof contents === "string" ? new TextEncoder().encode(contents) : contents
  const text = new TextDecoder().decode(bytes)
  // As sops (age/encrypted_keys.go): a binary age file or an armored one is a passphrase-encrypted identities file.
  if (text.startsWith("age-encryption") || text.trimStart().startsWith("-----BEGIN AGE")) {
    return { identities: [], locked: [new EncryptedIdentityFile(bytes, text, options)] }
  }
  return { identities: await parseIdentityLines(text, options), locked: [] }
}

export async function parseIdentityLines(text: string, options: IdentityFileOptions): Promise<AgeIdentity[]> {
  const identities: AgeIdentity[] = []
  const lines = text.split("\n")
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.trim()
    if (line === "" || line.startsWith("#")) continue
    const lineNumber = index + 1
    for (const word of options.multiplePerLine ? line.split(/\s+/) : [line]) {
      if (word.startsWith("AGE-PLUGIN-")) {
        options.warn?.(`skipping an age plugin identity in '${options.location}' line ${lineNumber}: age plugins are not supported yet`)
        continue
      }
      if (!word.startsWith("AGE-SECRET-KEY-PQ-1") && !word.startsWith("AGE-SECRET-KEY-1")) {
        throw new Error(`failed to parse '${options.location}' age identities: unknown identity type at line ${lineNumber}`)
      }
      // Checked as typage checks an added identity (bech32, prefix, length); the reason is dropped, never the line quoted.
      try {
        identities.push(nativeIdentity(word, options.location))
      } catch {
        throw new Error(`failed to parse '${options.location}' age identities: malformed identity at line ${lineNumber}`)
      }
    }
  }
  return identities
}

/** Decrypts an scrypt passphrase-encrypted age file; null when the passphrase does not match. */
export async function decryptWithPassphrase(file: Uint8Array, passphrase: string): Promise<Uint8Array | null> {
  return decryptAge(file, [new PassphraseIdentity(passphrase, "passphrase")])
}

// sops asks gpg-agent or the terminal; tsops asks through KeyContext.askPassphrase. The decrypted identities are kept
// for the KeyContext's lifetime (one prompt per run); a failed attempt is not kept, so the next key asks again.
class EncryptedIdentityFile implements LockedIdentities {
  readonly location: string
  readonly #bytes: Uint8Array
  readonly #armored: boolean
  readonly #text: string
  readonly #options: IdentityFileOptions
  #unlocked: Promise<readonly AgeIdentity[]> | undefined

  constructor(bytes: Uint8Array, text: string, options: IdentityFileOptions) {
    this.location = options.location
    this.#bytes = bytes
    this.#text = text
    this.#armored = !text.startsWith("age-encryption")
    this.#options = options
  }

  unlock(): Promise<readonly AgeIdentity[]> {
    this.#unlocked ??= this.#decrypt().catch((error: unknown) => {
      this.#unlocked = undefined
      throw error
    })
    return this.#unlocked
  }

  async #decrypt(): Promise<readonly AgeIdentity[]> {
    const ask = this.#options.askPassphrase
    if (ask === undefined) {
      throw new Error(`the age identities in '${this.location}' are passphrase-protected and no passphrase prompt is available`)
    }
    let file: Uint8Array
    try {
      file = this.#armored ? decodeArmor(this.#text) : this.#bytes
    } catch (error) {
      throw new Error(`failed to read '${this.location}': ${error instanceof ArmorError ? error.message : "unreadable"}`)
    }
    const passphrase = await ask(`Enter passphrase for identity '${this.location}':`)
    let plaintext: Uint8Array | null
    try {
      plaintext = await decryptWithPassphrase(file, passphrase)
    } catch (error) {
      throw new Error(`failed to decrypt identity file: ${messageOf(error)}`)
    }
    if (plaintext === null) throw new Error("incorrect passphrase")
    return parseIdentityLines(new TextDecoder().decode(plaintext), { ...this.#options, multiplePerLine: false })
  }
}
