// Encrypts the leaves the rules select and computes the MAC over all plaintexts (spec §2, §3, §4).
import type { Cipher } from "./cipher.js"
import { ExitCode, TsopsError } from "./errors.js"
import { MacHasher } from "./mac.js"
import { activeRule, type CryptRules } from "./rules.js"
import { plaintextOf } from "./scalar.js"
import { Comment, type TreeMap } from "./tree.js"
import { walkBranches } from "./walk.js"

/** Encrypts the branches in place; returns the MAC (uppercase hex) of their plaintexts. */
export function encryptTree(branches: readonly TreeMap[], cipher: Cipher, rules: CryptRules): string {
  const rule = activeRule(rules)
  const macOnlyEncrypted = rules.macOnlyEncrypted === true
  const mac = new MacHasher(macOnlyEncrypted)
  walkBranches(branches, rule, {
    scalar(value, leaf) {
      const { type, plaintext } = plaintextOf(value)
      if (leaf.encrypted || !macOnlyEncrypted) mac.update(plaintext)
      // Empty strings are never encrypted, but still count (as zero bytes) in the MAC (spec §2.3).
      if (!leaf.encrypted || plaintext.length === 0) return value
      return cipher.encryptValue(plaintext, leaf.aad, type)
    },
    comment(comment, leaf) {
      if (!leaf.encrypted || comment.value === "") return { comment, plaintext: comment.value }
      const encrypted = cipher.encrypt(Buffer.from(comment.value, "utf8"), leaf.aad, "comment")
      if (rule.kind === "unencryptedCommentRegex" && rule.regex.test(encrypted)) {
        throw new TsopsError(
          `Error encrypting tree: Encrypted comment "${encrypted}" matches UnencryptedCommentRegex! Make sure that UnencryptedCommentRegex cannot match an encrypted comment.`,
          ExitCode.ErrorEncryptingTree,
        )
      }
      return { comment: new Comment(encrypted, comment.inline), plaintext: comment.value }
    },
  })
  return mac.digest()
}
