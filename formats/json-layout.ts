// Layout-keeping JSON output: the input text with only changed values replaced, members that were
// removed cut out with their comma, new members appended in the input's style, and the `sops` member
// always in sops's own json.Indent layout so the `"mac": "ENC[` marker holds (spec §9.2, style.md §2).
import { Comment, isList, isMap, type TreeMap, type TreeValue } from "../src/core/tree.js"
import type { JsonNode, JsonScalar } from "./json-parse.js"
import { quoteJson, renderJson } from "./json-text.js"
import { splice, type Edit } from "./splice.js"

/** A `{…}` or `[…]` of the input: its brackets and its members in source order. */
export class JsonContainer {
  readonly kind: "map" | "list"
  /** offset of `{` / `[` */
  readonly open: number
  /** offset of `}` / `]` */
  readonly close: number
  readonly members: JsonItemSrc[] = []

  constructor(kind: "map" | "list", open: number, close: number) {
    this.kind = kind
    this.open = open
    this.close = close
  }

  add(key: string | undefined, start: number, value: JsonNode, child: JsonContainer | undefined): JsonItemSrc {
    const src = new JsonItemSrc(this, this.members.length, key, start, value, child)
    this.members.push(src)
    return src
  }
}

/** Where a map member or list element sits in the input (the `src` of its MapItem / ListItem). */
export class JsonItemSrc {
  readonly parent: JsonContainer
  readonly index: number
  readonly key: string | undefined
  /** member start: the key string for a map member, the value for a list element */
  readonly start: number
  readonly valueStart: number
  /** end of the value, which is the end of the member */
  readonly end: number
  /** the scalar as parsed; undefined when the value was a container */
  readonly original: JsonScalar | undefined
  readonly container: JsonContainer | undefined

  constructor(parent: JsonContainer, index: number, key: string | undefined, start: number, value: JsonNode, container: JsonContainer | undefined) {
    this.parent = parent
    this.index = index
    this.key = key
    this.start = start
    this.valueStart = value.start
    this.end = value.end
    this.original = value.kind === "scalar" ? value.value : undefined
    this.container = container
  }
}

/** ParsedFile.layout of the JSON store. */
export class JsonLayout {
  readonly text: string
  readonly root: JsonContainer
  /** offset just after the top-level object */
  readonly end: number
  readonly sopsMember: JsonItemSrc | undefined
  /** the indentation unit of the input (from its first member that starts a line); null when compact */
  readonly unit: string | null

  constructor(text: string, root: JsonContainer, end: number, sopsMember: JsonItemSrc | undefined) {
    this.text = text
    this.root = root
    this.end = end
    this.sopsMember = sopsMember
    const first = root.members.find(member => startsLine(text, member.start))
    this.unit = first ? lineIndent(text, first.start) : null
  }
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf("\n", pos - 1) + 1
}

function startsLine(text: string, pos: number): boolean {
  return /^[ \t\r]*$/.test(text.slice(lineStart(text, pos), pos))
}

/** The spaces and tabs that begin the line holding `pos`. */
function lineIndent(text: string, pos: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, pos), pos))![0]
}

function sameScalar(original: JsonScalar, value: TreeValue): boolean {
  if (typeof original === "number") return typeof value === "number" && Object.is(original, value)
  return original === value
}

interface Entry {
  readonly key: string | undefined
  readonly value: TreeValue
  readonly src: JsonItemSrc | undefined
  /** the `sops` member: always rendered fresh, always on its own line */
  readonly sops?: boolean
}

class LayoutEmitter {
  readonly layout: JsonLayout
  constructor(layout: JsonLayout) {
    this.layout = layout
  }

  get text(): string {
    return this.layout.text
  }

  /** Edits for one container whose current entries are `entries`. */
  container(container: JsonContainer, entries: readonly Entry[]): Edit[] {
    const used = new Set<JsonItemSrc>()
    const kept: { entry: Entry; src: JsonItemSrc | undefined; edits: Edit[] }[] = []
    let structural = false
    let lastIndex = -1
    for (const entry of entries) {
      const src = entry.src
      if (src && src.parent === container && !used.has(src) && src.key === entry.key) {
        used.add(src)
        if (src.index < lastIndex) structural = true
        lastIndex = src.index
        kept.push({ entry, src, edits: entry.sops ? this.#sopsReplacement(src, entry.value as TreeMap) : this.#value(src, entry.value) })
      } else {
        structural = true
        kept.push({ entry, src: undefined, edits: [] })
      }
    }
    if (used.size !== container.members.length) structural = true
    if (!structural) return kept.flatMap(k => k.edits)
    return [{ start: container.open + 1, end: container.close, text: this.#rebuild(container, kept) }]
  }

  /** Edits for a member whose value is `value` now. */
  #value(src: JsonItemSrc, value: TreeValue): Edit[] {
    if (isMap(value) && src.container?.kind === "map") return this.container(src.container, mapEntries(value))
    if (isList(value) && src.container?.kind === "list") return this.container(src.container, listEntries(value))
    if (!isMap(value) && !isList(value) && src.original !== undefined && sameScalar(src.original, value)) return []
    const prefix = lineIndent(this.text, src.start)
    return [{ start: src.valueStart, end: src.end, text: renderJson(value, { prefix, indent: this.layout.unit }) }]
  }

  #sopsReplacement(src: JsonItemSrc, metadata: TreeMap): Edit[] {
    const indent = this.layout.unit ?? "\t"
    if (startsLine(this.text, src.start)) {
      return [{ start: src.start, end: src.end, text: this.#sopsMember(metadata, lineIndent(this.text, src.start)) }]
    }
    const prefix = lineIndent(this.text, this.layout.root.open) + indent
    return [{ start: src.start, end: src.end, text: `\n${prefix}${this.#sopsMember(metadata, prefix)}` }]
  }

  #sopsMember(metadata: TreeMap, prefix: string): string {
    return `"sops": ${renderJson(metadata, { prefix, indent: this.layout.unit ?? "\t" })}`
  }

  /** The container's inside, rebuilt from kept members (their text, edited) and new ones. */
  #rebuild(container: JsonContainer, kept: readonly { entry: Entry; src: JsonItemSrc | undefined; edits: Edit[] }[]): string {
    const text = this.text
    const members = container.members
    const unit = this.layout.unit
    const outer = lineIndent(text, container.open)
    const first = members[0]
    const last = members.at(-1)
    let openSpace = first ? text.slice(container.open + 1, first.start) : unit === null ? "" : `\n${outer}${unit}`
    let closeSpace = last ? text.slice(last.end, container.close) : unit === null ? "" : `\n${outer}`
    const second = members[1]
    const defaultSeparator = first && second ? text.slice(first.end, second.start) : `,${openSpace}`
    const memberIndent = openSpace.includes("\n") ? openSpace.slice(openSpace.lastIndexOf("\n") + 1) : outer + (unit ?? "")
    if (kept.length === 0) return ""
    const parts: string[] = []
    let previous: JsonItemSrc | undefined
    kept.forEach(({ entry, src, edits }, i) => {
      const following = previous ? members[previous.index + 1] : undefined
      let separator = i === 0 ? "" : previous && following ? text.slice(previous.end, following.start) : defaultSeparator
      let body: string
      if (src) {
        body = splice(text.slice(src.start, src.end), edits.map(e => ({ start: e.start - src.start, end: e.end - src.start, text: e.text })))
      } else if (entry.sops) {
        // The metadata member always starts its own line, even in a compact file (spec §9.2 marker).
        const prefix = outer + (unit ?? "\t")
        if (i === 0 && !openSpace.includes("\n")) openSpace = `\n${prefix}`
        if (i > 0 && !separator.includes("\n")) separator = `,\n${prefix}`
        if (!first) closeSpace = `\n${outer}`
        body = this.#sopsMember(entry.value as TreeMap, prefix)
      } else {
        const rendered = renderJson(entry.value, { prefix: memberIndent, indent: unit })
        body = entry.key === undefined ? rendered : `${quoteJson(entry.key)}${unit === null ? ":" : ": "}${rendered}`
      }
      parts.push(separator, body)
      previous = src
    })
    return openSpace + parts.join("") + closeSpace
  }
}

function mapEntries(map: TreeMap): Entry[] {
  const entries: Entry[] = []
  for (const item of map.items) {
    if (item.key instanceof Comment) continue
    entries.push({ key: item.key, value: item.value, src: item.src instanceof JsonItemSrc ? item.src : undefined })
  }
  return entries
}

function listEntries(list: { items: readonly { value: TreeValue | Comment; src?: unknown }[] }): Entry[] {
  const entries: Entry[] = []
  for (const item of list.items) {
    // JSON cannot hold a comment; sops drops them from arrays too (spec §9.2).
    if (item.value instanceof Comment) continue
    entries.push({ key: undefined, value: item.value, src: item.src instanceof JsonItemSrc ? item.src : undefined })
  }
  return entries
}

/** The input text with the branch's changes and the metadata applied; trailing non-space text is dropped. */
export function emitJsonLayout(layout: JsonLayout, branch: TreeMap, metadata: TreeMap | undefined): string {
  const emitter = new LayoutEmitter(layout)
  const entries = mapEntries(branch)
  if (metadata) {
    // An existing `sops` member is replaced where it is; a new one goes last, as sops writes it.
    const sops: Entry = { key: "sops", value: metadata, src: layout.sopsMember, sops: true }
    const at = layout.sopsMember ? entries.findIndex(entry => entry.src !== undefined && entry.src.parent === layout.root && entry.src.index > layout.sopsMember!.index) : -1
    if (at === -1) entries.push(sops)
    else entries.splice(at, 0, sops)
  }
  const edits = emitter.container(layout.root, entries)
  // Text after the top-level object is ignored by sops's parser; only its leading whitespace is kept,
  // so nothing the tree does not hold (it could be a secret) is copied into the output.
  const tail = /^[ \t\r\n]*/.exec(layout.text.slice(layout.end))![0]
  return splice(layout.text.slice(0, layout.end), edits) + tail
}
