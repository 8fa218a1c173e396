// Parsed flags → library options, shared by the commands so each maps only what is its own.
import type { CryptRules } from "../core/rules.js"
import { passphrasePrompt, type Io } from "./io.js"

export type Flags = Record<string, unknown>

export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)
export const num = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined)

/** The process boundary every library call takes: environment, directory, warnings, passphrase prompt. */
export function ioOptions(io: Io, warn: (message: string) => void) {
  const askPassphrase = passphrasePrompt(io)
  return { env: io.env, cwd: io.cwd, warn, ...(askPassphrase ? { askPassphrase } : {}) }
}

/** `--input-type`, `--output-type`. */
export const typeOptions = (flags: Flags) => ({ inputType: str(flags.inputType), outputType: str(flags.outputType) })

/** `--ignore-mac`, `--decryption-order`. */
export const decryptFlagOptions = (flags: Flags) => ({ ignoreMac: flags.ignoreMac === true, decryptionOrder: str(flags.decryptionOrder) })

/** `--indent`, `--config`. */
export const layoutOptions = (flags: Flags) => ({ indent: num(flags.indent), config: str(flags.config) })

/** The key-selection rules, `--mac-only-encrypted` and `--shamir-secret-sharing-threshold`. */
export function ruleOptions(flags: Flags): CryptRules & { shamirThreshold: number | undefined } {
  return {
    unencryptedSuffix: str(flags.unencryptedSuffix),
    encryptedSuffix: str(flags.encryptedSuffix),
    unencryptedRegex: str(flags.unencryptedRegex),
    encryptedRegex: str(flags.encryptedRegex),
    unencryptedCommentRegex: str(flags.unencryptedCommentRegex),
    encryptedCommentRegex: str(flags.encryptedCommentRegex),
    macOnlyEncrypted: flags.macOnlyEncrypted === true,
    shamirThreshold: num(flags.shamirSecretSharingThreshold),
  }
}
