// Which values get encrypted (spec §3): the six mutually exclusive rules and mac_only_encrypted.
import { TsopsError, ExitCode } from "./errors.js"
import { compileRe2 } from "./re2.js"

export interface CryptRules {
  unencryptedSuffix?: string
  encryptedSuffix?: string
  unencryptedRegex?: string
  encryptedRegex?: string
  unencryptedCommentRegex?: string
  encryptedCommentRegex?: string
  macOnlyEncrypted?: boolean
}

export const ruleFields = [
  "unencryptedSuffix", "encryptedSuffix", "unencryptedRegex", "encryptedRegex",
  "unencryptedCommentRegex", "encryptedCommentRegex",
] as const

export const defaultUnencryptedSuffix = "_unencrypted"

/** The one active rule, compiled once per walk. */
export type ActiveRule =
  | { kind: "unencryptedSuffix" | "encryptedSuffix"; suffix: string }
  | { kind: "unencryptedRegex" | "encryptedRegex" | "unencryptedCommentRegex" | "encryptedCommentRegex"; regex: RegExp }

/** How many of the six rules are set. */
export const countRules = (rules: CryptRules): number => ruleFields.filter(f => rules[f]).length

export const conflictMessage =
  "cannot use more than one of encrypted_suffix, unencrypted_suffix, encrypted_regex, unencrypted_regex, encrypted_comment_regex, or unencrypted_comment_regex"

/** The active rule; none set means the default `_unencrypted` suffix (spec §3.1). */
export function activeRule(rules: CryptRules): ActiveRule {
  if (countRules(rules) > 1) {
    throw new TsopsError(`Error: ${conflictMessage} in the same file`, ExitCode.ErrorConflictingParameters)
  }
  if (rules.encryptedSuffix) return { kind: "encryptedSuffix", suffix: rules.encryptedSuffix }
  for (const kind of ["unencryptedRegex", "encryptedRegex", "unencryptedCommentRegex", "encryptedCommentRegex"] as const) {
    const pattern = rules[kind]
    if (pattern) return { kind, regex: compileRe2(pattern, kind) }
  }
  return { kind: "unencryptedSuffix", suffix: rules.unencryptedSuffix || defaultUnencryptedSuffix }
}
