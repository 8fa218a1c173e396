// How go yaml.v3 chooses and writes a scalar's style (spec §9.1): its scalar analysis, the
// quoting decision of Node.Encode for Go strings, and the double-quoted escapes.
import { resolvePlainTag } from "./resolve.js"

export const S = { Plain: 1, Single: 2, Double: 3, Literal: 4, Folded: 5 } as const
export type StyleCode = (typeof S)[keyof typeof S]

export interface ScalarAnalysis {
  multiline: boolean
  flowPlainAllowed: boolean
  blockPlainAllowed: boolean
  singleQuotedAllowed: boolean
  blockAllowed: boolean
}

const isBreakCode = (c: number) => c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029

/** yaml.v3 is_printable, per code point (4-byte UTF-8 characters are not "printable"). */
export function isPrintable(cp: number): boolean {
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
}

/** yaml_emitter_analyze_scalar */
export function analyzeScalar(value: string): ScalarAnalysis {
  if (value.length === 0) {
    return { multiline: false, flowPlainAllowed: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false }
  }
  let blockIndicators = false
  let flowIndicators = false
  let lineBreaks = false
  let specialCharacters = false
  let tabCharacters = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let breakSpace = false
  let spaceBreak = false
  let previousSpace = false
  let previousBreak = false
  if (value.startsWith("---") || value.startsWith("...")) {
    blockIndicators = true
    flowIndicators = true
  }
  let precededByWhitespace = true
  const chars = /[\ud800-\udfff]/.test(value) ? Array.from(value) : value
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!
    const cp = ch.codePointAt(0)!
    const next = chars[i + 1]
    const followedByWhitespace = next === undefined || next === " " || next === "\t"
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(ch)) {
        flowIndicators = true
        blockIndicators = true
      } else if (ch === "?" || ch === ":") {
        flowIndicators = true
        if (followedByWhitespace) blockIndicators = true
      } else if (ch === "-" && followedByWhitespace) {
        flowIndicators = true
        blockIndicators = true
      }
    } else if (",?[]{}".includes(ch)) {
      flowIndicators = true
    } else if (ch === ":") {
      flowIndicators = true
      if (followedByWhitespace) blockIndicators = true
    } else if (ch === "#" && precededByWhitespace) {
      flowIndicators = true
      blockIndicators = true
    }
    if (ch === "\t") tabCharacters = true
    else if (!isPrintable(cp)) specialCharacters = true
    if (ch === " ") {
      if (i === 0) leadingSpace = true
      if (i === chars.length - 1) trailingSpace = true
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (isBreakCode(cp)) {
      lineBreaks = true
      if (i === 0) leadingBreak = true
      if (i === chars.length - 1) trailingBreak = true
      if (previousSpace) spaceBreak = true
      previousSpace = false
      previousBreak = true
    } else {
      previousSpace = false
      previousBreak = false
    }
    precededByWhitespace = ch === " " || ch === "\t" || isBreakCode(cp)
  }
  const a: ScalarAnalysis = {
    multiline: lineBreaks, flowPlainAllowed: true, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true,
  }
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.flowPlainAllowed = a.blockPlainAllowed = false
  if (trailingSpace) a.blockAllowed = false
  if (breakSpace) a.flowPlainAllowed = a.blockPlainAllowed = a.singleQuotedAllowed = false
  if (spaceBreak || tabCharacters || specialCharacters) a.flowPlainAllowed = a.blockPlainAllowed = a.singleQuotedAllowed = false
  if (spaceBreak || specialCharacters) a.blockAllowed = false
  if (lineBreaks) a.flowPlainAllowed = a.blockPlainAllowed = false
  if (flowIndicators) a.flowPlainAllowed = false
  if (blockIndicators) a.blockPlainAllowed = false
  return a
}

export interface StyleContext {
  flow: boolean
  simpleKey: boolean
  /** the event's tag is empty and it is not implicit (never for sops trees) */
  hasTag: boolean
}

/** yaml_emitter_select_scalar_style */
export function selectScalarStyle(requested: StyleCode, value: string, a: ScalarAnalysis, ctx: StyleContext): StyleCode {
  let style = requested
  if (ctx.simpleKey && a.multiline) style = S.Double
  if (style === S.Plain) {
    if ((ctx.flow && !a.flowPlainAllowed) || (!ctx.flow && !a.blockPlainAllowed)) style = S.Single
    if (value.length === 0 && (ctx.flow || ctx.simpleKey)) style = S.Single
  }
  if (style === S.Single && !a.singleQuotedAllowed) style = S.Double
  if ((style === S.Literal || style === S.Folded) && (!a.blockAllowed || ctx.flow || ctx.simpleKey)) style = S.Double
  return style
}

const oldBools = new Set(["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"])
const base60Float = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/

/** Whether a Go string may be written plain by yaml.v3 (it must read back as the same string). */
export function canUsePlain(value: string): boolean {
  return resolvePlainTag(value) === "!!str" && !oldBools.has(value) && !base60Float.test(value)
}

/**
 * The style a sops string value ends up with: Node.Encode picks literal/plain/double and
 * emits it at the root (where the emitter may downgrade plain), then the node is emitted
 * again in its real context.
 */
export function stringStyle(value: string, ctx: StyleContext): StyleCode {
  const requested: StyleCode = value.includes("\n") ? S.Literal : canUsePlain(value) ? S.Plain : S.Double
  const a = analyzeScalar(value)
  const first = selectScalarStyle(requested, value, a, { flow: false, simpleKey: false, hasTag: false })
  return selectScalarStyle(first, value, a, ctx)
}

const shortEscapes: Record<number, string> = {
  0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0a: "n", 0x0b: "v", 0x0c: "f", 0x0d: "r", 0x1b: "e",
  0x22: '"', 0x5c: "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P",
}

/** yaml_emitter_write_double_quoted_scalar's escaping (no line folding: sops's width is unlimited). */
export function doubleQuoted(value: string): string {
  const bom = value.charCodeAt(0) === 0xfeff // yaml.v3 checks the BOM at the start for every character
  let out = '"'
  for (const ch of value) {
    const cp = ch.codePointAt(0)!
    if (!isPrintable(cp) || bom || isBreakCode(cp) || cp === 0x22 || cp === 0x5c) {
      const short = shortEscapes[cp]
      if (short !== undefined) out += `\\${short}`
      else if (cp <= 0xff) out += `\\x${cp.toString(16).toUpperCase().padStart(2, "0")}`
      else if (cp <= 0xffff) out += `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`
      else out += `\\U${cp.toString(16).toUpperCase().padStart(8, "0")}`
    } else {
      out += ch
    }
  }
  return `${out}"`
}
