// Scalar text for the layout emitter: a changed value is written in the style of the scalar it
// replaces when that style can hold it, else in the style sops would choose (spec §9.1).
import { isEncrypted } from "../../src/core/cipher.js"
import { formatFloatYaml, isUtf8 } from "../../src/core/scalar.js"
import { SopsTime, type Scalar } from "../../src/core/tree.js"
import { resolvePlainTag } from "./resolve.js"
import { analyzeScalar, isPrintable } from "./scalar-style.js"
import { Style, type ScalarStyle } from "./scanner.js"

/** Where a scalar is written. */
export interface ScalarPlace {
  /** style of the scalar being replaced (Plain for a new value) */
  style: ScalarStyle
  /** inside a flow collection */
  flow: boolean
  /** header of a block scalar being replaced (`|-`, `>`, `|2+`…) */
  header: string
  /** indentation column for block scalar content */
  contentIndent: number
}

// sops's ENC pattern anchored at both ends, its `.` matching no line break: isEncrypted's split,
// without line breaks and ending in the `]`. (A regex with four `.+` backtracks on every value.)
const lineBreak = /[\n\r\u2028\u2029]/
const isEncValue = (value: string): boolean =>
  value.startsWith("ENC[AES256_GCM,data:") && value.endsWith("]") && !lineBreak.test(value) && isEncrypted(value)

// Strings of these characters (not starting with `.`, `-`, `/`, `+`, `=`) pass yaml.v3's scalar analysis
// as plain in flow and block context alike, without it.
const simplePlain = /^[A-Za-z0-9_][A-Za-z0-9_./+=-]*$/

/** The text of a non-string scalar (ints decimal, floats %g, bools, RFC 3339 times, null). */
export function canonicalYaml(value: Exclude<Scalar, string | Uint8Array> | null): string {
  if (value === null) return "null"
  if (typeof value === "bigint") return value.toString()
  if (typeof value === "number") return formatFloatYaml(value)
  if (typeof value === "boolean") return value ? "true" : "false"
  return (value as SopsTime).text
}

/** Double-quoted with the fewest escapes: printable text (emoji included) stays as it is. */
export function minimalDoubleQuoted(value: string): string {
  let out = '"'
  for (const ch of value) {
    const cp = ch.codePointAt(0)!
    if (ch === '"' || ch === "\\") out += `\\${ch}`
    else if (ch === "\n") out += "\\n"
    else if (ch === "\t") out += "\\t"
    else if (ch === "\r") out += "\\r"
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff || cp === 0xfffe || cp === 0xffff) {
      out += cp <= 0xff ? `\\x${cp.toString(16).padStart(2, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`
    } else out += ch
  }
  return `${out}"`
}

function singleQuotable(value: string): boolean {
  for (const ch of value) {
    const cp = ch.codePointAt(0)!
    if (cp === 0x0a || (!isPrintable(cp) && cp < 0x10000)) return false
  }
  return true
}

function plainSafe(value: string, flow: boolean): boolean {
  if (resolvePlainTag(value) !== "!!str") return false
  if (simplePlain.test(value)) return true
  const a = analyzeScalar(value)
  return flow ? a.flowPlainAllowed : a.blockPlainAllowed
}

/** Literal block text (header + content lines) if `value` can be one with this header's chomping. */
function literalBlock(value: string, header: string, indent: number): string | undefined {
  const chomp = header.includes("-") ? "-" : header.includes("+") ? "+" : ""
  const hasIndicator = /\d/.test(header)
  const body = value.replace(/\n+$/, "")
  const trailing = value.length - body.length
  if (chomp === "-" ? trailing !== 0 : chomp === "" ? trailing !== 1 : trailing < 1) return undefined
  if (body === "") return undefined
  const lines = body.split("\n")
  if (!hasIndicator && lines[0]!.startsWith(" ")) return undefined
  for (const line of lines) {
    if (/^[ \t]+$/.test(line) || /^\t/.test(line)) return undefined
    for (const ch of line) {
      const cp = ch.codePointAt(0)!
      if (cp !== 0x09 && !isPrintable(cp) && cp < 0x10000) return undefined
    }
  }
  const pad = " ".repeat(indent)
  const content = lines.map(line => (line === "" ? "" : pad + line)).join("\n")
  // a keep (`+`) block's span includes its final line breaks, so they are written here
  const extra = chomp === "+" ? "\n".repeat(trailing) : ""
  return `${header}\n${content}${extra}`
}

/** sops's own choice for a string (layout variant: no !!binary, minimal escapes). */
function fallbackString(value: string, place: ScalarPlace): string {
  if (value.includes("\n")) {
    if (!place.flow) {
      const body = value.replace(/\n+$/, "")
      const trailing = value.length - body.length
      const chomp = trailing === 0 ? "-" : trailing === 1 ? "" : "+"
      const indicator = body.startsWith(" ") ? "2" : ""
      const block = literalBlock(value, `|${indicator}${chomp}`, place.contentIndent)
      if (block !== undefined) return block
    }
    return minimalDoubleQuoted(value)
  }
  if (plainSafe(value, place.flow)) return value
  if (resolvePlainTag(value) !== "!!str") return minimalDoubleQuoted(value)
  if (singleQuotable(value) && !value.includes("\t")) return `'${value.replaceAll("'", "''")}'`
  return minimalDoubleQuoted(value)
}

/** The text that replaces a scalar whose value changed. */
export function renderScalar(value: Scalar | null, place: ScalarPlace): string {
  if (value instanceof Uint8Array) {
    if (!isUtf8(value)) return `!!binary ${Buffer.from(value).toString("base64")}`
    value = Buffer.from(value).toString("utf8")
  }
  if (typeof value !== "string") return canonicalYaml(value)

  if (isEncValue(value)) {
    // An ENC value keeps its carrier's style; in flow collections its commas need quotes.
    if (place.flow) return `"${value}"`
    switch (place.style) {
      case Style.Double: return `"${value}"`
      case Style.Single: return `'${value}'`
      case Style.Literal:
      case Style.Folded:
        return `${place.header}\n${" ".repeat(place.contentIndent)}${value}${place.header.includes("+") ? "\n" : ""}`
      default: return value
    }
  }

  // Inside flow collections ENC carriers are always double-quoted, so the original style is
  // unknown there: plain (the common flow style) when it is safe.
  if ((place.style === Style.Plain || place.flow) && !value.includes("\n") && plainSafe(value, place.flow)) return value
  switch (place.style) {
    case Style.Plain:
      break
    case Style.Double:
      return minimalDoubleQuoted(value)
    case Style.Single:
      if (singleQuotable(value)) return `'${value.replaceAll("'", "''")}'`
      break
    case Style.Literal: {
      const block = literalBlock(value, place.header, place.contentIndent)
      if (block !== undefined) return block
      break
    }
    case Style.Folded: {
      // A folded scalar cannot give back its line breaks: one line folds to itself, else literal.
      const body = value.replace(/\n+$/, "")
      if (!body.includes("\n")) {
        const block = literalBlock(value, place.header, place.contentIndent)
        if (block !== undefined && !/^\s|\s$/.test(body)) return block
      }
      const block = literalBlock(value, place.header.replace(">", "|"), place.contentIndent)
      if (block !== undefined) return block
      break
    }
  }
  return fallbackString(value, place)
}
