// Encrypting a data key to one recipient as an age file. X25519 and SSH recipients use the native header and STREAM
// code (node:crypto); only hybrid post-quantum recipients load typage, which brings ML-KEM.
import { randomBytes } from "node:crypto"
import { TsopsError } from "../../src/core/errors.js"
import { messageOf } from "./decrypt.js"
import { encodeHeader, type Recipient } from "./header.js"
import { concatBytes } from "./primitives.js"
import { checkRecipient, parseSshRecipient } from "./recipient.js"
import { encryptPayload } from "./stream.js"
import { X25519Recipient } from "./x25519.js"

/** The binary age file of `plaintext` for `recipient`. Throws TsopsError (sops's wording) for an unusable recipient. */
export async function encryptTo(recipient: string, plaintext: Uint8Array): Promise<Uint8Array> {
  switch (checkRecipient(recipient)) {
    case "x25519":
      return encryptAge(plaintext, [new X25519Recipient(recipient)])
    case "ssh": {
      const key = parseSshRecipient(recipient)
      const { sshRecipient } = await import("./ssh.js")
      let wrapper: Recipient
      try {
        wrapper = sshRecipient(key)
      } catch (error) {
        throw new TsopsError(`failed to parse input as age-ssh public key: malformed SSH recipient: ${JSON.stringify(recipient)}: ${messageOf(error)}`)
      }
      return encryptAge(plaintext, [wrapper])
    }
    default: {
      // Hybrid (checkRecipient refuses plugins): typage's HybridRecipient is not exported, its Encrypter is.
      const { Encrypter } = await import("age-encryption")
      const encrypter = new Encrypter()
      encrypter.addRecipient(recipient)
      return encrypter.encrypt(plaintext)
    }
  }
}

/** An age file of `plaintext` for the recipients (C2SP age spec: a 16-byte file key, header with MAC, payload). */
export async function encryptAge(plaintext: Uint8Array, recipients: readonly Recipient[]): Promise<Uint8Array> {
  const fileKey = new Uint8Array(randomBytes(16))
  const stanzas = []
  for (const recipient of recipients) stanzas.push(...await recipient.wrapFileKey(fileKey))
  return concatBytes(encodeHeader(stanzas, fileKey), encryptPayload(fileKey, plaintext))
}
