// JSON text as Go's encoding/json writes it (spec §9.2): HTML-safe string escaping, int64 and float
// numbers, and trees re-indented like json.Indent. Shared by the JSON and binary stores.
import { ExitCode, TsopsError } from "../src/core/errors.js"
import { formatFloatShortest } from "../src/core/scalar.js"
import { Comment, isList, isMap, SopsTime, type Scalar, type TreeValue } from "../src/core/tree.js"
import { textFromLeaf } from "./lossless-text.js"

// Characters Go escapes: controls, `"`, `\`, the HTML-sensitive `<>&`, U+2028/U+2029 and lone
// surrogates (the bytes of invalid UTF-8, which Go writes as `\ufffd`).
const needsEscape = /[\u0000-\u001f"\\<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const shortEscapes: Record<string, string> = {
  '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f",
}

/** A JSON string literal as Go writes it (`\b` and `\f` short forms as in Go ≥ 1.22). */
export function quoteJson(value: string | Uint8Array): string {
  const text = typeof value === "string" ? value : textFromLeaf(value)
  return `"${text.replace(needsEscape, ch => {
    const short = shortEscapes[ch]
    if (short !== undefined) return short
    const code = ch.charCodeAt(0)
    if (code >= 0xd800 && code <= 0xdfff) return "\\ufffd"
    return `\\u${code.toString(16).padStart(4, "0")}`
  })}"`
}

/** Go's JSON float format (JSON.stringify except -0); NaN and ±Inf cannot be written. */
export function formatJsonFloat(x: number): string {
  if (!Number.isFinite(x)) throw new TsopsError(`json: unsupported value: ${formatFloatShortest(x)}`, ExitCode.ErrorDumpingTree)
  return Object.is(x, -0) ? "-0" : JSON.stringify(x)
}

/** A scalar (or null) as JSON text. Times are RFC 3339 strings, bytes strings with U+FFFD for invalid UTF-8. */
export function formatJsonScalar(value: Scalar | null): string {
  if (value === null) return "null"
  if (typeof value === "string" || value instanceof Uint8Array) return quoteJson(value)
  if (typeof value === "bigint") return value.toString()
  if (typeof value === "number") return formatJsonFloat(value)
  if (typeof value === "boolean") return value ? "true" : "false"
  if (value instanceof SopsTime) return quoteJson(value.text)
  throw new TsopsError("json: unsupported value", ExitCode.ErrorDumpingTree)
}

/** How to lay out nested values: `indent` null means compact (`{"a":1}`), else json.Indent style. */
export interface JsonStyle {
  /** written at the start of every new line, before the indentation (json.Indent's prefix) */
  readonly prefix: string
  readonly indent: string | null
}

/**
 * A tree value as Go's json store writes it: comments dropped, empty containers `{}`/`[]`, every
 * member on its own line, `"key": value`. The first line carries no prefix.
 */
export function renderJson(value: TreeValue, style: JsonStyle): string {
  const parts: string[] = []
  const write = (node: TreeValue, depth: number): void => {
    if (isMap(node)) {
      const members = node.items.filter(item => !(item.key instanceof Comment))
      if (members.length === 0) return void parts.push("{}")
      parts.push("{")
      members.forEach((item, i) => {
        parts.push(i === 0 ? "" : ",", newline(style, depth + 1), quoteJson(item.key as string), style.indent === null ? ":" : ": ")
        write(item.value, depth + 1)
      })
      parts.push(newline(style, depth), "}")
      return
    }
    if (isList(node)) {
      const elements = node.items.filter(item => !(item.value instanceof Comment))
      if (elements.length === 0) return void parts.push("[]")
      parts.push("[")
      elements.forEach((item, i) => {
        parts.push(i === 0 ? "" : ",", newline(style, depth + 1))
        write(item.value as TreeValue, depth + 1)
      })
      parts.push(newline(style, depth), "]")
      return
    }
    parts.push(formatJsonScalar(node))
  }
  write(value, 0)
  return parts.join("")
}

function newline(style: JsonStyle, depth: number): string {
  return style.indent === null ? "" : `\n${style.prefix}${style.indent.repeat(depth)}`
}

/** The indentation unit for --indent / .sops.yaml `indent` (-1 or absent: tab, as sops). */
export function jsonIndentUnit(indent: number | undefined): string {
  if (indent === undefined || indent === -1) return "\t"
  if (indent < -1) throw new TsopsError("JSON Indentation parameter smaller than -1 is not accepted", ExitCode.ErrorDumpingTree)
  return " ".repeat(indent)
}
