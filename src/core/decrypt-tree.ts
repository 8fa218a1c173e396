// Decrypts the leaves the rules say are encrypted and recomputes the MAC from the parsed
// plaintexts (spec §2.3, §2.5, §2.6, §4).
import { isEncrypted, type Cipher } from "./cipher.js"
import { EncryptedBytes } from "./encrypted-bytes.js"
import { DecryptionError } from "./errors.js"
import { MacHasher } from "./mac.js"
import { activeRule, type CryptRules } from "./rules.js"
import { parsePlaintext, plaintextOf } from "./scalar.js"
import { Comment, SopsTime, type Scalar, type TreeMap } from "./tree.js"
import { walkBranches } from "./walk.js"

export interface DecryptTreeOptions {
  /** Told about comments kept as they stand because they do not decrypt (spec §2.5). */
  warn?: (message: string) => void
}

/** Decrypts the branches in place; returns the MAC (uppercase hex) computed from the plaintexts. */
export function decryptTree(
  branches: readonly TreeMap[],
  cipher: Cipher,
  rules: CryptRules,
  options: DecryptTreeOptions = {},
): string {
  const macOnlyEncrypted = rules.macOnlyEncrypted === true
  const mac = new MacHasher(macOnlyEncrypted)
  let warnedComment = false
  walkBranches(branches, activeRule(rules), {
    scalar(value, leaf, inList) {
      if (!leaf.encrypted) {
        if (!macOnlyEncrypted) mac.update(plaintextOf(value).plaintext)
        return value
      }
      if (typeof value !== "string" && !(value instanceof EncryptedBytes)) {
        throw new DecryptionError(`Error walking tree: Expected encrypted value as string, but got ${goTypeName(value)}`)
      }
      if (value === "") return value
      const { plaintext, type } = decryptValue(cipher, value, leaf.aad)
      const parsed = parsePlaintext(type, plaintext)
      if (parsed instanceof Comment) {
        // sops writes an encrypted comment inside a sequence as an ENC string element; it is a
        // comment again once decrypted and is never hashed (spec §2.6, sops issue #2243).
        return inList ? parsed : parsed.value
      }
      // A string is hashed as its UTF-8 bytes, which are the decrypted bytes themselves; other
      // types as their canonical text (an int stored as "007" is hashed as "7").
      mac.update(type === "str" || type === "bytes" ? plaintext : plaintextOf(parsed).plaintext)
      return parsed
    },
    comment(comment, leaf) {
      if (!leaf.encrypted || comment.value === "" || !isEncrypted(comment.value)) {
        if (leaf.encrypted && comment.value !== "" && !warnedComment) {
          warnedComment = true
          options.warn?.("Found possibly unencrypted comment in file. This is to be expected if the file being decrypted was created with an older version of SOPS.")
        }
        return { comment, plaintext: comment.value }
      }
      const text = decryptComment(cipher, comment.value, leaf.aad)
      if (text === undefined) {
        if (!warnedComment) {
          warnedComment = true
          options.warn?.("Found a comment that does not decrypt; it is kept as it stands.")
        }
        return { comment, plaintext: comment.value }
      }
      return { comment: new Comment(text, comment.inline), plaintext: text }
    },
  })
  return mac.digest()
}

function decryptValue(cipher: Cipher, value: string | EncryptedBytes, aad: string): { plaintext: Buffer; type: string } {
  try {
    return cipher.decryptValue(value, aad)
  } catch (error) {
    if (error instanceof DecryptionError) {
      const path = aad.slice(0, -1).split(":").map(k => `[${JSON.stringify(k)}]`).join("")
      throw new DecryptionError(`Error decrypting tree: ${error.message.replace(/^Error decrypting tree: /, "")} (at ${path})`)
    }
    throw error
  }
}

/**
 * A comment's AAD is the path of the map or list that holds it. Should a writer have attached it
 * to another level than we did, the enclosing levels are tried too: comments are not in the MAC,
 * and a comment that does not decrypt is kept as it stands, as sops does (spec §2.5).
 */
function decryptComment(cipher: Cipher, value: string, aad: string): string | undefined {
  const parts = aad === ":" ? [] : aad.slice(0, -1).split(":")
  for (let n = parts.length; n >= 0; n--) {
    const candidate = n === 0 ? ":" : `${parts.slice(0, n).join(":")}:`
    try {
      const { plaintext, type } = cipher.decrypt(value, candidate)
      if (type === "comment" || type === "str") return plaintext.toString("utf8")
    } catch {
      // try the enclosing level
    }
  }
  return undefined
}

function goTypeName(value: Scalar): string {
  if (typeof value === "bigint") return "int"
  if (typeof value === "number") return "float64"
  if (typeof value === "boolean") return "bool"
  if (value instanceof SopsTime) return "time.Time"
  return "[]uint8"
}
