// Scalar tokens (plain, quoted, literal/folded block) with yaml.v3's folding and escape rules.
import { scanLineComment } from "./scan-comments.js"
import { Style, T, type Mark, type Scanner, type Token } from "./scanner.js"

const SP = 0x20, TAB = 0x09

function scalarToken(s: Scanner, start: Mark, end: Mark, value: string, style: Token["style"]): Token {
  const token = s.newToken(T.Scalar, start, end)
  token.value = value
  token.style = style
  return token
}

function atDocumentIndicator(s: Scanner): boolean {
  return s.column === 0 && (s.isDocumentIndicator(s.pos, 0x2d) || s.isDocumentIndicator(s.pos, 0x2e))
}

/** Block scalar (`|` or `>`), with chomping and indentation indicators. */
export function scanBlockScalar(s: Scanner, literal: boolean): Token {
  const start = s.mark()
  s.skip()
  let chomping = 0
  let increment = 0
  const digit = (c: number) => c >= 0x30 && c <= 0x39
  let c = s.code(s.pos)
  if (c === 0x2b || c === 0x2d) {
    chomping = c === 0x2b ? 1 : -1
    s.skip()
    c = s.code(s.pos)
    if (digit(c)) {
      if (c === 0x30) s.error("while scanning a block scalar", start, "found an indentation indicator equal to 0")
      increment = c - 0x30
      s.skip()
    }
  } else if (digit(c)) {
    if (c === 0x30) s.error("while scanning a block scalar", start, "found an indentation indicator equal to 0")
    increment = c - 0x30
    s.skip()
    c = s.code(s.pos)
    if (c === 0x2b || c === 0x2d) {
      chomping = c === 0x2b ? 1 : -1
      s.skip()
    }
  }
  while (s.isBlank(s.pos)) s.skip()
  if (s.code(s.pos) === 0x23) {
    scanLineComment(s, start)
    while (!s.isBreakZ(s.pos)) s.skip()
  }
  if (!s.isBreakZ(s.pos)) s.error("while scanning a block scalar", start, "did not find expected comment or line break")
  if (s.isBreak(s.pos)) s.skipLine()

  let end = s.mark()
  let indent = 0
  if (increment > 0) indent = s.indent >= 0 ? s.indent + increment : increment

  const parts: string[] = []
  let leadingBreak = ""
  let trailingBreaks = ""
  const scanBreaks = (): void => {
    end = s.mark()
    let maxIndent = 0
    for (;;) {
      while ((indent === 0 || s.column < indent) && s.code(s.pos) === SP) s.skip()
      if (s.column > maxIndent) maxIndent = s.column
      if ((indent === 0 || s.column < indent) && s.code(s.pos) === TAB) {
        s.error("while scanning a block scalar", start, "found a tab character where an indentation space is expected")
      }
      if (!s.isBreak(s.pos)) break
      trailingBreaks += s.readLine()
      end = s.mark()
    }
    if (indent === 0) indent = Math.max(maxIndent, s.indent + 1, 1)
  }
  scanBreaks()

  let leadingBlank = false
  while (s.column === indent && !s.isZ(s.pos)) {
    const trailingBlank = s.isBlank(s.pos)
    if (!literal && !leadingBlank && !trailingBlank && leadingBreak.startsWith("\n")) {
      if (trailingBreaks === "") parts.push(" ")
    } else {
      parts.push(leadingBreak)
    }
    leadingBreak = ""
    parts.push(trailingBreaks)
    trailingBreaks = ""
    leadingBlank = s.isBlank(s.pos)
    const lineStart = s.pos
    while (!s.isBreakZ(s.pos)) s.skip()
    parts.push(s.src.slice(lineStart, s.pos))
    leadingBreak = s.readLine()
    scanBreaks()
  }
  if (chomping !== -1) parts.push(leadingBreak)
  if (chomping === 1) parts.push(trailingBreaks)
  const token = scalarToken(s, start, end, parts.join(""), literal ? Style.Literal : Style.Folded)
  token.blockIndent = indent
  return token
}

const simpleEscapes: Record<string, string> = {
  "0": "\0", a: "\x07", b: "\b", t: "\t", "\t": "\t", n: "\n", v: "\v", f: "\f", r: "\r", e: "\x1b",
  " ": " ", '"': '"', "'": "'", "\\": "\\", N: "\u0085", _: "\u00a0", L: "\u2028", P: "\u2029",
}

/** Single- or double-quoted scalar. */
export function scanFlowScalar(s: Scanner, single: boolean): Token {
  const start = s.mark()
  s.skip()
  const parts: string[] = []
  let leadingBreak = ""
  let trailingBreaks = ""
  let whitespaces = ""
  for (;;) {
    if (atDocumentIndicator(s)) s.error("while scanning a quoted scalar", start, "found unexpected document indicator")
    if (s.isZ(s.pos)) s.error("while scanning a quoted scalar", start, "found unexpected end of stream")

    let leadingBlanks = false
    let runStart = s.pos
    const flushRun = () => {
      if (s.pos > runStart) parts.push(s.src.slice(runStart, s.pos))
    }
    while (!s.isBlankZ(s.pos)) {
      const c = s.code(s.pos)
      if (single && c === 0x27 && s.code(s.pos + 1) === 0x27) {
        flushRun()
        parts.push("'")
        s.skip()
        s.skip()
        runStart = s.pos
      } else if (single ? c === 0x27 : c === 0x22) {
        break
      } else if (!single && c === 0x5c && s.isBreak(s.pos + 1)) {
        flushRun()
        s.skip()
        s.skipLine()
        leadingBlanks = true
        runStart = s.pos
        break
      } else if (!single && c === 0x5c) {
        flushRun()
        const e = s.src[s.pos + 1] ?? ""
        let codeLength = 0
        if (e in simpleEscapes) parts.push(simpleEscapes[e]!)
        else if (e === "x") codeLength = 2
        else if (e === "u") codeLength = 4
        else if (e === "U") codeLength = 8
        else s.error("while parsing a quoted scalar", start, "found unknown escape character")
        s.skip()
        s.skip()
        if (codeLength > 0) {
          const hex = s.src.slice(s.pos, s.pos + codeLength)
          if (!new RegExp(`^[0-9a-fA-F]{${codeLength}}$`).test(hex)) {
            s.error("while parsing a quoted scalar", start, "did not find expected hexdecimal number")
          }
          const value = parseInt(hex, 16)
          if ((value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) {
            s.error("while parsing a quoted scalar", start, "found invalid Unicode character escape code")
          }
          parts.push(String.fromCodePoint(value))
          for (let k = 0; k < codeLength; k++) s.skip()
        }
        runStart = s.pos
      } else {
        s.skip()
      }
    }
    flushRun()
    if (single ? s.code(s.pos) === 0x27 : s.code(s.pos) === 0x22) break

    while (s.isBlank(s.pos) || s.isBreak(s.pos)) {
      if (s.isBlank(s.pos)) {
        if (!leadingBlanks) whitespaces += s.read()
        else s.skip()
      } else if (!leadingBlanks) {
        whitespaces = ""
        leadingBreak = s.readLine()
        leadingBlanks = true
      } else {
        trailingBreaks += s.readLine()
      }
    }
    if (leadingBlanks) {
      if (leadingBreak.startsWith("\n")) {
        parts.push(trailingBreaks === "" ? " " : trailingBreaks)
      } else {
        parts.push(leadingBreak, trailingBreaks)
      }
      leadingBreak = ""
      trailingBreaks = ""
    } else {
      parts.push(whitespaces)
      whitespaces = ""
    }
  }
  s.skip()
  return scalarToken(s, start, s.mark(), parts.join(""), single ? Style.Single : Style.Double)
}

// What a plain scalar's run may hold in block context, up to the first surrogate: anything but
// blanks and line breaks, and `:` only before one of those or the end of input.
const plainRun = /(?:[^ \t\n\r\u0085\u2028\u2029:\ud800-\udfff]|:(?=[^ \t\n\r\u0085\u2028\u2029]))*/y

/** Plain scalar, possibly spanning lines (folded) in block or flow context. */
export function scanPlainScalar(s: Scanner): Token {
  // (the value grows by concatenation: most plain scalars are one run, taken as it is)
  let value = ""
  let leadingBreak = ""
  let trailingBreaks = ""
  let whitespaces = ""
  let leadingBlanks = false
  const indent = s.indent + 1
  const start = s.mark()
  let endIndex = s.pos
  let endLine = s.line
  let endColumn = s.column
  const flow = s.flowLevel > 0
  for (;;) {
    if (atDocumentIndicator(s)) break
    if (s.code(s.pos) === 0x23) break
    // the run of non-blank characters, scanned directly (this loop dominates parse time)
    const src = s.src
    const length = src.length
    const runStart = s.pos
    let p = s.pos
    let column = s.column
    // block context: a native scan up to a blank, a line break, `: `, or a surrogate pair (one
    // character, two code units: the column counts characters)
    while (!flow) {
      plainRun.lastIndex = p
      plainRun.test(src)
      column += plainRun.lastIndex - p
      p = plainRun.lastIndex
      const c = src.charCodeAt(p)
      if (!(c >= 0xd800 && c <= 0xdfff)) break // (NaN at the end of input)
      p += c <= 0xdbff ? 2 : 1
      column++
    }
    while (flow && p < length) {
      const c = src.charCodeAt(p)
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029) break
      if (c === 0x3a) {
        const n = p + 1 < length ? src.charCodeAt(p + 1) : 0
        if (n === 0 || n === 0x20 || n === 0x09 || n === 0x0a || n === 0x0d || n === 0x85 || n === 0x2028 || n === 0x2029) break
      } else if (flow && (c === 0x2c || c === 0x3f || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d)) {
        break
      }
      p += c >= 0xd800 && c <= 0xdbff ? 2 : 1
      column++
    }
    if (p > runStart) {
      if (leadingBlanks || whitespaces !== "") {
        if (leadingBlanks) {
          if (leadingBreak.startsWith("\n")) value += trailingBreaks === "" ? " " : trailingBreaks
          else value += leadingBreak + trailingBreaks
          trailingBreaks = ""
          leadingBreak = ""
          leadingBlanks = false
        } else {
          value += whitespaces
          whitespaces = ""
        }
      }
      s.pos = p
      s.column = column
      s.newlines = 0
      endIndex = p
      endLine = s.line
      endColumn = column
      value += src.slice(runStart, p)
    }
    if (!(s.isBlank(s.pos) || s.isBreak(s.pos))) break

    while (s.isBlank(s.pos) || s.isBreak(s.pos)) {
      if (s.isBlank(s.pos)) {
        if (leadingBlanks && s.column < indent && s.code(s.pos) === TAB) {
          s.error("while scanning a plain scalar", start, "found a tab character that violates indentation")
        }
        if (!leadingBlanks) whitespaces += s.read()
        else s.skip()
      } else if (!leadingBlanks) {
        whitespaces = ""
        leadingBreak = s.readLine()
        leadingBlanks = true
      } else {
        trailingBreaks += s.readLine()
      }
    }
    if (!flow && s.column < indent) break
  }
  const token = scalarToken(s, start, { index: endIndex, line: endLine, column: endColumn }, value, Style.Plain)
  if (leadingBlanks) s.simpleKeyAllowed = true
  return token
}
