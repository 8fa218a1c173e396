// An INI parser that behaves like gopkg.in/ini.v1 v1.67 with sops's options (AllowNonUniqueSections,
// the rest default; spec §1.3, §9.4) and records where every piece of text is. Hand-written: the npm
// `ini` package drops comments, unquotes differently and has no `"""` values or `\` continuations.
import { InputParseError } from "../src/core/errors.js"

/** A comment line ([start, end) with its newline) or the inline part cut off a value or header line. */
export interface IniCommentPart {
  readonly start: number
  readonly end: number
  readonly inline: boolean
}

export interface Span {
  readonly start: number
  readonly end: number
}

export interface IniKey {
  readonly name: string
  /** `-` keys, named `#1`, `#2`… by the library */
  readonly auto: boolean
  value: string
  /** the library's comment: preceding comment lines plus the inline part, trimmed */
  comment: string
  commentParts: IniCommentPart[]
  /** start of the key's first line */
  lineStart: number
  /** the value's text, quotes included (an empty range where the value is empty) */
  valueStart: number
  valueEnd: number
  /** end of the key's last line, newline included */
  end: number
}

export interface IniSection {
  readonly name: string
  /** the DEFAULT section the library creates before the first header */
  readonly implicit: boolean
  readonly comment: string
  readonly commentParts: IniCommentPart[]
  /** first line of the section: its first comment line, else its header (0 for the implicit one) */
  readonly start: number
  /** the header line [headerStart, headerEnd), newline included; empty for the implicit section */
  readonly headerStart: number
  readonly headerEnd: number
  /** end of the last key line (or of the header), newline included */
  bodyEnd: number
  readonly keys: IniKey[]
}

export interface IniDocument {
  readonly sections: IniSection[]
  /** text the library reads but the tree does not hold: shadowed duplicate keys, comments at the end */
  readonly dead: Span[]
}

/** Go's unicode.IsSpace. */
export function isGoSpace(ch: string | undefined): boolean {
  if (ch === undefined) return false
  const c = ch.charCodeAt(0)
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0x85 || c === 0xa0 || c === 0x1680
    || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
}

export function trimGoSpace(text: string): string {
  let start = 0
  let end = text.length
  while (start < end && isGoSpace(text[start])) start++
  while (end > start && isGoSpace(text[end - 1])) end--
  return text.slice(start, end)
}

const indexOfAny = (text: string, chars: string): number => {
  for (let i = 0; i < text.length; i++) if (chars.includes(text[i]!)) return i
  return -1
}

/** ini.v1's hasSurroundedQuote: quoted at both ends and nowhere else. */
const hasSurroundedQuote = (text: string, quote: string): boolean =>
  text.length >= 2 && text[0] === quote && text.at(-1) === quote && text.indexOf(quote, 1) === text.length - 1

interface Line {
  readonly start: number
  /** after the newline, or the end of the text */
  readonly end: number
  readonly number: number
}

class Reader {
  readonly text: string
  pos: number
  eof = false
  number = 0

  constructor(text: string, start: number) {
    this.text = text
    this.pos = start
  }

  /** The next line, as bufio's ReadBytes('\n') gives it: eof is set when it had no newline. */
  next(): Line {
    const start = this.pos
    const newline = this.text.indexOf("\n", start)
    this.number++
    if (newline === -1) {
      this.eof = true
      this.pos = this.text.length
    } else {
      this.pos = newline + 1
    }
    return { start, end: this.pos, number: this.number }
  }

  content(line: Line): string {
    return this.text.slice(line.start, line.end)
  }

  /** The end of the line's text before `\n` / `\r\n`. */
  contentEnd(line: Line): number {
    let end = line.end
    if (this.text[end - 1] === "\n") end--
    if (this.text[end - 1] === "\r" && end > line.start) end--
    return end
  }
}

export function parseIni(text: string, context = "Could not unmarshal input data"): IniDocument {
  // ini.v1 skips a UTF-8 or UTF-16 byte order mark (invalid bytes come in as U+DC80+b, see lossless-text.ts).
  const bom = text.startsWith("\ufeff") ? 1 : /^(\udcfe\udcff|\udcff\udcfe)/.test(text) ? 2 : 0
  const reader = new Reader(text, bom)
  const dead: Span[] = []
  const fail = (reason: string, line: Line): never => {
    throw new InputParseError(`${context}: ${reason} at line ${line.number}`)
  }
  // Text the library skips without keeping it (after a closing quote, between `]` and a comment…) is
  // recorded as dead, so a layout-keeping output never copies it.
  const skipped = (start: number, end: number) => {
    if (/[^\s]/.test(text.slice(start, end))) dead.push({ start, end })
  }
  const implicit: IniSection = {
    name: "DEFAULT", implicit: true, comment: "", commentParts: [], start: 0, headerStart: 0, headerEnd: 0, bodyEnd: 0, keys: [],
  }
  const sections: IniSection[] = [implicit]
  let section = implicit
  let byName = new Map<string, IniKey>()
  let count = 1
  let commentText = ""
  let commentParts: IniCommentPart[] = []
  const takeComment = () => {
    const taken = { comment: trimGoSpace(commentText), commentParts }
    commentText = ""
    commentParts = []
    return taken
  }

  while (!reader.eof) {
    const line = reader.next()
    const raw = reader.content(line)
    let lead = 0
    while (lead < raw.length && isGoSpace(raw[lead])) lead++
    if (lead === raw.length) continue
    const t = raw.slice(lead)
    const tStart = line.start + lead

    if (t[0] === "#" || t[0] === ";") {
      commentText += t
      commentParts.push({ start: line.start, end: line.end, inline: false })
      continue
    }

    if (t[0] === "[") {
      const close = t.lastIndexOf("]")
      if (close === -1) fail("unclosed section", line)
      const name = t.slice(1, close)
      if (name === "") fail("empty section name", line)
      const rest = t.slice(close + 1)
      const cut = indexOfAny(rest, "#;")
      const restStart = tStart + close + 1
      skipped(restStart, cut === -1 ? reader.contentEnd(line) : restStart + cut)
      if (cut !== -1) {
        commentText += rest.slice(cut)
        commentParts.push({ start: restStart, end: reader.contentEnd(line), inline: true })
      }
      const { comment, commentParts: parts } = takeComment()
      const first = parts.find(part => !part.inline)
      section = {
        name, implicit: false, comment, commentParts: parts, start: first?.start ?? line.start,
        headerStart: line.start, headerEnd: line.end, bodyEnd: line.end, keys: [],
      }
      sections.push(section)
      byName = new Map()
      count = 1
      continue
    }

    // Key name (readKeyName): optionally quoted with ", """ or `, up to the first `=` or `:`.
    let name: string
    let offset: number
    const keyQuote = t[0] === '"' ? (t.length > 6 && t.startsWith('"""') ? '"""' : '"') : t[0] === "`" ? "`" : ""
    if (keyQuote) {
      const q = keyQuote.length
      const closing = t.indexOf(keyQuote, q)
      if (closing === -1) fail("missing closing key quote", line)
      const i = indexOfAny(t.slice(closing + q), "=:")
      if (i < 0) fail("key-value delimiter not found", line)
      name = trimGoSpace(t.slice(q, closing))
      offset = closing + i + q + 1
      skipped(tStart + closing + q, tStart + closing + q + i)
    } else {
      const i = indexOfAny(t, "=:")
      if (i < 0) fail("key-value delimiter not found", line)
      if (i === 0) fail("empty key name", line)
      name = trimGoSpace(t.slice(0, i))
      offset = i + 1
    }

    // Value (readValue).
    const rawValue = t.slice(offset)
    let vLead = 0
    while (vLead < rawValue.length && isGoSpace(rawValue[vLead])) vLead++
    const v = rawValue.slice(vLead)
    const vStart = tStart + offset + vLead
    let value: string
    let valueStart = Math.min(vStart, reader.contentEnd(line))
    let valueEnd = valueStart
    let end = line.end
    const valQuote = v.length > 3 && v.startsWith('"""') ? '"""' : v[0] === "`" ? "`" : ""
    if (v === "") {
      value = ""
    } else if (valQuote) {
      const q = valQuote.length
      const closing = v.slice(q).lastIndexOf(valQuote)
      if (closing !== -1) {
        value = v.slice(q, q + closing)
        valueEnd = vStart + q + closing + q
        skipped(valueEnd, reader.contentEnd(line))
      } else {
        // readMultilines: lines are taken whole until one holds the closing quote.
        value = v.slice(q)
        for (;;) {
          const next = reader.next()
          const content = reader.content(next)
          const at = content.lastIndexOf(valQuote)
          if (at > -1) {
            value += content.slice(0, at)
            const rest = content.slice(at)
            const cut = indexOfAny(rest, "#;")
            const restStart = next.start + at + q
            skipped(restStart, cut === -1 ? reader.contentEnd(next) : next.start + at + cut)
            if (cut !== -1) {
              commentText += trimGoSpace(rest.slice(cut))
              commentParts.push({ start: restStart, end: reader.contentEnd(next), inline: true })
            }
            valueEnd = next.start + at + q
            end = next.end
            break
          }
          value += content
          if (reader.eof) fail("missing closing value quote", line)
        }
      }
    } else {
      let trimmed = trimGoSpace(v)
      valueEnd = vStart + trimmed.length
      if (trimmed.endsWith("\\")) {
        // readContinuationLines: trimmed next lines are appended until one does not end in `\`.
        value = trimmed.slice(0, -1)
        for (;;) {
          const next = reader.next()
          const content = reader.content(next)
          const piece = trimGoSpace(content)
          if (piece === "") break
          value += piece
          let pieceStart = 0
          while (isGoSpace(content[pieceStart])) pieceStart++
          valueEnd = next.start + pieceStart + piece.length
          end = next.end
          if (!value.endsWith("\\")) break
          value = value.slice(0, -1)
        }
      } else {
        const cut = indexOfAny(trimmed, "#;")
        if (cut > -1) {
          commentText += trimmed.slice(cut)
          trimmed = trimGoSpace(trimmed.slice(0, cut))
          valueEnd = vStart + trimmed.length
          commentParts.push({ start: valueEnd, end: reader.contentEnd(line), inline: true })
        }
        value = hasSurroundedQuote(trimmed, "'") || hasSurroundedQuote(trimmed, '"') ? trimmed.slice(1, -1) : trimmed
      }
    }

    let auto = false
    if (name === "-") {
      name = `#${count++}`
      auto = true
    }
    if (name === "") fail("empty key name", line)
    const { comment, commentParts: parts } = takeComment()
    const existing = byName.get(name)
    if (existing) {
      // Without AllowShadows a repeated key updates the first one: its earlier text is not in the tree.
      for (const part of existing.commentParts) if (!part.inline) dead.push(part)
      dead.push({ start: existing.lineStart, end: existing.end })
      Object.assign(existing, { value, comment, commentParts: parts, lineStart: line.start, valueStart, valueEnd, end })
    } else {
      const key: IniKey = { name, auto, value, comment, commentParts: parts, lineStart: line.start, valueStart, valueEnd, end }
      section.keys.push(key)
      byName.set(name, key)
    }
    section.bodyEnd = end
  }
  // Comments after the last key or header are dropped by the library.
  for (const part of commentParts) dead.push(part)
  return { sections, dead }
}
