// dotenv store (spec §1.3, §9.3). Hand-written: the dotenv package trims keys, unquotes values and drops
// comments, while sops keeps `foo ` (trailing space) as a key, quotes as text and comments as tree items.
import { ExitCode, InputParseError, TsopsError } from "../src/core/errors.js"
import { valToString } from "../src/core/scalar.js"
import type { EmitOptions, ParsedFile, Store } from "../src/core/store.js"
import { Comment, isList, isMap, SopsTime, type MapItem, type TreeMap, type TreeValue } from "../src/core/tree.js"
import { flatten, unflatten } from "./flatten.js"
import { decodeLossless, encodeLossless, leafFromText, textFromLeaf } from "./lossless-text.js"

const sopsPrefix = "sops_"

/** One line of the input (without its `\n`); `eq` is the offset of the first `=` in it, none for a comment. */
class DotenvLineSrc {
  readonly layout: DotenvLayout
  readonly index: number
  readonly eq: number | undefined
  /** the comment text or the value as parsed, to tell whether it changed */
  readonly original: string | Uint8Array

  constructor(layout: DotenvLayout, index: number, eq: number | undefined, original: string | Uint8Array) {
    this.layout = layout
    this.index = index
    this.eq = eq
    this.original = original
  }
}

/** ParsedFile.layout of the dotenv store: the input's lines, blank ones included. */
class DotenvLayout {
  readonly lines: string[]
  readonly finalNewline: boolean
  /** what each line holds: a data or comment item, a `sops_` metadata entry, or nothing (blank) */
  readonly kinds: ("item" | "metadata" | "blank")[] = []
  /** each `sops_` line's key (prefix included) and value as parsed, by line index */
  readonly metadata = new Map<number, { key: string; value: string | Uint8Array }>()

  constructor(text: string) {
    this.finalNewline = text === "" || text.endsWith("\n")
    this.lines = text === "" ? [] : text.split("\n")
    if (text.endsWith("\n")) this.lines.pop()
  }
}

/** A value as a dotenv line holds it: newlines as the two characters `\n`, other scalars via ValToString. */
function valueText(key: string, value: TreeValue): string {
  if (isMap(value) || isList(value)) {
    throw new TsopsError(`cannot use complex value in dotenv file; offending key ${key}`, ExitCode.ErrorDumpingTree)
  }
  if (typeof value === "string" || value instanceof Uint8Array) return textFromLeaf(value).replaceAll("\n", "\\n")
  return valToString(value)
}

function lineText(item: MapItem): string {
  if (item.key instanceof Comment) return `#${textFromLeaf(item.key.value)}`
  return `${item.key}=${valueText(item.key, item.value)}`
}

function metadataLines(metadata: TreeMap): string[] {
  return flatten(metadata, sopsPrefix).map(({ key, value }) => `${key}=${valueText(key, value)}`)
}

function checkReservedKeys(branch: TreeMap): void {
  for (const item of branch.items) {
    if (typeof item.key === "string" && item.key.startsWith(sopsPrefix)) {
      throw new TsopsError(
        `Found key ${JSON.stringify(item.key)} in encrypted data, which starts with the reserved key prefix "sops_" for SOPS metadata`,
        ExitCode.ErrorDumpingTree,
      )
    }
  }
}

function sameLeaf(original: string | Uint8Array, value: unknown): boolean {
  if (typeof original === "string") return value === original
  return value instanceof Uint8Array && Buffer.from(value).equals(original)
}

/**
 * The metadata lines rewritten in place, by line index, when the metadata flattens to exactly the
 * `sops_` keys the input holds (a re-encryption with the same keys); undefined when keys differ. An
 * older sops wrote them in no particular order, and re-sorting them would make every edit a diff of the
 * whole block (issue 3): only the values that changed are rewritten.
 */
function metadataInPlace(layout: DotenvLayout, metadata: TreeMap): Map<number, string> | undefined {
  const entries = flatten(metadata, sopsPrefix)
  if (entries.length !== layout.metadata.size) return undefined
  const values = new Map(entries.map(entry => [entry.key, entry.value]))
  const lines = new Map<number, string>()
  for (const [index, { key, value: original }] of layout.metadata) {
    if (!values.has(key)) return undefined
    const value = values.get(key)!
    const line = layout.lines[index]!
    const text = valueText(key, value)
    const same = typeof value === "string" || value instanceof Uint8Array ? sameLeaf(original, value) : text === line.slice(key.length + 1)
    lines.set(index, same ? line : `${key}=${text}`)
  }
  return lines
}

/**
 * The input with changed lines rewritten, lost lines dropped and new lines added before the old
 * metadata lines (or at the end); blank lines and the presence of a final newline are kept. The old
 * metadata lines stay where they are when the keys are the same, else sops's lines replace them.
 */
function emitLayout(layout: DotenvLayout, branch: TreeMap, metadata: TreeMap | undefined): string {
  const rewritten = new Map<number, string>()
  const added: string[] = []
  for (const item of branch.items) {
    const src = item.src
    const isComment = item.key instanceof Comment
    if (src instanceof DotenvLineSrc && src.layout === layout && !rewritten.has(src.index) && isComment === (src.eq === undefined)) {
      const line = layout.lines[src.index]!
      if (item.key instanceof Comment) {
        rewritten.set(src.index, item.key.value === src.original ? line : lineText(item))
      } else {
        rewritten.set(src.index, sameLeaf(src.original, item.value) ? line : `${line.slice(0, src.eq)}=${valueText(item.key, item.value)}`)
      }
    } else {
      added.push(lineText(item))
    }
  }
  const inPlace = metadata && metadataInPlace(layout, metadata)
  if (metadata && !inPlace) added.push(...metadataLines(metadata))
  const out: string[] = []
  let inserted = added.length === 0
  layout.lines.forEach((line, index) => {
    const kind = layout.kinds[index]
    if (kind === "blank") out.push(line)
    else if (kind === "metadata") {
      if (!inserted) out.push(...added)
      inserted = true
      const kept = inPlace?.get(index)
      if (kept !== undefined) out.push(kept)
    } else {
      const text = rewritten.get(index)
      if (text !== undefined) out.push(text)
    }
  })
  if (!inserted) out.push(...added)
  return out.join("\n") + (layout.finalNewline && out.length > 0 ? "\n" : "")
}

export const store: Store = {
  format: "dotenv",

  parse(input: Uint8Array): ParsedFile {
    const layout = new DotenvLayout(decodeLossless(input))
    const items: MapItem[] = []
    const metadataEntries: { key: string; value: TreeValue }[] = []
    layout.lines.forEach((line, index) => {
      if (line === "") return void layout.kinds.push("blank")
      if (line.startsWith("#")) {
        layout.kinds.push("item")
        items.push({ key: new Comment(line.slice(1)), value: null, src: new DotenvLineSrc(layout, index, undefined, line.slice(1)) })
        return
      }
      const eq = line.indexOf("=")
      // sops prints the whole line here; it may hold a secret, so only its number is given.
      if (eq === -1) throw new InputParseError(`invalid dotenv input at line ${index + 1}`)
      const key = line.slice(0, eq)
      const value = leafFromText(line.slice(eq + 1).replaceAll("\\n", "\n"))
      if (key.startsWith(sopsPrefix)) {
        layout.kinds.push("metadata")
        layout.metadata.set(index, { key, value })
        metadataEntries.push({ key: key.slice(sopsPrefix.length), value })
      } else {
        layout.kinds.push("item")
        items.push({ key, value, src: new DotenvLineSrc(layout, index, eq, value) })
      }
    })
    const metadata = metadataEntries.length > 0 ? unflatten(metadataEntries) : undefined
    return { branches: [{ kind: "map", items }], metadata, layout }
  },

  emit(branches: TreeMap[], options: EmitOptions = {}): Uint8Array {
    const { metadata, layout } = options
    const branch = branches[0] ?? { kind: "map", items: [] }
    if (metadata) checkReservedKeys(branch)
    if (layout instanceof DotenvLayout && options.indent === undefined) {
      return encodeLossless(emitLayout(layout, branch, metadata))
    }
    const lines = branch.items.map(lineText)
    if (metadata) lines.push(...metadataLines(metadata))
    return encodeLossless(lines.map(line => `${line}\n`).join(""))
  },

  emitValue(value: TreeValue): Uint8Array {
    if (typeof value === "string") return encodeLossless(textFromLeaf(value))
    if (value instanceof Uint8Array) return value
    if (isMap(value)) return store.emit([value])
    throw new TsopsError(`the dotenv store only supports emitting strings, got ${goTypeName(value)}`, ExitCode.ErrorDumpingTree)
  },
}

/** Go's %T of the value sops would hold, for the one error message that shows it. */
function goTypeName(value: TreeValue): string {
  if (value === null) return "<nil>"
  if (isList(value)) return "[]interface {}"
  if (typeof value === "bigint") return "int"
  if (typeof value === "number") return "float64"
  if (typeof value === "boolean") return "bool"
  if (value instanceof SopsTime) return "time.Time"
  return "string"
}
