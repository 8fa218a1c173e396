// .sops.yaml: discovery from the working directory up (spec §8.1), creation_rules with sops's
// first-match semantics (§8.3) and the `stores` settings (§8.2).
import { existsSync, readFileSync } from "node:fs"
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path"
import { ExitCode, TsopsError } from "../core/errors.js"
import { compileRe2 } from "../core/re2.js"
import { conflictMessage, countRules, type CryptRules } from "../core/rules.js"

/** A master key named in config or flags, not yet loaded: its metadata type and its text. */
export interface KeySpec {
  type: string
  value: string
}

export interface CreationRule {
  /** key groups; empty when the rule names no keys */
  keyGroups: KeySpec[][]
  shamirThreshold: number
  rules: CryptRules
}

export interface StoresConfig {
  yamlIndent?: number
  jsonIndent?: number
  jsonBinaryIndent?: number
}

export interface SopsConfig {
  path: string
  creationRules: unknown[] | undefined
  stores: StoresConfig
}

export class ConfigError extends TsopsError {}

/** The config file: `--config`/SOPS_CONFIG, else the first `.sops.yaml` from `cwd` upwards. */
export function findConfigPath(cwd: string, explicit?: string, warn?: (message: string) => void): string | undefined {
  if (explicit) return resolve(cwd, explicit)
  let dir = resolve(cwd)
  for (let i = 0; i < 100; i++) {
    const candidate = join(dir, ".sops.yaml")
    if (existsSync(candidate)) return candidate
    const yml = join(dir, ".sops.yml")
    if (existsSync(yml)) warn?.(`ignoring "${yml}" when searching for config file; the config file must be called ".sops.yaml"`)
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return undefined
}

export async function loadConfig(path: string): Promise<SopsConfig> {
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (cause) {
    throw new ConfigError(`error loading config: cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? "error"}`, ExitCode.ErrorGeneric, { cause })
  }
  // The bundle may hand the CommonJS build of `yaml` in as a default export.
  const yaml = await import("yaml")
  const parse = yaml.parse ?? (yaml as unknown as { default: typeof yaml }).default.parse
  let data: unknown
  try {
    data = parse(text, { prettyErrors: false, uniqueKeys: false, merge: true })
  } catch (cause) {
    throw new ConfigError(`error loading config: ${path} is not valid YAML: ${(cause as Error).message.split("\n")[0]}`, ExitCode.ErrorGeneric)
  }
  const root = (data ?? {}) as Record<string, unknown>
  if (typeof root !== "object" || Array.isArray(root)) throw new ConfigError(`error loading config: ${path} must be a mapping`)
  const rules = root.creation_rules
  if (rules !== undefined && rules !== null && !Array.isArray(rules)) throw new ConfigError("error loading config: creation_rules must be a list")
  return { path, creationRules: Array.isArray(rules) ? rules : undefined, stores: parseStores(root.stores) }
}

function parseStores(raw: unknown): StoresConfig {
  const stores: StoresConfig = {}
  if (typeof raw !== "object" || raw === null) return stores
  const indent = (name: string): number | undefined => {
    const section = (raw as Record<string, unknown>)[name]
    if (typeof section !== "object" || section === null) return undefined
    const value = (section as Record<string, unknown>).indent
    return typeof value === "number" ? value : undefined
  }
  const yamlIndent = indent("yaml")
  if (yamlIndent !== undefined) {
    if (yamlIndent < 0) throw new ConfigError("YAML Negative indentation not accepted")
    stores.yamlIndent = yamlIndent === 0 ? 4 : yamlIndent
  }
  for (const [name, key] of [["json", "jsonIndent"], ["json_binary", "jsonBinaryIndent"]] as const) {
    const value = indent(name)
    if (value === undefined) continue
    if (value < -1) throw new ConfigError("JSON Indentation parameter smaller than -1 is not accepted")
    stores[key] = value
  }
  return stores
}

const listFields: Record<string, string> = {
  age: "age", pgp: "pgp", kms: "kms", gcp_kms: "gcp_kms", azure_keyvault: "azure_kv",
  hc_vault_transit_uri: "hc_vault", hckms: "hckms",
}
// Order of the simple (non key_groups) form (spec §8.2).
const simpleOrder = ["age", "pgp", "kms", "gcp_kms", "hckms", "azure_keyvault", "hc_vault_transit_uri"]

function splitList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return []
  if (typeof value === "string") return value.split(",").map(s => s.trim()).filter(Boolean)
  if (Array.isArray(value)) {
    return value.flatMap(item => {
      if (typeof item !== "string") throw new ConfigError(`invalid ${field} key configuration: expected string in list, got ${typeof item}`)
      return item.split(",").map(s => s.trim()).filter(Boolean)
    })
  }
  throw new ConfigError(`invalid ${field} key configuration: expected string or list`)
}

function groupFromObject(group: Record<string, unknown>): KeySpec[] {
  const keys: KeySpec[] = []
  const merged = group.merge
  if (Array.isArray(merged)) for (const m of merged) if (typeof m === "object" && m !== null) keys.push(...groupFromObject(m as Record<string, unknown>))
  for (const value of splitList(group.age, "age")) keys.push({ type: "age", value })
  for (const value of splitList(group.pgp, "pgp")) keys.push({ type: "pgp", value })
  for (const [field, type] of [["kms", "kms"], ["gcp_kms", "gcp_kms"], ["hckms", "hckms"], ["azure_keyvault", "azure_kv"], ["hc_vault", "hc_vault"]] as const) {
    const list = group[field]
    if (Array.isArray(list) && list.length > 0) keys.push({ type, value: JSON.stringify(list) })
  }
  const seen = new Set<string>()
  return keys.filter(k => {
    const id = `${k.type}\u0000${k.value}`
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/**
 * The first creation rule whose path_regex matches `filePath` (made relative to the config's
 * directory). Undefined when the config has no creation_rules (treated as no config); throws
 * `no matching creation rules found` when rules exist but none matches — even with CLI keys (§8.3).
 */
export function selectCreationRule(config: SopsConfig, filePath: string): CreationRule | undefined {
  if (!config.creationRules) return undefined
  const configDir = dirname(config.path)
  const absolute = resolve(filePath)
  const rel = absolute.startsWith(configDir + sep) ? relative(configDir, absolute) : absolute
  for (const raw of config.creationRules) {
    if (typeof raw !== "object" || raw === null) continue
    const rule = raw as Record<string, unknown>
    const pathRegex = typeof rule.path_regex === "string" ? rule.path_regex : ""
    if (pathRegex !== "" && !compileRe2(pathRegex, "path_regex").test(isAbsolute(rel) ? rel : rel)) continue
    return toCreationRule(rule)
  }
  throw new ConfigError("error loading config: no matching creation rules found")
}

function toCreationRule(rule: Record<string, unknown>): CreationRule {
  const rules: CryptRules = {}
  const str = (name: string) => (typeof rule[name] === "string" ? (rule[name] as string) : undefined)
  rules.unencryptedSuffix = str("unencrypted_suffix")
  rules.encryptedSuffix = str("encrypted_suffix")
  rules.unencryptedRegex = str("unencrypted_regex")
  rules.encryptedRegex = str("encrypted_regex")
  rules.unencryptedCommentRegex = str("unencrypted_comment_regex")
  rules.encryptedCommentRegex = str("encrypted_comment_regex")
  rules.macOnlyEncrypted = rule.mac_only_encrypted === true || rule.mac_only_encrypted === "true"
  for (const k of Object.keys(rules) as (keyof CryptRules)[]) if (rules[k] === undefined || rules[k] === "") delete rules[k]
  if (countRules(rules) > 1) throw new ConfigError(`error loading config: ${conflictMessage} for the same rule`)
  let keyGroups: KeySpec[][] = []
  if (Array.isArray(rule.key_groups) && rule.key_groups.length > 0) {
    keyGroups = rule.key_groups.map(g => groupFromObject((g ?? {}) as Record<string, unknown>))
  } else {
    const group: KeySpec[] = []
    for (const field of simpleOrder) {
      for (const value of splitList(rule[field], field)) group.push({ type: listFields[field]!, value })
    }
    if (group.length > 0) keyGroups = [group]
  }
  const threshold = rule.shamir_threshold
  return {
    keyGroups,
    shamirThreshold: typeof threshold === "number" ? threshold : typeof threshold === "string" ? Number(threshold) || 0 : 0,
    rules,
  }
}
