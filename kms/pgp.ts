// PGP master keys (spec §6.2, §5.3): the data key as an OpenPGP message to a fingerprint, via gpg or openpgp.js.
import { KeySourceError, MetadataError, TsopsError } from "../src/core/errors.js"
import type { KeyContext, KeySource, KeyType, MetadataEntry } from "../src/core/key-source.js"
import { parseRfc3339 } from "../src/core/scalar.js"
import { SopsTime } from "../src/core/tree.js"
import { gpgDecrypt, gpgEncrypt, gpgExport } from "./pgp/gpg.js"
import { findKey, gnupgHome, privateKeysOf, readKeyFile, readKeys, type FoundKey } from "./pgp/keyring.js"
import { decryptWithKeys, encryptToKey, MalformedMessageError } from "./pgp/message.js"

/**
 * A private key file (armored or binary, several keys allowed) for decrypting without gpg.
 * sops has no such variable; the `TSOPS_` prefix says it is ours.
 */
export const privateKeyFileEnv = "TSOPS_PGP_PRIVATE_KEY_FILE"

/**
 * One PGP master key, named by fingerprint (spaces removed; a trailing `!` means exactly that subkey).
 *
 * wrap: openpgp.js to the public key from `gpg --export` or the legacy `$GNUPGHOME/pubring.gpg`,
 * else sops's `gpg --encrypt` command. unwrap: `gpg --decrypt` (gpg-agent, pinentry, smartcards),
 * else openpgp.js with `$GNUPGHOME/secring.gpg` and the file named by TSOPS_PGP_PRIVATE_KEY_FILE.
 */
export class PgpKeySource implements KeySource {
  readonly type = "pgp"
  /** The fingerprint as the user gave it, spaces removed. */
  readonly id: string
  /** RFC 3339 UTC seconds: when this key was added to the file, kept on rewrites (spec §5.3). */
  readonly createdAt: string

  constructor(fingerprint: string, createdAt: string = utcSeconds(new Date())) {
    this.id = fingerprint
    this.createdAt = createdAt
  }

  get fingerprint(): string {
    return this.id
  }

  async wrap(dataKey: Uint8Array, context: KeyContext): Promise<string> {
    // An entry without `fp` can still be unwrapped (gpg needs no fingerprint), never wrapped.
    if (this.id === "") throw new KeySourceError(this.id, "cannot encrypt to a PGP key without a fingerprint")
    const reasons: string[] = []
    try {
      const found = await this.#findPublicKey(context)
      if (found !== undefined) {
        try {
          return await encryptToKey(found, dataKey)
        } catch (error) {
          reasons.push(`openpgp.js: ${messageOf(error)}`)
        }
      }
      const gpg = await gpgEncrypt(this.id, dataKey, context.env)
      if (gpg.kind === "ok") return gpg.armored
      if (gpg.kind === "failed") reasons.push(`gpg: ${gpg.reason}`)
      else if (found === undefined) {
        reasons.push(`public key not found (gpg is not available; no such key in ${gnupgHome(context.env)}/pubring.gpg)`)
      }
    } catch (error) {
      if (error instanceof TsopsError) throw error
      reasons.push(messageOf(error))
    }
    throw new KeySourceError(this.id, `could not encrypt the data key with PGP: ${reasons.join("; ")}`)
  }

  async unwrap(enc: string, context: KeyContext): Promise<Uint8Array | null> {
    let gpg: Awaited<ReturnType<typeof gpgDecrypt>>
    try {
      gpg = await gpgDecrypt(enc, context.env)
    } catch (error) {
      gpg = { kind: "failed", reason: messageOf(error) }
    }
    if (gpg.kind === "ok") return gpg.plaintext
    const gpgReason = gpg.kind === "failed" ? `gpg: ${gpg.reason}` : undefined
    let plaintext: Uint8Array | null
    try {
      plaintext = await this.#unwrapWithLibrary(enc, context)
    } catch (error) {
      const what = error instanceof MalformedMessageError ? `enc is not an OpenPGP message (${error.message})` : messageOf(error)
      const reasons = [gpgReason, `openpgp.js: ${what}`].filter(reason => reason !== undefined)
      throw new KeySourceError(this.id, `failed to decrypt the data key with PGP: ${reasons.join("; ")}`)
    }
    if (plaintext !== null && plaintext.length === 0) {
      throw new KeySourceError(this.id, "failed to decrypt the data key with PGP: zero bytes returned")
    }
    if (plaintext !== null) return plaintext
    // gpg had the key (or the message is broken) but failed, and no key file could stand in.
    if (gpgReason !== undefined) throw new KeySourceError(this.id, `failed to decrypt the data key with PGP: ${gpgReason}`)
    return null
  }

  toEntry(enc: string): MetadataEntry {
    return { created_at: this.createdAt, enc, fp: this.id }
  }

  /** gpg's keyrings first (via --export: openpgp.js can't read pubring.kbx), then the legacy pubring.gpg. */
  async #findPublicKey(context: KeyContext): Promise<FoundKey | undefined> {
    const exported = await gpgExport(this.id, context.env)
    if (exported !== undefined) {
      try {
        const found = findKey(await readKeys(exported), this.id)
        if (found !== undefined) return found
      } catch (error) {
        context.warn?.(`${this.id}: could not read the key exported by gpg: ${messageOf(error)}`)
      }
    }
    const pubring = `${gnupgHome(context.env)}/pubring.gpg`
    try {
      const keys = await readKeyFile(pubring)
      return keys === undefined ? undefined : findKey(keys, this.id)
    } catch (error) {
      context.warn?.(`${this.id}: could not read ${pubring}: ${messageOf(error)}`)
      return undefined
    }
  }

  /** openpgp.js with the legacy secring.gpg and the TSOPS_PGP_PRIVATE_KEY_FILE keys; null when none is a recipient. */
  async #unwrapWithLibrary(enc: string, context: KeyContext): Promise<Uint8Array | null> {
    const files = [`${gnupgHome(context.env)}/secring.gpg`]
    const keyFile = context.env[privateKeyFileEnv]
    if (keyFile) files.push(keyFile)
    const privateKeys = []
    for (const file of files) {
      try {
        const keys = await readKeyFile(file)
        if (keys !== undefined) privateKeys.push(...privateKeysOf(keys))
        else if (file === keyFile) context.warn?.(`${privateKeyFileEnv}: ${file} does not exist`)
      } catch (error) {
        context.warn?.(`could not read PGP keys from ${file}: ${messageOf(error)}`)
      }
    }
    if (privateKeys.length === 0) return null
    return decryptWithKeys(enc, privateKeys, { askPassphrase: context.askPassphrase, warn: context.warn })
  }
}

export const keyType: KeyType = {
  type: "pgp",

  fromEntry(entry: MetadataEntry): { key: PgpKeySource; enc: string } {
    const fingerprint = weakString(field(entry, "fp"), "fp")
    const createdAt = parseCreatedAt(field(entry, "created_at"))
    return { key: new PgpKeySource(fingerprint, createdAt), enc: weakString(field(entry, "enc"), "enc") }
  },

  /** `SOPS_PGP_FP`, `--pgp`, a .sops.yaml `pgp:` string: comma-separated, spaces inside fingerprints removed. */
  fromList(list: string): PgpKeySource[] {
    return list
      .split(",")
      .map(item => item.replace(/\s+/g, ""))
      .filter(item => item !== "")
      .map(fingerprint => {
        // Hex only: openpgp.js matches fingerprints and key ids, and --trusted-key takes the last 16 characters.
        if (!/^(0x)?[0-9A-Fa-f]{8,64}!?$/.test(fingerprint)) {
          throw new TsopsError(`invalid PGP fingerprint ${JSON.stringify(fingerprint)}: expected hexadecimal, optionally ending in "!"`)
        }
        return new PgpKeySource(fingerprint)
      })
  },
}

/** Go's time.Format(time.RFC3339) of the UTC time: seconds, fraction truncated. */
function utcSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z")
}

const goRfc3339Layout = "2006-01-02T15:04:05Z07:00"

/** created_at is required (spec §5.3); sops re-writes it in UTC, so an offset is converted once. */
function parseCreatedAt(value: unknown): string {
  const text = value instanceof SopsTime ? value.text : value === undefined || value === null ? "" : String(value)
  const time = parseRfc3339(text)
  if (time === undefined) {
    const detail = text === "" ? `cannot parse "" as "2006"` : "not an RFC 3339 time"
    throw new MetadataError(`parsing time ${JSON.stringify(text)} as "${goRfc3339Layout}": ${detail}`)
  }
  return utcSeconds(new Date(time.text.replace(/\.\d+/, "")))
}

/** mapstructure matches field names case-insensitively, exact spelling first (spec §5.4). */
function field(entry: MetadataEntry, name: string): unknown {
  if (Object.hasOwn(entry, name)) return entry[name]
  const key = Object.keys(entry).find(candidate => candidate.toLowerCase() === name)
  return key === undefined ? undefined : entry[key]
}

/** Weak typing (spec §5.4): numbers and bools become strings; absent is "". */
function weakString(value: unknown, name: string): string {
  if (value === undefined || value === null) return ""
  if (typeof value === "string") return value
  if (typeof value === "number" || typeof value === "bigint") return String(value)
  if (typeof value === "boolean") return value ? "1" : "0"
  throw new MetadataError(`pgp key entry: '${name}' expected type 'string'`)
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
