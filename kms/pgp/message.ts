// The data key as an OpenPGP message, with openpgp.js: encrypt to a public key, decrypt with private keys.
import type { PrivateKey } from "openpgp"
import { loadOpenpgp, type FoundKey } from "./keyring.js"

/**
 * An armored message whose binary literal data is the data key (spec §6.2). openpgp.js's armor
 * ends with a newline, like sops's library path (YAML `enc: |`). Its defaults refuse RSA keys
 * under 2047 bits; pgp.ts then falls back to gpg, which still encrypts to them as sops does.
 */
export async function encryptToKey(found: FoundKey, dataKey: Uint8Array): Promise<string> {
  const openpgp = await loadOpenpgp()
  const message = await openpgp.createMessage({ binary: dataKey })
  return openpgp.encrypt({
    message,
    encryptionKeys: found.key,
    ...(found.keyID === undefined ? {} : { encryptionKeyIDs: [found.keyID] }),
    format: "armored",
  })
}

/** Why the armored `enc` is not an OpenPGP message; thrown before any key is tried. */
export class MalformedMessageError extends Error {}

export interface DecryptOptions {
  /** Unlocks a passphrase-protected key; absent: such keys are skipped. */
  readonly askPassphrase?: ((prompt: string) => Promise<string>) | undefined
  readonly warn?: ((message: string) => void) | undefined
}

/**
 * The data key, or null when none of `privateKeys` is a recipient of the message. Throws
 * MalformedMessageError for a message that doesn't parse, and openpgp.js's error when a
 * recipient key fails to decrypt it.
 */
export async function decryptWithKeys(
  enc: string,
  privateKeys: readonly PrivateKey[],
  options: DecryptOptions = {},
): Promise<Uint8Array | null> {
  const openpgp = await loadOpenpgp()
  let message: Awaited<ReturnType<typeof openpgp.readMessage>>
  try {
    message = await openpgp.readMessage({ armoredMessage: enc })
  } catch (error) {
    throw new MalformedMessageError(error instanceof Error ? error.message : String(error))
  }
  const recipients = message.getEncryptionKeyIDs()
  // A wildcard (hidden recipient, key id 0) may be any key: try them all, as gpg does.
  const hidden = recipients.some(id => /^0+$/.test(id.toHex()))
  const candidates = privateKeys.filter(key => hidden || recipients.some(id => key.getKeys(id).length > 0))
  const usable: PrivateKey[] = []
  for (const key of candidates) {
    if (key.isDecrypted()) usable.push(key)
    else {
      const unlocked = await unlock(key, options)
      if (unlocked !== undefined) usable.push(unlocked)
    }
  }
  if (usable.length === 0) return null
  const result = await openpgp.decrypt({ message, decryptionKeys: usable, format: "binary" })
  return new Uint8Array(result.data)
}

async function unlock(key: PrivateKey, options: DecryptOptions): Promise<PrivateKey | undefined> {
  const fingerprint = key.getFingerprint().toUpperCase()
  if (options.askPassphrase === undefined) {
    options.warn?.(`PGP key ${fingerprint} is protected by a passphrase and no prompt is available; skipped`)
    return undefined
  }
  const openpgp = await loadOpenpgp()
  const passphrase = await options.askPassphrase(`Passphrase for PGP key ${fingerprint}: `)
  return openpgp.decryptKey({ privateKey: key, passphrase })
}
