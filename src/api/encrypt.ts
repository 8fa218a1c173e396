// encrypt: a plaintext file's bytes in, the sops file out (spec §12 "encrypt").
import { randomBytes } from "node:crypto"
import { resolve } from "node:path"
import { Cipher, type IvSource } from "../core/cipher.js"
import { encryptTree } from "../core/encrypt-tree.js"
import { ExitCode, TsopsError } from "../core/errors.js"
import { wrapDataKey } from "../core/key-groups.js"
import { encryptMac, nowRfc3339 } from "../core/mac.js"
import { metadataToTree, sopsVersion, type Metadata } from "../core/metadata.js"
import { conflictMessage, countRules, defaultUnencryptedSuffix, ruleFields, type CryptRules } from "../core/rules.js"
import type { FormatName } from "../core/store.js"
import { findConfigPath, loadConfig, selectCreationRule, type KeySpec } from "../config/sops-yaml.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { keySpecsFromFlags, loadKeyGroups } from "./keys.js"
import { cwdOf, envOf, keyContext, toBytes } from "./options.js"
import { emitOptions, type OutputOptions } from "./output.js"

export interface EncryptOptions extends OutputOptions, CryptRules {
  /** Name used to pick the formats and the creation rule (`--filename-override`). */
  filename?: string
  inputType?: FormatName | string
  outputType?: FormatName | string
  /** Recipients per key type, comma-separated (`--age`, `--pgp`). Any given: only these keys are used. */
  age?: string
  pgp?: string
  /** Explicit key groups (library use); take precedence over flags and config. */
  keyGroups?: KeySpec[][]
  /** `--shamir-secret-sharing-threshold`; non-zero overrides the rule's. */
  shamirThreshold?: number
  /** For known-answer tests only: a fixed data key, IVs and clock. */
  dataKey?: Uint8Array
  ivSource?: IvSource
  now?: Date
}

export const alreadyEncryptedMessage =
  "The file you have provided contains a top-level entry called 'sops', or for flat file formats top-level entries starting with 'sops_'. This is generally due to the file already being encrypted. If this is a file you want to encrypt, rename the top-level entry."

/**
 * Encrypts a plaintext file for the keys given (or those of the matching `.sops.yaml` creation rule).
 * @throws TsopsError: exit 203 if already encrypted, 92 for an empty YAML file, 2 for unparseable
 *   input, 8 for conflicting rules, 1 when no keys are given or configured
 * @example
 *   const encrypted = await encrypt("password: hunter2\n", { filename: "s.yaml", age: "age1…" })
 */
export async function encrypt(input: Uint8Array | string, options: EncryptOptions = {}): Promise<Uint8Array> {
  const filename = options.filename ?? ""
  const inputFormat = selectFormat(options.inputType, filename)
  const outputFormat = selectFormat(options.outputType, filename)
  const [inputStore, outputStore, plan] = await Promise.all([
    loadStore(inputFormat), loadStore(outputFormat), planKeys(filename, options),
  ])
  const parsed = inputStore.parse(toBytes(input))
  if (parsed.branches.length === 0) {
    throw new TsopsError("File cannot be completely empty, it must contain at least one document", ExitCode.NeedAtLeastOneDocument)
  }
  if (parsed.metadata !== undefined) throw new TsopsError(alreadyEncryptedMessage, ExitCode.FileAlreadyEncrypted)

  const { rules, stored } = newFileRules(plan, inputFormat, options.warn)
  const dataKey = options.dataKey ?? randomBytes(32)
  const cipher = new Cipher(dataKey, options.ivSource)
  const [wrapped, mac] = await Promise.all([
    loadKeyGroups(plan.keyGroups).then(groups => wrapDataKey(dataKey, groups, plan.shamirThreshold, keyContext(options))),
    Promise.resolve().then(() => encryptTree(parsed.branches, cipher, rules)),
  ])
  const lastModified = nowRfc3339(options.now)
  const metadata: Metadata = {
    keyGroups: wrapped.keyGroups,
    shamirThreshold: wrapped.shamirThreshold,
    lastModified,
    mac: encryptMac(cipher, mac, lastModified),
    version: sopsVersion,
    rules: stored,
  }
  const layout = inputFormat === outputFormat ? parsed.layout : undefined
  const stores = plan.stores
  return outputStore.emit(parsed.branches, emitOptions(outputFormat, layout, options, stores, metadataToTree(metadata)))
}

/** What a new file gets: its master keys, Shamir threshold and crypt rules, and the config's `stores`. */
export interface KeyPlan {
  keyGroups: KeySpec[][]
  shamirThreshold: number
  rules: CryptRules
  stores: Awaited<ReturnType<typeof loadConfig>>["stores"]
}

/**
 * The rules a new file is encrypted with (`rules`) and the ones its metadata records (`stored`).
 * sops forces every rule off for binary files and writes no unencrypted_suffix for them (spec §3.1);
 * other files without a rule record the default `_unencrypted` suffix.
 */
export function newFileRules(plan: KeyPlan, format: FormatName, warn?: (message: string) => void): { rules: CryptRules; stored: CryptRules } {
  const rules: CryptRules = { ...plan.rules }
  if (format === "binary") {
    for (const field of ruleFields) {
      if (rules[field]) warn?.(`${field} is ignored for binary files`)
      delete rules[field]
    }
    delete rules.macOnlyEncrypted
  }
  const stored: CryptRules = { ...rules }
  if (format !== "binary" && countRules(rules) === 0) stored.unencryptedSuffix = defaultUnencryptedSuffix
  return { rules, stored }
}

/**
 * Keys, rules and threshold for a new file: flags first, then the creation rule (spec §8.3).
 * `encrypt` and `edit` of a file that does not exist yet use it.
 * @throws TsopsError: exit 8 for conflicting rules, 1 when no keys are given or configured
 */
export async function planKeys(filename: string, options: EncryptOptions): Promise<KeyPlan> {
  const env = envOf(options)
  const configPath = options.config === false
    ? undefined
    : findConfigPath(cwdOf(options), options.config ?? env.SOPS_CONFIG, options.warn)
  const config = configPath ? await loadConfig(configPath) : undefined
  const rule = config ? selectCreationRule(config, resolve(cwdOf(options), filename)) : undefined

  const cliRules: CryptRules = {}
  for (const field of ruleFields) if (options[field]) cliRules[field] = options[field]
  const rules: CryptRules = {}
  for (const field of ruleFields) {
    const value = cliRules[field] || rule?.rules[field]
    if (value) rules[field] = value
  }
  if (options.macOnlyEncrypted || rule?.rules.macOnlyEncrypted) rules.macOnlyEncrypted = true
  if (countRules(rules) > 1) throw new TsopsError(`Error: ${conflictMessage} in the same file`, ExitCode.ErrorConflictingParameters)

  const flagKeys = keySpecsFromFlags({ age: options.age, pgp: options.pgp }, env)
  let keyGroups: KeySpec[][]
  if (options.keyGroups && options.keyGroups.length > 0) keyGroups = options.keyGroups
  else if (flagKeys.length > 0) keyGroups = [flagKeys]
  else keyGroups = rule?.keyGroups ?? []
  if (keyGroups.length === 0) {
    throw new TsopsError("config file not found, or has no creation rules, and no keys provided through command line options")
  }
  return {
    keyGroups,
    shamirThreshold: options.shamirThreshold || rule?.shamirThreshold || 0,
    rules,
    stores: config?.stores ?? {},
  }
}
