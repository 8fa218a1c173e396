// INI output as sops writes it through gopkg.in/ini.v1 (spec §9.4): comments above their key or
// section, `key = value` padded per section, the library's value quoting, blank lines between sections.
import { ExitCode, TsopsError } from "../src/core/errors.js"
import { valToString } from "../src/core/scalar.js"
import { Comment, isList, isMap, type TreeMap, type TreeValue } from "../src/core/tree.js"
import { flatten } from "./flatten.js"
import { textFromLeaf } from "./lossless-text.js"
import { trimGoSpace } from "./ini-parse.js"

export interface IniKeyOut {
  readonly name: string
  value: string
  comment: string
}

export interface IniSectionOut {
  readonly name: string
  readonly comment: string
  readonly keys: IniKeyOut[]
}

/** A leaf as ini.v1 gets it from sops (ValToString); INI holds only two levels. */
export function iniValueText(key: string, value: TreeValue): string {
  if (isMap(value) || isList(value)) {
    throw new TsopsError(`Error marshaling to INI: cannot use complex value in INI file; offending key ${key}`, ExitCode.ErrorDumpingTree)
  }
  if (typeof value === "string" || value instanceof Uint8Array) return textFromLeaf(value)
  return valToString(value)
}

/**
 * One tree item (a section) as ini.v1 holds it after sops's encodeTree: a first comment item is the
 * section comment, a comment after a key becomes that key's comment (the last one wins), a repeated
 * key updates the first one in place.
 */
export function sectionOut(name: string, value: TreeValue): IniSectionOut {
  if (!isMap(value)) throw new TsopsError("Error marshaling to INI: Error encoding section: Section values should always be TreeBranches", ExitCode.ErrorDumpingTree)
  if (name === "") throw new TsopsError("Error marshaling to INI: Error encoding section : empty section name", ExitCode.ErrorDumpingTree)
  const first = value.items[0]
  const comment = first && first.key instanceof Comment ? first.key.value : ""
  const keys: IniKeyOut[] = []
  const byName = new Map<string, IniKeyOut>()
  let last: IniKeyOut | undefined
  for (const item of value.items.slice(first?.key instanceof Comment ? 1 : 0)) {
    if (item.key instanceof Comment) {
      if (last) last.comment = item.key.value
      continue
    }
    if (item.key === "") throw new TsopsError("Error marshaling to INI: Error encoding key: error creating new key: empty key name", ExitCode.ErrorDumpingTree)
    const text = iniValueText(item.key, item.value)
    last = byName.get(item.key)
    if (last) last.value = text
    else {
      last = { name: item.key, value: text, comment: "" }
      keys.push(last)
      byName.set(item.key, last)
    }
  }
  return { name, comment, keys }
}

/** The `[sops]` section: flattened metadata, newlines in strings escaped as `\n` (spec §5.5). */
export function metadataSection(metadata: TreeMap): IniSectionOut {
  const keys = flatten(metadata).map(({ key, value }) => ({
    name: key,
    value: typeof value === "string" ? value.replaceAll("\n", "\\n") : iniValueText(key, value),
    comment: "",
  }))
  return { name: "sops", comment: "", keys }
}

const byteLength = (text: string): number => Buffer.byteLength(text, "utf8")

/** Comment lines: `; text` unless the line already starts with `;`/`#` (then that char, a space, the trimmed rest). */
export function commentLines(comment: string, trimPlain: boolean): string[] {
  return comment.split("\n").map(line => {
    if (line[0] !== "#" && line[0] !== ";") return `; ${trimPlain ? trimGoSpace(line) : line}`
    return `${line[0]} ${trimGoSpace(line.slice(1))}`
  })
}

/** A key as written: backticks around keys holding `"`, `=` or `:`; `"""` around keys holding a backtick. */
export function quoteKey(name: string): string {
  if (/["=:]/.test(name)) return `\`${name}\``
  if (name.includes("`")) return `"""${name}"""`
  return name
}

/** A value as written: `"""` for newlines or backticks, backticks for `#`/`;`, quotes for outer spaces. */
export function quoteValue(value: string): string {
  if (/[\n`]/.test(value)) return `"""${value}"""`
  if (/[#;]/.test(value)) return `\`${value}\``
  if (trimGoSpace(value).length !== value.length) return `"${value}"`
  return value
}

/** The key lines of one section, `=` aligned on the longest (quoted) key, counted in bytes as Go does. */
export function keyLines(keys: readonly IniKeyOut[]): string[] {
  const names = keys.map(key => quoteKey(key.name))
  const align = Math.max(0, ...names.map(byteLength))
  const lines: string[] = []
  keys.forEach((key, i) => {
    if (key.comment !== "") lines.push(...commentLines(key.comment, true))
    const name = names[i]!
    lines.push(`${name}${" ".repeat(align - byteLength(name))} = ${quoteValue(key.value)}`)
  })
  return lines
}

/** One section as written: comment, header (none for a leading DEFAULT), keys; each line ends with `\n`. */
export function sectionText(section: IniSectionOut, first: boolean): string {
  const lines = section.comment === "" ? [] : commentLines(section.comment, false)
  if (!first || section.name.toUpperCase() !== "DEFAULT") lines.push(`[${section.name}]`)
  else if (section.keys.length === 0) return lines.map(line => `${line}\n`).join("")
  lines.push(...keyLines(section.keys))
  return lines.map(line => `${line}\n`).join("")
}

/** The whole file; a blank line between sections (not after a skipped empty leading DEFAULT). */
export function renderIni(sections: readonly IniSectionOut[]): string {
  const parts: string[] = []
  sections.forEach((section, i) => {
    parts.push(sectionText(section, i === 0))
    const skipped = i === 0 && section.name.toUpperCase() === "DEFAULT" && section.keys.length === 0
    if (i < sections.length - 1 && !skipped) parts.push("\n")
  })
  return parts.join("")
}
