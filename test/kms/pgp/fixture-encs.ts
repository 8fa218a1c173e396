// The pgp entries (fp, enc) of a sops-written fixture, read with plain parsers so the tests don't depend on tsops's stores.
import { parseAllDocuments } from "yaml"
import { readFixture } from "../../support/fixtures.js"

export interface PgpFixtureEntry {
  readonly fp: string
  readonly enc: string
}

export function pgpEntriesOf(path: string): PgpFixtureEntry[] {
  const text = readFixture(path).toString("utf8")
  if (/\.ya?ml$/.test(path)) return parseAllDocuments(text).flatMap(doc => fromMetadata(sopsOf(doc.toJS())))
  if (/\.(json|txt)$/.test(path)) return fromMetadata(sopsOf(JSON.parse(text)))
  if (path.endsWith(".ini")) return fromFlat(iniSection(text, "sops"), "")
  if (path.endsWith(".env")) return fromFlat(dotenvPairs(text), "sops_")
  throw new Error(`no reader for ${path}`)
}

function sopsOf(document: unknown): Record<string, unknown> {
  const sops = (document as { sops?: unknown } | null)?.sops
  return typeof sops === "object" && sops !== null ? (sops as Record<string, unknown>) : {}
}

/** Top-level `pgp` plus every key group's `pgp`. */
function fromMetadata(sops: Record<string, unknown>): PgpFixtureEntry[] {
  const lists = [sops["pgp"], ...((sops["key_groups"] as { pgp?: unknown }[] | undefined) ?? []).map(group => group.pgp)]
  return lists.flatMap(list => (Array.isArray(list) ? list : []).map(entry => ({ fp: String(entry.fp), enc: String(entry.enc) })))
}

/** `pgp__list_<n>__map_<field>` flattened metadata (spec §5.5). */
function fromFlat(pairs: Map<string, string>, prefix: string): PgpFixtureEntry[] {
  const entries: PgpFixtureEntry[] = []
  for (let n = 0; pairs.has(`${prefix}pgp__list_${n}__map_enc`); n++) {
    entries.push({ fp: pairs.get(`${prefix}pgp__list_${n}__map_fp`) ?? "", enc: pairs.get(`${prefix}pgp__list_${n}__map_enc`)! })
  }
  return entries
}

/** `key = value` lines of one INI section; values either `"""`-quoted over several lines or one line with `\n` escapes. */
function iniSection(text: string, name: string): Map<string, string> {
  const pairs = new Map<string, string>()
  const lines = text.split("\n")
  let inSection = false
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const header = /^\[(.*)\]\s*$/.exec(line)
    if (header) {
      inSection = header[1] === name
      continue
    }
    const pair = /^([^=]+?)\s*=\s*(.*)$/.exec(line)
    if (!inSection || !pair) continue
    let value = pair[2]!
    if (value.startsWith('"""')) {
      const parts = [value.slice(3)]
      while (!parts.at(-1)!.endsWith('"""')) parts.push(lines[++i]!)
      value = parts.join("\n").slice(0, -3)
    } else value = value.replaceAll("\\n", "\n")
    pairs.set(pair[1]!, value)
  }
  return pairs
}

function dotenvPairs(text: string): Map<string, string> {
  const pairs = new Map<string, string>()
  for (const line of text.split("\n")) {
    const at = line.indexOf("=")
    if (at > 0 && !line.startsWith("#")) pairs.set(line.slice(0, at), line.slice(at + 1).replaceAll("\\n", "\n"))
  }
  return pairs
}
