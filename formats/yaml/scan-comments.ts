// How yaml.v3's scanner files comments: a comment after a token on its line is a "line"
// comment; comment blocks between tokens are split into the "foot" of what precedes and the
// "head" of what follows, by indentation and blank lines. sops turns these into tree items
// (spec §1.3), so the split decides which map a comment lands in and hence its AAD (§2.1).
import { T, type Mark, type Scanner } from "./scanner.js"

/** One comment line of the source: `text` starts with `#`; [start, end) is its span. */
export interface CommentLine {
  text: string
  start: number
  end: number
}

/** A run of comment lines; `null` stands for an empty line between them (yaml.v3 keeps "\n\n"). */
export type CommentText = (CommentLine | null)[]

/** The empty CommentText that every event and node without comments shares (comment arrays are never changed in place). */
export const noComments: CommentText = Object.freeze([]) as unknown as CommentText

export interface CommentRecord {
  scanMark: Mark
  tokenMark: Mark
  startMark: Mark
  endMark: Mark
  head: CommentText
  line: CommentText
  foot: CommentText
}

const zeroMark: Mark = { index: 0, line: 0, column: 0 }

function record(partial: Partial<CommentRecord> & { tokenMark: Mark }): CommentRecord {
  return { scanMark: zeroMark, startMark: zeroMark, endMark: zeroMark, head: [], line: [], foot: [], ...partial }
}

/** Read the rest of the current line (from `#`) as one comment line. */
function readCommentLine(s: Scanner): CommentLine {
  const start = s.pos
  while (!s.isBreakZ(s.pos)) s.read()
  const line = { text: s.src.slice(start, s.pos), start, end: s.pos }
  s.commentLines.push(line)
  return line
}

/** A comment that follows a token on the same line. */
export function scanLineComment(s: Scanner, tokenMark: Mark): void {
  if (s.newlines > 0) return
  let peek = 0
  while (peek < 512 && s.isBlank(s.pos + peek)) peek++
  if (peek >= 512 || s.code(s.pos + peek) !== 0x23) return
  const seen = s.pos + peek
  while (s.pos < seen) s.skip()
  const startMark = s.mark()
  const line = readCommentLine(s)
  s.comments.push(record({ tokenMark, startMark, line: [line] }))
}

/** Go's comment text as built byte by byte: lines and the "\n" separators between them. */
type RawText = (CommentLine | "\n")[]

/** Split like strings.Split(text, "\n"): an empty piece becomes `null` (an empty line). */
function toCommentText(raw: RawText): CommentText {
  const out: CommentText = []
  let current: CommentLine | null = null
  for (const part of raw) {
    if (part === "\n") {
      out.push(current)
      current = null
    } else {
      current = part
    }
  }
  out.push(current)
  return out
}

/** Comment lines between tokens, starting at a `#` (yaml.v3 yaml_parser_scan_comments). */
export function scanComments(s: Scanner, scanMarkIn: Mark): void {
  let scanMark = scanMarkIn
  let token = s.tokens[s.tokens.length - 1]!
  if (token.type === T.FlowEntry && s.tokens.length > 1) token = s.tokens[s.tokens.length - 2]!

  let tokenMark = token.start
  let startMark: Mark = zeroMark
  let nextIndent = Math.max(s.indent, 0)
  let recentEmpty = false
  let firstEmpty = s.newlines <= 1
  let line = s.line
  let column = s.column
  let text: RawText = []

  // A comment starting on the foot line still belongs to the content just before it.
  let footLine = -1
  if (scanMark.line > 0) {
    footLine = s.line - s.newlines + 1
    if (s.newlines === 0 && s.column > 1) footLine++
  }

  const flush = (endMark: Mark): void => {
    s.comments.push(record({ scanMark, tokenMark, startMark, endMark, foot: toCommentText(text) }))
    scanMark = endMark
    tokenMark = endMark
    text = []
  }

  // Note: after a comment line, `peek` restarts at 1, so the line break ending that comment
  // is never looked at (yaml.v3 does the same; a CR LF ending then reads as an empty line).
  let peek = 0
  for (; peek < 512; peek++) {
    const p = s.pos + peek
    column++
    if (s.isBlank(p)) continue
    const c = s.code(p)
    const closeFlow = s.flowLevel > 0 && (c === 0x5d || c === 0x7d)
    if (closeFlow || s.isBreakZ(p)) {
      if (closeFlow || !recentEmpty) {
        if (closeFlow || (firstEmpty && ((startMark.line === footLine && token.type !== T.Value) || startMark.column - 1 < nextIndent))) {
          // The first block before an empty line is a foot of the prior token.
          if (text.length > 0) {
            if (startMark.column - 1 < nextIndent) tokenMark = startMark
            flush({ index: p, line, column })
          }
        } else if (text.length > 0 && !s.isZ(p)) {
          text.push("\n")
        }
      }
      if (!s.isBreak(p)) break
      firstEmpty = false
      recentEmpty = true
      column = 0
      line++
      continue
    }

    if (text.length > 0 && (closeFlow || (column - 1 < nextIndent && column !== startMark.column))) {
      // A comment at a different, smaller indentation is a foot of the preceding data.
      flush({ index: p, line, column })
    }
    if (c !== 0x23) break

    if (text.length === 0) startMark = { index: p, line, column }
    else text.push("\n")
    recentEmpty = false

    while (s.pos < p) {
      if (s.isBreak(s.pos)) s.skipLine()
      else s.skip()
    }
    text.push(readCommentLine(s))

    peek = 0
    column = 0
    line = s.line
    nextIndent = Math.max(s.indent, 0)
  }

  if (text.length > 0) {
    s.comments.push(record({
      scanMark, tokenMark: startMark, startMark, endMark: { index: s.pos + peek - 1, line, column }, head: toCommentText(text),
    }))
  }
}
