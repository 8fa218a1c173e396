// An order-preserving JSON parser with source spans, strict like Go's encoding/json. Hand-written:
// JSON.parse drops duplicate keys, rounds int64s and reports errors by quoting the input (spec §13).
import { InputParseError } from "../src/core/errors.js"
import { replaceInvalid } from "./lossless-text.js"

export type JsonScalar = string | bigint | number | boolean | null

export type JsonNode =
  | { readonly kind: "object"; readonly start: number; readonly end: number; readonly members: JsonMember[] }
  | { readonly kind: "array"; readonly start: number; readonly end: number; readonly elements: JsonNode[] }
  | { readonly kind: "scalar"; readonly start: number; readonly end: number; readonly value: JsonScalar }

export interface JsonMember {
  readonly key: string
  /** the key string's span; the member runs from keyStart to value.end */
  readonly keyStart: number
  readonly value: JsonNode
}

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
// Go's decoder refuses deeper nesting (encoding/json maxNestingDepth).
const maxDepth = 10000

const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const plainString = /"([^"\\\u0000-\u001f]*)"/y

const escapes: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }

/** Line and column (1-based, in UTF-16 units) of an offset: what error messages may show. */
export function lineColumn(text: string, offset: number): string {
  let line = 1
  let lineStart = 0
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++
    lineStart = i + 1
  }
  return `line ${line}, column ${offset - lineStart + 1}`
}

/**
 * Parses one JSON value starting at `start` (after whitespace) and returns it with its end offset;
 * text after it is not looked at. Errors give the position only, never source text.
 */
export function parseJsonValue(text: string, start = 0, context = "Could not unmarshal input data"): { node: JsonNode; end: number } {
  let pos = start
  const fail = (reason: string, at = pos): never => {
    throw new InputParseError(`${context}: ${reason} at ${lineColumn(text, at)}`)
  }
  const skipSpace = () => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos)
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break
      pos++
    }
  }
  const expect = (ch: string) => {
    if (text[pos] !== ch) fail(pos >= text.length ? "unexpected end of JSON input" : `invalid character, expected '${ch}'`)
    pos++
  }

  const parseString = (): string => {
    plainString.lastIndex = pos
    const fast = plainString.exec(text)
    if (fast) {
      pos = plainString.lastIndex
      return replaceInvalid(fast[1]!)
    }
    const begin = pos
    pos++ // opening quote
    const out: string[] = []
    let runStart = pos
    for (;;) {
      if (pos >= text.length) fail("unexpected end of JSON input in string", begin)
      const c = text.charCodeAt(pos)
      if (c === 0x22) break
      if (c < 0x20) fail("invalid control character in string literal")
      if (c !== 0x5c) {
        pos++
        continue
      }
      out.push(text.slice(runStart, pos))
      const e = text[pos + 1]
      if (e === undefined) fail("unexpected end of JSON input in string", begin)
      if (e === "u") {
        const unit = hex4(text, pos + 2)
        if (unit < 0) fail("invalid escape in string literal")
        pos += 6
        if (unit >= 0xd800 && unit < 0xe000) {
          // Go: a valid surrogate pair decodes, anything else becomes U+FFFD.
          const low = text[pos] === "\\" && text[pos + 1] === "u" ? hex4(text, pos + 2) : -1
          if (unit < 0xdc00 && low >= 0xdc00 && low < 0xe000) {
            out.push(String.fromCharCode(unit, low))
            pos += 6
          } else {
            out.push("\ufffd")
          }
        } else {
          out.push(String.fromCharCode(unit))
        }
      } else {
        const short = escapes[e!]
        if (short === undefined) fail("invalid escape in string literal")
        out.push(short!)
        pos += 2
      }
      runStart = pos
    }
    out.push(text.slice(runStart, pos))
    pos++
    return replaceInvalid(out.join(""))
  }

  const parseNumber = (): JsonScalar => {
    numberPattern.lastIndex = pos
    const m = numberPattern.exec(text)
    if (!m) fail("invalid number literal")
    const literal = m![0]
    const at = pos
    pos = numberPattern.lastIndex
    // Go: an integer literal within int64 is an int; anything else a float64 (spec §1.3).
    if (/^-?\d+$/.test(literal)) {
      const int = BigInt(literal)
      if (int >= INT64_MIN && int <= INT64_MAX) return int
    }
    const float = Number(literal)
    if (!Number.isFinite(float)) fail("number out of range", at)
    return float
  }

  const parseValue = (depth: number): JsonNode => {
    skipSpace()
    const begin = pos
    const c = text[pos]
    if (c === "{") {
      if (depth >= maxDepth) fail("exceeded max depth")
      pos++
      const members: JsonMember[] = []
      skipSpace()
      if (text[pos] === "}") {
        pos++
        return { kind: "object", start: begin, end: pos, members }
      }
      for (;;) {
        skipSpace()
        if (text[pos] !== '"') fail(pos >= text.length ? "unexpected end of JSON input" : "invalid character, expected a string object key")
        const keyStart = pos
        const key = parseString()
        skipSpace()
        expect(":")
        const value = parseValue(depth + 1)
        members.push({ key, keyStart, value })
        skipSpace()
        if (text[pos] === ",") {
          pos++
          continue
        }
        expect("}")
        return { kind: "object", start: begin, end: pos, members }
      }
    }
    if (c === "[") {
      if (depth >= maxDepth) fail("exceeded max depth")
      pos++
      const elements: JsonNode[] = []
      skipSpace()
      if (text[pos] === "]") {
        pos++
        return { kind: "array", start: begin, end: pos, elements }
      }
      for (;;) {
        elements.push(parseValue(depth + 1))
        skipSpace()
        if (text[pos] === ",") {
          pos++
          continue
        }
        expect("]")
        return { kind: "array", start: begin, end: pos, elements }
      }
    }
    let value: JsonScalar
    if (c === '"') value = parseString()
    else if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) value = parseNumber()
    else {
      const word = ["true", "false", "null"].find(w => text.startsWith(w, pos))
      if (word === undefined) fail(pos >= text.length ? "unexpected end of JSON input" : "invalid character looking for beginning of value")
      pos += word!.length
      value = word === "null" ? null : word === "true"
    }
    return { kind: "scalar", start: begin, end: pos, value }
  }

  try {
    const node = parseValue(0)
    return { node, end: pos }
  } catch (error) {
    if (error instanceof RangeError) fail("nesting too deep")
    throw error
  }
}

function hex4(text: string, at: number): number {
  const digits = text.slice(at, at + 4)
  return /^[0-9a-fA-F]{4}$/.test(digits) ? parseInt(digits, 16) : -1
}

/** Skips JSON whitespace from `pos`. */
export function skipJsonSpace(text: string, pos: number): number {
  while (pos < text.length && " \t\n\r".includes(text[pos]!)) pos++
  return pos
}
