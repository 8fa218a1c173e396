// The age master key (spec §6.1): wraps the data key as an armored age file for one recipient; unwraps it with every
// identity found in the environment. The parts live in kms/age/: X25519 runs on node:crypto alone, typage (ML-KEM,
// scrypt) and the noble curves (SSH) are imported only when a recipient, identity or stanza needs them.
import { KeySourceError, MetadataError } from "../src/core/errors.js"
import type { KeyContext, KeySource, KeyType, MetadataEntry } from "../src/core/key-source.js"
import { ArmorError, encodeArmor } from "./age/armor.js"
import { decryptArmored, messageOf } from "./age/decrypt.js"
import { encryptTo } from "./age/encrypt.js"
import { discoverIdentities, formatUnusedLocations } from "./age/identities.js"
import { checkRecipient } from "./age/recipient.js"

export { describeIdentitySources, unusedIdentityLocations, ageEnvVars } from "./age/identities.js"
export { generateAgeIdentity, type GeneratedAgeIdentity } from "./age/generate.js"

/**
 * One age recipient: `age1…` (X25519), `age1pq1…` (hybrid post-quantum), `ssh-ed25519 …` or `ssh-rsa …`.
 * The recipient string is kept exactly as given and is also the key's id.
 */
export class AgeKeySource implements KeySource {
  readonly type = "age"
  readonly id: string
  readonly recipient: string

  constructor(recipient: string) {
    this.recipient = recipient
    this.id = recipient
  }

  /** An armored age file of `dataKey` for this recipient. Throws KeySourceError for an unusable recipient. */
  async wrap(dataKey: Uint8Array, _context?: KeyContext): Promise<string> {
    try {
      return encodeArmor(await encryptTo(this.recipient, dataKey))
    } catch (error) {
      throw new KeySourceError(this.id, messageOf(error), { cause: error })
    }
  }

  /**
   * The data key, or null when no identity in the context matches this recipient's stanza. Throws KeySourceError
   * for a corrupt `enc`, an identity that matched but failed (wrong passphrase), or identity sources that failed
   * to load when nothing matched.
   */
  async unwrap(enc: string, context: KeyContext): Promise<Uint8Array | null> {
    if (enc === "") return null // an entry not yet encrypted (spec §5.3) holds nothing to unwrap
    const found = await discoverIdentities(context, this.recipient)
    const loadErrors = found.errors.length > 0 ? `. Errors while loading age identities: ${found.errors.join("; ")}` : ""
    if (found.identities.length === 0 && found.locked.length === 0) {
      if (loadErrors === "") return null
      const unused = formatUnusedLocations(found.unused)
      throw new KeySourceError(this.id, `failed to load age identities${loadErrors}${unused === "" ? "" : `. ${unused}`}`)
    }
    let dataKey: Uint8Array | null
    try {
      dataKey = await decryptArmored(enc, found.identities, found.locked, context.warn)
    } catch (error) {
      // Messages come from the header, MAC and payload checks, the armor decoder or the identities: no key material.
      const reason = error instanceof ArmorError ? error.message : messageOf(error)
      throw new KeySourceError(this.id, `failed to create reader for decrypting sops data key with age: ${reason}${loadErrors}`)
    }
    if (dataKey === null && loadErrors !== "") {
      throw new KeySourceError(this.id, `no identity matched any of the recipients${loadErrors}`)
    }
    return dataKey
  }

  /** `{ enc, recipient }`: sops writes age entries with exactly these fields, in this order (spec §5.3). */
  toEntry(enc: string): MetadataEntry {
    return { enc, recipient: this.recipient }
  }
}

export const keyType: KeyType = {
  type: "age",

  fromEntry(entry: MetadataEntry): { key: AgeKeySource; enc: string } {
    const recipient = field(entry, "recipient")
    if (typeof recipient !== "string" || recipient === "") throw new MetadataError("age key entry has no recipient")
    const enc = field(entry, "enc") ?? ""
    if (typeof enc !== "string") throw new MetadataError(`age key ${recipient}: enc is not a string`)
    // Not validated: a file may hold recipients tsops cannot use (an age plugin) and must still load and keep them.
    return { key: new AgeKeySource(recipient), enc }
  },

  /** Comma-separated recipients, trimmed, empty items dropped; each is validated at once. Throws TsopsError. */
  fromList(list: string): AgeKeySource[] {
    return list.split(",").map(item => item.trim()).filter(item => item !== "").map(recipient => {
      checkRecipient(recipient)
      return new AgeKeySource(recipient)
    })
  },
}

// Go's YAML/JSON decoding into sops's structs matches field names case-insensitively.
function field(entry: MetadataEntry, name: string): unknown {
  if (Object.hasOwn(entry, name)) return entry[name]
  const match = Object.keys(entry).find(key => key.toLowerCase() === name)
  return match === undefined ? undefined : entry[match]
}
