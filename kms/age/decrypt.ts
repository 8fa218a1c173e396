// Decrypting an age file with every discovered identity, telling "no identity matched" (null) from a broken file
// (throw). Header, MAC and payload are handled here with node:crypto; only the identities decide what else loads.
import { decodeArmor } from "./armor.js"
import type { AgeIdentity, LockedIdentities } from "./age-identity.js"
import { parseHeader, verifyHeaderMac, type AgeHeader } from "./header.js"
import { decryptPayload } from "./stream.js"

/** Several identities failed (a wrong passphrase, no prompt) and none matched. Messages name locations only. */
export class IdentityFailureError extends Error {}

export async function decryptArmored(
  enc: string, identities: readonly AgeIdentity[], locked: readonly LockedIdentities[] = [], warn?: (message: string) => void,
): Promise<Uint8Array | null> {
  return decryptAge(decodeArmor(enc), identities, locked, warn)
}

/**
 * The plaintext, or null when no identity matches any stanza. Throws when the file is malformed (header, HMAC,
 * payload) or a matching stanza cannot be unwrapped. Locked identities are unlocked (a passphrase prompt) only when
 * nothing else matched; their failures, like those of guarded identities, are thrown only if nothing matched at all.
 */
export async function decryptAge(
  file: Uint8Array, identities: readonly AgeIdentity[], locked: readonly LockedIdentities[] = [], warn?: (message: string) => void,
): Promise<Uint8Array | null> {
  // The header is parsed before any identity is asked, so a malformed file fails before any passphrase prompt.
  const header = parseHeader(file)
  const failures: string[] = []
  let fileKey = await unwrap(header, identities, failures)
  for (const set of fileKey === null ? locked : []) {
    let unlocked: readonly AgeIdentity[]
    try {
      unlocked = await set.unlock()
    } catch (error) {
      failures.push(`${set.location}: ${messageOf(error)}`)
      continue
    }
    fileKey = await unwrap(header, unlocked, failures)
    if (fileKey !== null) break
    warn?.(`encrypted identity '${set.location}' didn't match file's recipients`)
  }
  if (fileKey === null) {
    if (failures.length > 0) throw new IdentityFailureError(failures.join("; "))
    return null
  }
  verifyHeaderMac(header, fileKey)
  return decryptPayload(fileKey, header.payload)
}

// As typage's Decrypter: identities in order, the first file key wins, the first error ends the attempt (except for
// guarded identities, whose failures are recorded).
async function unwrap(header: AgeHeader, identities: readonly AgeIdentity[], failures: string[]): Promise<Uint8Array | null> {
  for (const identity of identities) {
    let fileKey: Uint8Array | null
    try {
      fileKey = await identity.unwrapFileKey(header)
    } catch (error) {
      if (!identity.guarded) throw error
      failures.push(`${identity.location}: ${messageOf(error)}`)
      continue
    }
    if (fileKey !== null) return fileKey
  }
  return null
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
