// Who can decrypt a sops file, read from its metadata without any key: age recipients, PGP
// fingerprints, KMS key ids — for the "no key here" message. Public identifiers only.
import { loadYaml } from "./resource-yaml.js"

const idFields: Record<string, (entry: Record<string, unknown>) => string | undefined> = {
  age: e => str(e.recipient),
  pgp: e => str(e.fp),
  kms: e => str(e.arn),
  gcp_kms: e => str(e.resource_id),
  azure_kv: e => (str(e.vault_url) && str(e.name) ? `${str(e.vault_url)}/keys/${str(e.name)}${str(e.version) ? `/${str(e.version)}` : ""}` : undefined),
  hc_vault: e => (str(e.vault_address) ? `${str(e.vault_address)}/v1/${str(e.engine_path) ?? ""}/keys/${str(e.key_name) ?? ""}` : undefined),
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** "age age1…", "pgp FBC7…" for every master key in a `sops` metadata map (top level and key_groups). */
export function recipientsOfMetadata(sops: unknown): string[] {
  if (!isRecord(sops)) return []
  const groups = Array.isArray(sops.key_groups) ? sops.key_groups.filter(isRecord) : []
  const out: string[] = []
  for (const group of [sops, ...groups]) {
    for (const [type, idOf] of Object.entries(idFields)) {
      const list = group[type]
      if (!Array.isArray(list)) continue
      for (const entry of list) {
        const id = isRecord(entry) ? idOf(entry) : undefined
        if (id !== undefined) out.push(`${type} ${id}`)
      }
    }
  }
  return [...new Set(out)]
}

// dotenv and INI flatten the metadata: `sops_age__list_0__map_recipient=…` (dotenv) or, in the
// [sops] section, `age__list_0__map_recipient = …` (INI), key groups as `key_groups__list_0__map_…`.
const flatPattern = /^(?:key_groups__list_\d+__map_)?(age|pgp|kms|gcp_kms|azure_kv|hc_vault)__list_(\d+)__map_(\w+)$/

function recipientsOfFlat(pairs: Iterable<[string, string]>): string[] {
  const entries = new Map<string, { type: string; fields: Record<string, unknown> }>()
  for (const [key, value] of pairs) {
    const match = flatPattern.exec(key)
    if (!match) continue
    const [, type, index, field] = match
    const group = key.startsWith("key_groups__list_") ? key.slice(0, key.indexOf("__map_")) : ""
    const id = `${group}/${type}/${index}`
    const entry = entries.get(id) ?? { type: type!, fields: {} }
    entry.fields[field!] = value
    entries.set(id, entry)
  }
  const out: string[] = []
  for (const { type, fields } of entries.values()) {
    const id = idFields[type]?.(fields)
    if (id !== undefined) out.push(`${type} ${id}`)
  }
  return [...new Set(out)]
}

function* dotenvPairs(text: string): Iterable<[string, string]> {
  for (const line of text.split("\n")) {
    const at = line.indexOf("=")
    if (line.startsWith("sops_") && at > 0) yield [line.slice(5, at), line.slice(at + 1)]
  }
}

function* iniPairs(text: string): Iterable<[string, string]> {
  let inSops = false
  for (const raw of text.split("\n")) {
    const line = raw.trim()
    if (line.startsWith("[")) inSops = line === "[sops]"
    const at = line.indexOf("=")
    if (inSops && at > 0) yield [line.slice(0, at).trim(), line.slice(at + 1).trim()]
  }
}

/** Recipients of an encrypted file's bytes in the given sops format; [] when the metadata is unreadable. */
export async function recipientsOf(bytes: Uint8Array, format: string): Promise<string[]> {
  const text = Buffer.from(bytes).toString("utf8")
  try {
    if (format === "dotenv") return recipientsOfFlat(dotenvPairs(text))
    if (format === "ini") return recipientsOfFlat(iniPairs(text))
    if (format === "json" || format === "binary") return recipientsOfMetadata((JSON.parse(text) as Record<string, unknown>).sops)
    const YAML = await loadYaml()
    for (const doc of YAML.parseAllDocuments(text, { prettyErrors: false })) {
      const found = recipientsOfMetadata((doc.toJS() as Record<string, unknown> | null)?.sops)
      if (found.length > 0) return found
    }
    return []
  } catch {
    return [] // the message then says the metadata could not be read; the parse error may quote plaintext
  }
}
