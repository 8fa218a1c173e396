// YAML tokenizer that reproduces go yaml.v3's scanner, including where it files comments
// (head/line/foot, spec §1.3): sops's tree depends on those choices, so a generic YAML
// library's comment model would put comments in the wrong map. Hand-written for that reason
// and for speed (a 1 MB file in a few tens of milliseconds).
import { scanComments, scanLineComment, type CommentLine, type CommentRecord } from "./scan-comments.js"
import { scanBlockScalar, scanFlowScalar, scanPlainScalar } from "./scan-scalar.js"
import { YamlSyntaxError } from "./syntax-error.js"

export interface Mark {
  index: number
  line: number
  column: number
}

export const T = {
  StreamStart: 1, StreamEnd: 2, VersionDirective: 3, TagDirective: 4, DocumentStart: 5, DocumentEnd: 6,
  BlockSequenceStart: 7, BlockMappingStart: 8, BlockEnd: 9, FlowSequenceStart: 10, FlowSequenceEnd: 11,
  FlowMappingStart: 12, FlowMappingEnd: 13, BlockEntry: 14, FlowEntry: 15, Key: 16, Value: 17,
  Alias: 18, Anchor: 19, Tag: 20, Scalar: 21,
} as const
export type TokenType = (typeof T)[keyof typeof T]

export const Style = { Plain: 1, Single: 2, Double: 3, Literal: 4, Folded: 5 } as const
export type ScalarStyle = (typeof Style)[keyof typeof Style]

export interface Token {
  type: TokenType
  start: Mark
  end: Mark
  /** scalar value, anchor/alias name, tag handle, directive handle */
  value: string
  /** tag suffix, %TAG prefix */
  suffix: string
  style: ScalarStyle
  major: number
  minor: number
  /** block scalars: the content's indentation column */
  blockIndent: number
}

interface SimpleKey {
  possible: boolean
  required: boolean
  tokenNumber: number
  mark: Mark
}

const SP = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d

export class Scanner {
  readonly src: string
  pos = 0
  line = 0
  column = 0
  /** line breaks since the last non-blank character (yaml.v3 `newlines`) */
  newlines = 0
  tokens: Token[] = []
  head = 0
  tokensParsed = 0
  tokenAvailable = false
  indent = -1
  indents: number[] = []
  simpleKeyAllowed = false
  simpleKeys: SimpleKey[] = []
  simpleKeysByTok = new Map<number, number>()
  flowLevel = 0
  streamStartProduced = false
  streamEndProduced = false
  comments: CommentRecord[] = []
  /** every comment line read, whether or not yaml.v3 attaches it to a node */
  commentLines: CommentLine[] = []
  commentsHead = 0

  /** `start`: read from this offset, the start of line `line`, as if the stream began there. */
  constructor(src: string, start?: { index: number; line: number }) {
    this.src = src
    if (start !== undefined) {
      this.pos = start.index
      this.line = start.line
    }
  }

  // ---- character classes at an absolute position ----
  code(p: number): number {
    return p < this.src.length ? this.src.charCodeAt(p) : 0
  }
  isZ(p: number): boolean {
    return p >= this.src.length
  }
  isBreak(p: number): boolean {
    const c = this.code(p)
    return c === LF || c === CR || c === 0x85 || c === 0x2028 || c === 0x2029
  }
  isBlank(p: number): boolean {
    const c = this.code(p)
    return c === SP || c === TAB
  }
  isBlankZ(p: number): boolean {
    return this.isBlank(p) || this.isBreak(p) || this.isZ(p)
  }
  isBreakZ(p: number): boolean {
    return this.isBreak(p) || this.isZ(p)
  }
  mark(): Mark {
    return { index: this.pos, line: this.line, column: this.column }
  }

  // ---- moving ----
  skip(): void {
    const c = this.code(this.pos)
    if (c !== SP && c !== TAB) this.newlines = 0
    this.pos += c >= 0xd800 && c <= 0xdbff ? 2 : 1
    this.column++
  }
  /** Consume one line break if there is one. */
  skipLine(): void {
    const c = this.code(this.pos)
    if (c === CR && this.code(this.pos + 1) === LF) this.pos += 2
    else if (this.isBreak(this.pos)) this.pos++
    else return
    this.column = 0
    this.line++
    this.newlines++
  }
  /** Consume one character and return it. */
  read(): string {
    const c = this.code(this.pos)
    if (c !== SP && c !== TAB) this.newlines = 0
    const width = c >= 0xd800 && c <= 0xdbff ? 2 : 1
    const s = this.src.slice(this.pos, this.pos + width)
    this.pos += width
    this.column++
    return s
  }
  /** Consume a line break, returning it normalised ("\n", or LS/PS kept). */
  readLine(): string {
    const c = this.code(this.pos)
    let out = "\n"
    if (c === CR && this.code(this.pos + 1) === LF) this.pos += 2
    else if (c === CR || c === LF || c === 0x85) this.pos++
    else if (c === 0x2028 || c === 0x2029) {
      out = this.src[this.pos]!
      this.pos++
    } else return ""
    this.column = 0
    this.line++
    this.newlines++
    return out
  }

  error(context: string, contextMark: Mark, problem: string): never {
    throw new YamlSyntaxError("scanner", problem, this.mark(), context, contextMark)
  }

  // ---- token queue ----
  insertToken(pos: number, token: Token): void {
    if (pos < 0) this.tokens.push(token)
    else this.tokens.splice(this.head + pos, 0, token)
  }
  newToken(type: TokenType, start: Mark, end: Mark): Token {
    return { type, start, end, value: "", suffix: "", style: Style.Plain, major: 0, minor: 0, blockIndent: 0 }
  }

  /** The next token, scanning more input as needed (yaml.v3 keeps two tokens of lookahead for comments). */
  peek(): Token {
    if (!this.tokenAvailable) this.fetchMoreTokens()
    return this.tokens[this.head]!
  }
  skipToken(): void {
    this.tokenAvailable = false
    this.tokensParsed++
    this.streamEndProduced = this.tokens[this.head]!.type === T.StreamEnd
    this.head++
    if (this.head > 4096 && this.head * 2 > this.tokens.length) {
      this.tokens = this.tokens.slice(this.head)
      this.head = 0
    }
  }

  fetchMoreTokens(): void {
    for (;;) {
      if (this.head < this.tokens.length - 2) {
        const keyIndex = this.simpleKeysByTok.get(this.tokensParsed)
        if (keyIndex === undefined) break
        if (!this.simpleKeyIsValid(this.simpleKeys[keyIndex]!)) break
      }
      this.fetchNextToken()
    }
    this.tokenAvailable = true
  }

  fetchNextToken(): void {
    if (!this.streamStartProduced) return this.fetchStreamStart()
    const scanIndex = this.pos
    const scanLine = this.line
    const scanColumn = this.column
    this.scanToNextToken()
    if (this.flowLevel === 0 && this.indent > this.column) {
      this.unrollIndent(this.column, { index: scanIndex, line: scanLine, column: scanColumn })
    }

    const p = this.pos
    if (this.isZ(p)) return this.fetchStreamEnd()
    const c = this.code(p)
    if (this.column === 0 && c === 0x25 /* % */) return this.fetchDirective()
    if (this.column === 0 && this.isDocumentIndicator(p, 0x2d)) return this.fetchDocumentIndicator(T.DocumentStart)
    if (this.column === 0 && this.isDocumentIndicator(p, 0x2e)) return this.fetchDocumentIndicator(T.DocumentEnd)

    const markIndex = this.pos
    const markLine = this.line
    const markColumn = this.column
    let commentMark: Mark | undefined
    if (this.tokens.length > 0 && ((this.flowLevel === 0 && c === 0x3a) || (this.flowLevel > 0 && c === 0x2c))) {
      // A comment after ':' or ',' belongs with the token before it.
      commentMark = this.tokens[this.tokens.length - 1]!.start
    }
    this.fetchToken(c, p)
    const last = this.tokens[this.tokens.length - 1]
    // A lone '-' has no line comment: it becomes a head comment of what follows.
    if (last !== undefined && last.type === T.BlockEntry) return
    if (this.newlines > 0) return
    scanLineComment(this, commentMark ?? { index: markIndex, line: markLine, column: markColumn })
  }

  isDocumentIndicator(p: number, ch: number): boolean {
    return this.code(p) === ch && this.code(p + 1) === ch && this.code(p + 2) === ch && this.isBlankZ(p + 3)
  }

  fetchToken(c: number, p: number): void {
    switch (c) {
      case 0x5b: return this.fetchFlowCollectionStart(T.FlowSequenceStart)
      case 0x7b: return this.fetchFlowCollectionStart(T.FlowMappingStart)
      case 0x5d: return this.fetchFlowCollectionEnd(T.FlowSequenceEnd)
      case 0x7d: return this.fetchFlowCollectionEnd(T.FlowMappingEnd)
      case 0x2c: return this.fetchFlowEntry()
    }
    if (c === 0x2d && this.isBlankZ(p + 1)) return this.fetchBlockEntry()
    if (c === 0x3f && (this.flowLevel > 0 || this.isBlankZ(p + 1))) return this.fetchKey()
    if (c === 0x3a && (this.flowLevel > 0 || this.isBlankZ(p + 1))) return this.fetchValue()
    if (c === 0x2a) return this.fetchAnchor(T.Alias)
    if (c === 0x26) return this.fetchAnchor(T.Anchor)
    if (c === 0x21) return this.fetchTag()
    if (c === 0x7c && this.flowLevel === 0) return this.fetchBlockScalar(true)
    if (c === 0x3e && this.flowLevel === 0) return this.fetchBlockScalar(false)
    if (c === 0x27) return this.fetchFlowScalar(true)
    if (c === 0x22) return this.fetchFlowScalar(false)
    const indicator = "-?:,[]{}#&*!|>'\"%@`".includes(String.fromCharCode(c))
    if (
      !(this.isBlankZ(p) || indicator) ||
      (c === 0x2d && !this.isBlank(p + 1)) ||
      (this.flowLevel === 0 && (c === 0x3f || c === 0x3a) && !this.isBlankZ(p + 1))
    ) {
      return this.fetchPlainScalar()
    }
    this.error("while scanning for the next token", this.mark(), "found character that cannot start any token")
  }

  // ---- simple keys ----
  simpleKeyIsValid(key: SimpleKey): boolean {
    if (!key.possible) return false
    if (key.mark.line < this.line || key.mark.index + 1024 < this.pos) {
      if (key.required) this.error("while scanning a simple key", key.mark, "could not find expected ':'")
      key.possible = false
      return false
    }
    return true
  }
  saveSimpleKey(): void {
    const required = this.flowLevel === 0 && this.indent === this.column
    if (!this.simpleKeyAllowed) return
    const key: SimpleKey = {
      possible: true, required, tokenNumber: this.tokensParsed + (this.tokens.length - this.head), mark: this.mark(),
    }
    this.removeSimpleKey()
    this.simpleKeys[this.simpleKeys.length - 1] = key
    this.simpleKeysByTok.set(key.tokenNumber, this.simpleKeys.length - 1)
  }
  removeSimpleKey(): void {
    const key = this.simpleKeys[this.simpleKeys.length - 1]!
    if (key.possible) {
      if (key.required) this.error("while scanning a simple key", key.mark, "could not find expected ':'")
      key.possible = false
      this.simpleKeysByTok.delete(key.tokenNumber)
    }
  }
  increaseFlowLevel(): void {
    this.simpleKeys.push({
      possible: false, required: false, tokenNumber: this.tokensParsed + (this.tokens.length - this.head), mark: this.mark(),
    })
    this.flowLevel++
    if (this.flowLevel > 10000) this.error("while increasing flow level", this.mark(), "exceeded max depth of 10000")
  }
  decreaseFlowLevel(): void {
    if (this.flowLevel > 0) {
      this.flowLevel--
      const key = this.simpleKeys.pop()!
      this.simpleKeysByTok.delete(key.tokenNumber)
    }
  }

  // ---- indentation ----
  rollIndent(column: number, number: number, type: TokenType, mark: Mark): void {
    if (this.flowLevel > 0) return
    if (this.indent < column) {
      this.indents.push(this.indent)
      this.indent = column
      if (this.indents.length > 10000) this.error("while increasing indent level", mark, "exceeded max depth of 10000")
      const token = this.newToken(type, mark, mark)
      this.insertToken(number > -1 ? number - this.tokensParsed : number, token)
    }
  }
  /**
   * Close blocks deeper than `column`. yaml.v3 places each BLOCK-END before the comments that
   * sit at the closing block's own indentation, so those become foot comments of that block.
   */
  unrollIndent(column: number, scanMark: Mark): void {
    if (this.flowLevel > 0) return
    let blockMark: Mark = { ...scanMark, index: scanMark.index - 1 }
    while (this.indent > column) {
      let stopIndex = blockMark.index
      for (let i = this.comments.length - 1; i >= 0; i--) {
        const comment = this.comments[i]!
        if (comment.endMark.index < stopIndex) break
        if (comment.startMark.column === this.indent + 1) blockMark = comment.startMark
        stopIndex = comment.scanMark.index
      }
      this.insertToken(-1, this.newToken(T.BlockEnd, blockMark, blockMark))
      this.indent = this.indents.pop()!
    }
  }

  // ---- fetchers ----
  fetchStreamStart(): void {
    this.indent = -1
    this.simpleKeys.push({ possible: false, required: false, tokenNumber: 0, mark: this.mark() })
    this.simpleKeyAllowed = true
    this.streamStartProduced = true
    this.insertToken(-1, this.newToken(T.StreamStart, this.mark(), this.mark()))
  }
  fetchStreamEnd(): void {
    if (this.column !== 0) {
      this.column = 0
      this.line++
    }
    this.unrollIndent(-1, this.mark())
    this.removeSimpleKey()
    this.simpleKeyAllowed = false
    this.insertToken(-1, this.newToken(T.StreamEnd, this.mark(), this.mark()))
  }
  fetchDirective(): void {
    this.unrollIndent(-1, this.mark())
    this.removeSimpleKey()
    this.simpleKeyAllowed = false
    this.insertToken(-1, this.scanDirective())
  }
  fetchDocumentIndicator(type: TokenType): void {
    this.unrollIndent(-1, this.mark())
    this.removeSimpleKey()
    this.simpleKeyAllowed = false
    const start = this.mark()
    this.skip()
    this.skip()
    this.skip()
    this.insertToken(-1, this.newToken(type, start, this.mark()))
  }
  fetchFlowCollectionStart(type: TokenType): void {
    this.saveSimpleKey()
    this.increaseFlowLevel()
    this.simpleKeyAllowed = true
    const start = this.mark()
    this.skip()
    this.insertToken(-1, this.newToken(type, start, this.mark()))
  }
  fetchFlowCollectionEnd(type: TokenType): void {
    this.removeSimpleKey()
    this.decreaseFlowLevel()
    this.simpleKeyAllowed = false
    const start = this.mark()
    this.skip()
    this.insertToken(-1, this.newToken(type, start, this.mark()))
  }
  fetchFlowEntry(): void {
    this.removeSimpleKey()
    this.simpleKeyAllowed = true
    const start = this.mark()
    this.skip()
    this.insertToken(-1, this.newToken(T.FlowEntry, start, this.mark()))
  }
  fetchBlockEntry(): void {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) this.error("", this.mark(), "block sequence entries are not allowed in this context")
      this.rollIndent(this.column, -1, T.BlockSequenceStart, this.mark())
    }
    this.removeSimpleKey()
    this.simpleKeyAllowed = true
    const start = this.mark()
    this.skip()
    this.insertToken(-1, this.newToken(T.BlockEntry, start, this.mark()))
  }
  fetchKey(): void {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) this.error("", this.mark(), "mapping keys are not allowed in this context")
      this.rollIndent(this.column, -1, T.BlockMappingStart, this.mark())
    }
    this.removeSimpleKey()
    this.simpleKeyAllowed = this.flowLevel === 0
    const start = this.mark()
    this.skip()
    this.insertToken(-1, this.newToken(T.Key, start, this.mark()))
  }
  fetchValue(): void {
    const key = this.simpleKeys[this.simpleKeys.length - 1]!
    if (this.simpleKeyIsValid(key)) {
      this.insertToken(key.tokenNumber - this.tokensParsed, this.newToken(T.Key, key.mark, key.mark))
      this.rollIndent(key.mark.column, key.tokenNumber, T.BlockMappingStart, key.mark)
      key.possible = false
      this.simpleKeysByTok.delete(key.tokenNumber)
      this.simpleKeyAllowed = false
    } else {
      if (this.flowLevel === 0) {
        if (!this.simpleKeyAllowed) this.error("", this.mark(), "mapping values are not allowed in this context")
        this.rollIndent(this.column, -1, T.BlockMappingStart, this.mark())
      }
      this.simpleKeyAllowed = this.flowLevel === 0
    }
    const start = this.mark()
    this.skip()
    this.insertToken(-1, this.newToken(T.Value, start, this.mark()))
  }
  fetchAnchor(type: TokenType): void {
    this.saveSimpleKey()
    this.simpleKeyAllowed = false
    const start = this.mark()
    this.skip()
    let name = ""
    while (isAlpha(this.code(this.pos))) name += this.read()
    const end = this.mark()
    const c = this.code(this.pos)
    if (name === "" || !(this.isBlankZ(this.pos) || "?:,]}%@`".includes(String.fromCharCode(c)))) {
      this.error(type === T.Anchor ? "while scanning an anchor" : "while scanning an alias", start,
        "did not find expected alphabetic or numeric character")
    }
    const token = this.newToken(type, start, end)
    token.value = name
    this.insertToken(-1, token)
  }
  fetchTag(): void {
    this.saveSimpleKey()
    this.simpleKeyAllowed = false
    const start = this.mark()
    let handle: string
    let suffix: string
    if (this.code(this.pos + 1) === 0x3c /* < */) {
      handle = ""
      this.skip()
      this.skip()
      suffix = this.scanTagUri(false, "", start)
      if (this.code(this.pos) !== 0x3e) this.error("while scanning a tag", start, "did not find the expected '>'")
      this.skip()
    } else {
      handle = this.scanTagHandle(false, start)
      if (handle.length > 1 && handle.endsWith("!")) {
        suffix = this.scanTagUri(false, "", start)
      } else {
        suffix = this.scanTagUri(false, handle, start)
        handle = "!"
        if (suffix === "") {
          suffix = handle
          handle = ""
        }
      }
    }
    if (!this.isBlankZ(this.pos)) this.error("while scanning a tag", start, "did not find expected whitespace or line break")
    const token = this.newToken(T.Tag, start, this.mark())
    token.value = handle
    token.suffix = suffix
    this.insertToken(-1, token)
  }
  scanTagHandle(directive: boolean, start: Mark): string {
    if (this.code(this.pos) !== 0x21) {
      this.error(directive ? "while parsing a %TAG directive" : "while parsing a tag", start, "did not find expected '!'")
    }
    let s = this.read()
    while (isAlpha(this.code(this.pos))) s += this.read()
    if (this.code(this.pos) === 0x21) s += this.read()
    else if (directive && s !== "!") this.error("while parsing a %TAG directive", start, "did not find expected '!'")
    return s
  }
  scanTagUri(directive: boolean, head: string, start: Mark): string {
    let s = head.length > 1 ? head.slice(1) : ""
    let hasTag = head.length > 0
    for (;;) {
      const c = this.code(this.pos)
      if (!(isAlpha(c) || ";/?:@&=+$,.!~*'()[]%".includes(String.fromCharCode(c))) || c === 0) break
      if (c === 0x25) s += this.scanUriEscapes(directive, start)
      else s += this.read()
      hasTag = true
    }
    if (!hasTag) {
      this.error(directive ? "while parsing a %TAG directive" : "while parsing a tag", start, "did not find expected tag URI")
    }
    return s
  }
  scanUriEscapes(directive: boolean, start: Mark): string {
    const bytes: number[] = []
    let width = 1024
    const context = directive ? "while parsing a %TAG directive" : "while parsing a tag"
    while (width > 0) {
      const hex = this.src.slice(this.pos + 1, this.pos + 3)
      if (this.code(this.pos) !== 0x25 || !/^[0-9a-fA-F]{2}$/.test(hex)) this.error(context, start, "did not find URI escaped octet")
      const octet = parseInt(hex, 16)
      if (width === 1024) {
        width = octet < 0x80 ? 1 : (octet & 0xe0) === 0xc0 ? 2 : (octet & 0xf0) === 0xe0 ? 3 : (octet & 0xf8) === 0xf0 ? 4 : 0
        if (width === 0) this.error(context, start, "found an incorrect leading UTF-8 octet")
      } else if ((octet & 0xc0) !== 0x80) {
        this.error(context, start, "found an incorrect trailing UTF-8 octet")
      }
      bytes.push(octet)
      this.skip()
      this.skip()
      this.skip()
      width--
    }
    return Buffer.from(bytes).toString("utf8")
  }
  fetchBlockScalar(literal: boolean): void {
    this.removeSimpleKey()
    this.simpleKeyAllowed = true
    this.insertToken(-1, scanBlockScalar(this, literal))
  }
  fetchFlowScalar(single: boolean): void {
    this.saveSimpleKey()
    this.simpleKeyAllowed = false
    this.insertToken(-1, scanFlowScalar(this, single))
  }
  fetchPlainScalar(): void {
    this.saveSimpleKey()
    this.simpleKeyAllowed = false
    this.insertToken(-1, scanPlainScalar(this))
  }

  /** Skip blanks, line breaks and comments (collecting the comments) up to the next token. */
  scanToNextToken(): void {
    const scanIndex = this.pos
    const scanLine = this.line
    const scanColumn = this.column
    for (;;) {
      if (this.column === 0 && this.code(this.pos) === 0xfeff) this.skip()
      for (;;) {
        const c = this.code(this.pos)
        if (c === SP || (c === TAB && (this.flowLevel > 0 || !this.simpleKeyAllowed))) this.skip()
        else break
      }
      // `- # comment` followed by content on the next lines: the line comment is really a
      // head comment of what follows the entry.
      if (this.comments.length > 0 && this.tokens.length > 1) {
        const a = this.tokens[this.tokens.length - 2]!
        const b = this.tokens[this.tokens.length - 1]!
        const comment = this.comments[this.comments.length - 1]!
        if (a.type === T.BlockSequenceStart && b.type === T.BlockEntry && comment.line.length > 0 && !this.isBreak(this.pos)) {
          comment.head = comment.line
          comment.line = []
          if (comment.startMark.line === this.line - 1) comment.tokenMark = this.mark()
        }
      }
      if (this.code(this.pos) === 0x23 /* # */) scanComments(this, { index: scanIndex, line: scanLine, column: scanColumn })
      if (this.isBreak(this.pos)) {
        this.skipLine()
        if (this.flowLevel === 0) this.simpleKeyAllowed = true
      } else {
        break
      }
    }
  }

  scanDirective(): Token {
    const start = this.mark()
    this.skip()
    let name = ""
    while (isAlpha(this.code(this.pos))) name += this.read()
    if (name === "") this.error("while scanning a directive", start, "could not find expected directive name")
    if (!this.isBlankZ(this.pos)) this.error("while scanning a directive", start, "found unexpected non-alphabetical character")
    let token: Token
    if (name === "YAML") {
      while (this.isBlank(this.pos)) this.skip()
      const major = this.scanVersionNumber(start)
      if (this.code(this.pos) !== 0x2e) this.error("while scanning a %YAML directive", start, "did not find expected digit or '.' character")
      this.skip()
      const minor = this.scanVersionNumber(start)
      token = this.newToken(T.VersionDirective, start, this.mark())
      token.major = major
      token.minor = minor
    } else if (name === "TAG") {
      while (this.isBlank(this.pos)) this.skip()
      const handle = this.scanTagHandle(true, start)
      if (!this.isBlank(this.pos)) this.error("while scanning a %TAG directive", start, "did not find expected whitespace")
      while (this.isBlank(this.pos)) this.skip()
      const prefix = this.scanTagUri(true, "", start)
      if (!this.isBlankZ(this.pos)) this.error("while scanning a %TAG directive", start, "did not find expected whitespace or line break")
      token = this.newToken(T.TagDirective, start, this.mark())
      token.value = handle
      token.suffix = prefix
    } else {
      this.error("while scanning a directive", start, "found unknown directive name")
    }
    while (this.isBlank(this.pos)) this.skip()
    if (this.code(this.pos) === 0x23) while (!this.isBreakZ(this.pos)) this.skip()
    if (!this.isBreakZ(this.pos)) this.error("while scanning a directive", start, "did not find expected comment or line break")
    this.skipLine()
    return token
  }
  scanVersionNumber(start: Mark): number {
    let value = 0
    let length = 0
    while (this.code(this.pos) >= 0x30 && this.code(this.pos) <= 0x39) {
      if (++length > 9) this.error("while scanning a %YAML directive", start, "found extremely long version number")
      value = value * 10 + this.code(this.pos) - 0x30
      this.skip()
    }
    if (length === 0) this.error("while scanning a %YAML directive", start, "did not find expected version number")
    return value
  }
}

export function isAlpha(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d
}
