// Reading OpenPGP keys with openpgp.js: legacy GnuPG keyrings, `gpg --export` output and key files.
// openpgp.js can't read GnuPG 2.1+'s pubring.kbx or private-keys-v1.d; gpg.ts covers those.
import { readFile } from "node:fs/promises"
import { homedir } from "node:os"
import { join } from "node:path"
import type { Key, KeyID, PrivateKey, Subkey } from "openpgp"

type Env = Readonly<Record<string, string | undefined>>

/** openpgp.js is large: load it on first use only (style §6). */
export const loadOpenpgp = (): Promise<typeof import("openpgp")> => import("openpgp")

/** `GNUPGHOME`, else `<home>/.gnupg`, as sops and gpg resolve it (spec §6.2). */
export function gnupgHome(env: Env): string {
  return env["GNUPGHOME"] || join(env["HOME"] || homedir(), ".gnupg")
}

const armorBlock = /-----BEGIN PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP (?:PUBLIC|PRIVATE) KEY BLOCK-----/g

/**
 * Every key in `bytes`: a binary keyring/export, or armored text that may hold several blocks
 * (sops's test key file has two private and three public blocks; openpgp.js reads only the first).
 */
export async function readKeys(bytes: Uint8Array): Promise<Key[]> {
  const openpgp = await loadOpenpgp()
  const text = Buffer.from(bytes.subarray(0, 64)).toString("latin1").trimStart()
  if (!text.startsWith("-----BEGIN PGP")) return openpgp.readKeys({ binaryKeys: bytes })
  const keys: Key[] = []
  for (const block of Buffer.from(bytes).toString("utf8").match(armorBlock) ?? []) {
    keys.push(...(await openpgp.readKeys({ armoredKeys: block })))
  }
  return keys
}

/** The keys of a keyring or key file; undefined when there is no such file. */
export async function readKeyFile(path: string): Promise<Key[] | undefined> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw error
  }
  return readKeys(bytes)
}

export const privateKeysOf = (keys: readonly Key[]): PrivateKey[] => keys.filter((key): key is PrivateKey => key.isPrivate())

/** A key found by fingerprint; `keyID` is set when the fingerprint ended with `!` (that exact (sub)key, as gpg reads it). */
export interface FoundKey {
  readonly key: Key
  readonly keyID?: KeyID
}

/**
 * The first key whose primary key or a subkey has this fingerprint, 16-hex long key id or 8-hex
 * short id (case-insensitive, optional `0x`). Without `!`, a subkey match selects the whole key, so
 * openpgp.js picks its encryption subkey the way gpg does for `-r <subkey fp>`.
 */
export function findKey(keys: readonly Key[], fingerprint: string): FoundKey | undefined {
  const exact = fingerprint.endsWith("!")
  const wanted = fingerprint.replace(/!$/, "").replace(/^0x/i, "").toLowerCase()
  for (const key of keys) {
    const parts: (Key | Subkey)[] = [key, ...key.getSubkeys()]
    const match = parts.find(part => {
      const keyId = part.getKeyID().toHex().toLowerCase()
      return part.getFingerprint().toLowerCase() === wanted || keyId === wanted || (wanted.length === 8 && keyId.endsWith(wanted))
    })
    if (match !== undefined) return exact ? { key, keyID: match.getKeyID() } : { key }
  }
  return undefined
}
