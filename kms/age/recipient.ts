// age recipient syntaxes, checked in sops's order (spec §6.1): hybrid PQ, plugin, X25519, SSH, else unknown.
import { bech32 } from "@scure/base"
import { TsopsError } from "../../src/core/errors.js"
import { messageOf } from "./decrypt.js"
import { UnsupportedSshKeyTypeError, parseAuthorizedKey, rsaModulusBytes, type SshPublicKey } from "./ssh-public-key.js"

export type RecipientKind = "hybrid" | "plugin" | "x25519" | "ssh"

/** The kind of a (trimmed) recipient. Throws sops's message for an unknown syntax. */
export function recipientKind(recipient: string): RecipientKind {
  if (recipient.startsWith("age1pq1")) return "hybrid"
  // Bech32 data never contains "1", so a second one means `age1<plugin name>1…`.
  if (recipient.startsWith("age1") && recipient.split("1").length > 2) return "plugin"
  if (recipient.startsWith("age1")) return "x25519"
  if (recipient.startsWith("ssh-")) return "ssh"
  throw new TsopsError(`failed to parse input, unknown recipient type: ${JSON.stringify(recipient)}`)
}

/** Validates a recipient fully, as sops does when a key is added. Throws TsopsError with sops's wording. */
export function checkRecipient(recipient: string): RecipientKind {
  const kind = recipientKind(recipient)
  switch (kind) {
    case "hybrid":
      checkBech32(recipient, "age1pq", 1216)
      break
    case "plugin":
      throw new TsopsError(`age plugin recipients are not supported yet: ${recipient}`)
    case "x25519":
      checkBech32(recipient, "age", 32)
      break
    case "ssh":
      parseSshRecipient(recipient)
      break
  }
  return kind
}

function checkBech32(recipient: string, prefix: string, length: number): void {
  let problem: string | undefined
  try {
    // No 90-character limit: a hybrid recipient is about 1,960 characters long.
    const decoded = bech32.decode(recipient as `${string}1${string}`, false)
    const bytes = bech32.fromWords(decoded.words)
    if (decoded.prefix !== prefix) problem = "invalid type"
    else if (bytes.length !== length) problem = "invalid length"
  } catch (error) {
    problem = messageOf(error)
  }
  if (problem !== undefined) {
    throw new TsopsError(`failed to parse input as Bech32-encoded age public key: malformed recipient ${JSON.stringify(recipient)}: ${problem}`)
  }
}

/** Parses an SSH recipient as sops does when a key is added. Throws TsopsError with sops's wording. */
export function parseSshRecipient(recipient: string): SshPublicKey {
  let key: SshPublicKey
  try {
    key = parseAuthorizedKey(recipient)
  } catch (error) {
    if (error instanceof UnsupportedSshKeyTypeError) {
      throw new TsopsError(`failed to parse input as age-ssh public key: ${error.message}`)
    }
    throw new TsopsError(`failed to parse input as age-ssh public key: malformed SSH recipient: ${JSON.stringify(recipient)}: ${messageOf(error)}`)
  }
  if (key.type === "ssh-rsa" && rsaModulusBytes(key.n) < 2048 / 8) {
    throw new TsopsError(`failed to parse input as age-ssh public key: malformed SSH recipient: ${JSON.stringify(recipient)}: RSA key size is too small`)
  }
  return key
}
