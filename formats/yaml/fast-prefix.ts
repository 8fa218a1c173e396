// The usual beginning of a YAML file read without the yaml.v3 machinery: top-level entries whose
// values are one-line plain or quoted scalars, or block mappings of such entries. The full parser
// reads the rest, from the first top-level entry declined here (parse.ts); both give the same tree.
import type { MapItem, TreeMap } from "../../src/core/tree.js"
import { resolve, Uint64Value } from "./resolve.js"
import { Style } from "./scanner.js"
import type { CollectionSrc, ItemSrc, ScalarSrc } from "./src-info.js"

export interface FastPrefix {
  /** the top-level entries read, with the same `src` the full parser gives them */
  readonly items: MapItem[]
  /** offset and column of the first top-level key: where the document and its mapping start */
  readonly start: number
  readonly column: number
  /** offset and 0-based line of the first declined top-level entry's line; text.length when none */
  readonly end: number
  readonly line: number
}

const SP = 0x20, LF = 0x0a, COLON = 0x3a, DQ = 0x22, SQ = 0x27

// Indicators that cannot start a plain scalar here (yaml.v3 allows `-?:` before a non-blank; declined).
const indicator = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128)
  for (const ch of "-?:,[]{}#&*!|>'\"%@`") table[ch.charCodeAt(0)] = 1
  return table
})()

// Anything in the text that changes how lines are read: other line breaks, tabs, a BOM, document
// markers and directives. Such files take the full parser from the start.
const unusual = /[\r\t\u0085\u2028\u2029\ufeff]|^(?:---|\.\.\.)(?:[ \n]|$)|^%/m

// Nested mappings deeper than this are left to the full parser.
const maxDepth = 64

// yaml.v3 resolves a plain scalar to a string at once when its first character is none of these
// (resolve.ts, resolveImplicit's hint): most keys and values need no closer look.
const mayResolve = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128)
  for (const ch of "+-0123456789yYnNtTfFoO~.") table[ch.charCodeAt(0)] = 1
  return table
})()

const obviousString = (text: string): boolean => {
  const c = text.charCodeAt(0)
  return c >= 0x80 || mayResolve[c] !== 1
}

/** resolve("", text)[1] of a non-empty plain scalar. */
const plainValue = (text: string): ScalarSrc["original"] => (obviousString(text) ? text : resolve("", text)[1])

/** Whether a non-empty plain scalar resolves to a string. */
const plainIsString = (text: string): boolean => obviousString(text) || resolve("", text)[0] === "!!str"

// A mapping this small is checked for a repeated key by a scan, not a Set.
const smallMapping = 16

function hasKey(items: readonly MapItem[], key: string, keys: Set<string> | undefined): boolean {
  if (keys !== undefined) return keys.has(key)
  for (const item of items) if (item.key === key) return true
  return false
}

/** The simple top-level entries at the start of `text`, or undefined when there are none to read. */
export function fastPrefix(text: string): FastPrefix | undefined {
  if (unusual.test(text)) return undefined
  return new PrefixReader(text).read()
}

/** Thrown (and caught within this file) when an entry is not one the fast reader handles. */
class Declined {}
const declined = new Declined()

class PrefixReader {
  readonly text: string
  /** start of the current line, and its number */
  pos = 0
  line = 0

  constructor(text: string) {
    this.text = text
  }

  read(): FastPrefix | undefined {
    if (!this.skipBlankLines()) return undefined
    const column = this.indentation()
    const start = this.pos + column
    const items: MapItem[] = []
    let keys: Set<string> | undefined
    for (;;) {
      const entryPos = this.pos
      const entryLine = this.line
      try {
        const item = this.entry(column, 0)
        if (hasKey(items, item.key as string, keys)) return undefined // the full parser reports it
        if (items.length === smallMapping) keys = new Set(items.map(i => i.key as string))
        keys?.add(item.key as string)
        items.push(item)
      } catch (error) {
        if (error !== declined) throw error
        if (items.length === 0) return undefined
        return { items, start, column, end: entryPos, line: entryLine }
      }
      if (!this.skipBlankLines()) break
      const indent = this.indentation()
      // deeper: a continuation line or an error; shallower: an error (the mapping's column is the least)
      if (indent !== column) return undefined
    }
    return { items, start, column, end: this.text.length, line: this.line }
  }

  /** Moves to the next line that holds more than spaces; false at the end of the text. */
  skipBlankLines(): boolean {
    const text = this.text
    for (;;) {
      let p = this.pos
      while (text.charCodeAt(p) === SP) p++
      if (p >= text.length) return false
      if (text.charCodeAt(p) !== LF) return true
      this.pos = p + 1
      this.line++
    }
  }

  indentation(): number {
    let p = this.pos
    while (this.text.charCodeAt(p) === SP) p++
    return p - this.pos
  }

  /** Moves past the line break at `p` (or to the end of the text). */
  nextLine(p: number): void {
    this.pos = p < this.text.length ? p + 1 : p
    this.line++
  }

  /** One `key: value` entry whose key is at `column` of the current line; leaves pos on the next line. */
  entry(column: number, depth: number): MapItem {
    const text = this.text
    const keyStart = this.pos + column
    const keyEnd = this.plainEnd(keyStart, true)
    const key = text.slice(keyStart, keyEnd)
    // a key must read as a string; `<<` is a merge key
    if (key === "<<" || !plainIsString(key)) throw declined
    let p = keyEnd
    while (text.charCodeAt(p) === SP) p++
    const colon = p
    // yaml.v3 forgets a simple key that runs past 1024 characters
    if (text.charCodeAt(colon) !== COLON || colon - keyStart > 1000) throw declined
    p = colon + 1
    const c = text.charCodeAt(p)
    if (c !== SP && c !== LF && p < text.length) throw declined
    while (text.charCodeAt(p) === SP) p++
    if (p >= text.length || text.charCodeAt(p) === LF) return this.blockValue(key, keyStart, colon, column, depth, p)
    const src = this.scalar(p)
    return { key, value: src.original as MapItem["value"], src: { kind: "item", start: keyStart, end: src.end, value: src } satisfies ItemSrc }
  }

  /** The value of `key:` with nothing after it on the line: a nested block mapping, or null. */
  blockValue(key: string, keyStart: number, colon: number, column: number, depth: number, lineEnd: number): MapItem {
    this.nextLine(lineEnd)
    const text = this.text
    const more = this.skipBlankLines()
    const indent = more ? this.indentation() : 0
    if (!more || indent <= column) {
      // `key:` then a `- ` at the same column is an indentless sequence
      const first = this.pos + indent
      if (more && indent === column && text.charCodeAt(first) === 0x2d && (first + 1 >= text.length || text.charCodeAt(first + 1) === SP || text.charCodeAt(first + 1) === LF)) throw declined
      const src: ScalarSrc = {
        kind: "scalar", start: colon + 1, tokenStart: colon + 1, end: colon + 1, style: Style.Plain, anchor: "", tagged: false,
        flow: false, original: null, multiline: false, header: "", contentIndent: 0,
      }
      return { key, value: null, src: { kind: "item", start: keyStart, end: src.end, value: src } satisfies ItemSrc }
    }
    if (depth >= maxDepth) throw declined
    const map: TreeMap = { kind: "map", items: [] }
    const mapStart = this.pos + indent
    let keys: Set<string> | undefined
    for (;;) {
      const item = this.entry(indent, depth + 1)
      if (hasKey(map.items, item.key as string, keys)) throw declined
      if (map.items.length === smallMapping) keys = new Set(map.items.map(i => i.key as string))
      keys?.add(item.key as string)
      map.items.push(item)
      if (!this.skipBlankLines()) break
      const next = this.indentation()
      if (next < indent) {
        // the line must close this mapping onto an enclosing one; the caller checks which
        if (next > column) throw declined
        break
      }
      if (next > indent) throw declined
    }
    let end = mapStart
    for (const item of map.items) if ((item.src as ItemSrc).end > end) end = (item.src as ItemSrc).end
    const src: CollectionSrc = { kind: "collection", start: mapStart, end, flow: false, column: indent, items: [...map.items] }
    map.src = src
    return { key, value: map, src: { kind: "item", start: keyStart, end, value: src } satisfies ItemSrc }
  }

  /** A one-line scalar starting at `start`, up to the end of its line; leaves pos on the next line. */
  scalar(start: number): ScalarSrc {
    const text = this.text
    const first = text.charCodeAt(start)
    let end: number
    let value: ScalarSrc["original"]
    let style: ScalarSrc["style"]
    if (first === DQ || first === SQ) {
      const close = text.indexOf(first === DQ ? '"' : "'", start + 1)
      const lineEnd = this.lineEnd(start)
      if (close < 0 || close > lineEnd) throw declined
      const inner = text.slice(start + 1, close)
      // escapes, and quotes doubled inside single quotes, are left to the full parser
      if (first === DQ && inner.includes("\\")) throw declined
      if (first === SQ && text.charCodeAt(close + 1) === SQ) throw declined
      end = close + 1
      let p = end
      while (text.charCodeAt(p) === SP) p++
      if (p !== lineEnd) throw declined
      value = inner
      style = first === DQ ? Style.Double : Style.Single
      this.nextLine(lineEnd)
    } else {
      end = this.plainEnd(start, false)
      let p = end
      while (text.charCodeAt(p) === SP) p++
      if (p < text.length && text.charCodeAt(p) !== LF) throw declined
      const resolved = plainValue(text.slice(start, end))
      if (resolved instanceof Uint64Value) throw declined
      value = resolved
      style = Style.Plain
      this.nextLine(p)
    }
    return {
      kind: "scalar", start, tokenStart: start, end, style, anchor: "", tagged: false,
      flow: false, original: value, multiline: false, header: "", contentIndent: 0,
    }
  }

  lineEnd(from: number): number {
    const nl = this.text.indexOf("\n", from)
    return nl < 0 ? this.text.length : nl
  }

  /**
   * End of a one-line plain scalar from `start` (trailing spaces excluded): at `: `/`:` before the
   * line end for a key, at the line end for a value. Declines indicators, comments and, in values,
   * `: ` (an error in yaml.v3). Searches the line natively: ENC values are long.
   */
  plainEnd(start: number, isKey: boolean): number {
    const text = this.text
    const first = text.charCodeAt(start)
    if (first < 0x80 && indicator[first] === 1) {
      // `-5`: a dash before a non-blank starts a plain scalar
      const next = text.charCodeAt(start + 1)
      if (first !== 0x2d || isKey || next === SP || next === LF || start + 1 >= text.length) throw declined
    }
    const line = text.slice(start, this.lineEnd(start))
    let length = line.length
    if (isKey) {
      let colon = line.indexOf(":")
      while (colon >= 0 && colon + 1 < line.length && line.charCodeAt(colon + 1) !== SP) colon = line.indexOf(":", colon + 1)
      if (colon < 0) throw declined
      length = colon
    } else if (line.includes(": ")) {
      throw declined
    }
    while (length > 0 && line.charCodeAt(length - 1) === SP) length--
    const comment = line.indexOf(" #")
    if (length === 0 || (comment >= 0 && comment < length) || (!isKey && line.charCodeAt(length - 1) === COLON)) throw declined
    return start + length
  }
}
