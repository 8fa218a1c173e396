// A YAML event emitter that writes what go yaml.v3's emitter writes for the events sops
// produces (block mappings and sequences, empty flow collections, scalars, comments). The
// state machine, indentation and comment placement follow yaml.v3 so output is byte-identical.
import { analyzeScalar, doubleQuoted, S, selectScalarStyle, type StyleCode } from "./scalar-style.js"

export interface EmitEvent {
  type: "docStart" | "docEnd" | "seqStart" | "seqEnd" | "mapStart" | "mapEnd" | "scalar"
  /** scalars: the value, requested style and tag (`!!merge`, `!!binary`, or "" for none) */
  value?: string
  style?: StyleCode
  tag?: string
  /** comments, each "#…" lines joined by "\n" as yaml.v3 stores them */
  head?: string
  line?: string
  foot?: string
  tail?: string
}

const St = {
  FirstDocumentStart: 1, DocumentStart: 2, DocumentContent: 3, DocumentEnd: 4, FlowSequenceFirstItem: 5,
  FlowSequenceItem: 6, FlowMappingFirstKey: 7, FlowMappingKey: 8, FlowMappingValue: 9, BlockSequenceFirstItem: 10,
  BlockSequenceItem: 11, BlockMappingFirstKey: 12, BlockMappingKey: 13, BlockMappingSimpleValue: 14,
  BlockMappingValue: 15, End: 16,
} as const
type State = (typeof St)[keyof typeof St]

/** Emit a stream of documents; `indent` is the encoder indentation (sops default 4). */
export function emitEvents(events: readonly EmitEvent[], indent: number): string {
  const e = new Emitter(indent)
  for (let i = 0; i < events.length; i++) e.process(events, i)
  return e.out.join("")
}

class Emitter {
  out: string[] = []
  bestIndent: number
  state: State = St.FirstDocumentStart
  states: State[] = []
  indent = -1
  indents: number[] = []
  flowLevel = 0
  column = 0
  whitespace = true
  indention = true
  footIndent = -1
  rootContext = false
  sequenceContext = false
  mappingContext = false
  simpleKeyContext = false
  head = ""
  line = ""
  foot = ""
  tail = ""
  keyLine = ""
  events: readonly EmitEvent[] = []
  index = 0

  constructor(indent: number) {
    this.bestIndent = indent < 2 || indent > 9 ? 2 : indent
  }

  process(events: readonly EmitEvent[], index: number): void {
    this.events = events
    this.index = index
    const event = events[index]!
    if (event.head) this.head = event.head
    if (event.line) this.line = event.line
    if (event.foot) this.foot = event.foot
    if (event.tail) this.tail = event.tail
    this.dispatch(event)
  }

  next(offset = 1): EmitEvent | undefined {
    return this.events[this.index + offset]
  }

  dispatch(event: EmitEvent): void {
    switch (this.state) {
      case St.FirstDocumentStart: return this.documentStart(event, true)
      case St.DocumentStart: return this.documentStart(event, false)
      case St.DocumentContent: return this.documentContent(event)
      case St.DocumentEnd: return this.documentEnd(event)
      case St.FlowSequenceFirstItem: return this.flowSequenceItem(event, true)
      case St.FlowSequenceItem: return this.flowSequenceItem(event, false)
      case St.FlowMappingFirstKey: return this.flowMappingKey(event, true)
      case St.FlowMappingKey: return this.flowMappingKey(event, false)
      case St.FlowMappingValue: return this.flowMappingValue(event)
      case St.BlockSequenceFirstItem: return this.blockSequenceItem(event, true)
      case St.BlockSequenceItem: return this.blockSequenceItem(event, false)
      case St.BlockMappingFirstKey: return this.blockMappingKey(event, true)
      case St.BlockMappingKey: return this.blockMappingKey(event, false)
      case St.BlockMappingSimpleValue: return this.blockMappingValue(event, true)
      case St.BlockMappingValue: return this.blockMappingValue(event, false)
      default: throw new Error("internal: event after the end of the stream")
    }
  }

  // ---- low-level writing ----
  put(s: string): void {
    this.out.push(s)
    this.column += s.length
  }
  putBreak(): void {
    this.out.push("\n")
    this.column = 0
    this.indention = true
  }
  writeText(s: string): void {
    this.out.push(s)
    if (/[\ud800-\udfff]/.test(s)) for (const _ of s) this.column++
    else this.column += s.length
  }
  writeIndent(): void {
    const indent = Math.max(this.indent, 0)
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak()
    if (this.footIndent === indent) this.putBreak()
    if (this.column < indent) this.put(" ".repeat(indent - this.column))
    this.whitespace = true
    this.footIndent = -1
  }
  writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ")
    this.writeText(indicator)
    this.whitespace = isWhitespace
    this.indention = this.indention && isIndention
  }
  writeComment(comment: string): void {
    let breaks = false
    let pound = false
    for (const ch of comment) {
      if (ch === "\n") {
        this.putBreak()
        breaks = true
        pound = false
      } else {
        if (breaks) this.writeIndent()
        if (!pound) {
          if (ch !== "#") this.put("# ")
          pound = true
        }
        this.writeText(ch)
        this.indention = false
        breaks = false
      }
    }
    if (!breaks) this.putBreak()
    this.whitespace = true
  }
  processHeadComment(): void {
    if (this.tail !== "") {
      this.writeIndent()
      this.writeComment(this.tail)
      this.tail = ""
      this.footIndent = Math.max(this.indent, 0)
    }
    if (this.head === "") return
    this.writeIndent()
    this.writeComment(this.head)
    this.head = ""
  }
  processLineComment(linebreak = false): void {
    if (this.line === "") {
      if (linebreak) this.putBreak()
      return
    }
    if (!this.whitespace) this.put(" ")
    this.writeComment(this.line)
    this.line = ""
  }
  processFootComment(): void {
    if (this.foot === "") return
    this.writeIndent()
    this.writeComment(this.foot)
    this.foot = ""
    this.footIndent = Math.max(this.indent, 0)
  }
  increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent)
    if (this.indent < 0) {
      this.indent = flow ? this.bestIndent : 0
    } else if (!indentless) {
      if (this.states[this.states.length - 1] === St.BlockSequenceItem) this.indent += 2
      else this.indent = this.bestIndent * Math.floor((this.indent + this.bestIndent) / this.bestIndent)
    }
  }
  popIndent(): void {
    this.indent = this.indents.pop()!
  }
  popState(): void {
    this.state = this.states.pop()!
  }

  // ---- documents ----
  documentStart(event: EmitEvent, first: boolean): void {
    if (event.type !== "docStart") {
      this.state = St.End
      return
    }
    if (!first) {
      this.writeIndent()
      this.writeIndicator("---", true, false, false)
      this.writeIndent()
    }
    if (this.head !== "") {
      this.processHeadComment()
      this.putBreak()
    }
    this.state = St.DocumentContent
  }
  documentContent(event: EmitEvent): void {
    this.states.push(St.DocumentEnd)
    this.processHeadComment()
    this.emitNode(event, true, false, false, false)
    this.processLineComment()
    this.processFootComment()
  }
  documentEnd(_event: EmitEvent): void {
    this.footIndent = 0
    this.processFootComment()
    this.footIndent = -1
    this.writeIndent()
    this.state = St.DocumentStart
  }

  // ---- flow collections (sops only emits empty ones) ----
  flowSequenceItem(event: EmitEvent, first: boolean): void {
    if (first) {
      this.writeIndicator("[", true, true, false)
      this.increaseIndent(true, false)
      this.flowLevel++
    }
    if (event.type === "seqEnd") {
      this.flowLevel--
      this.popIndent()
      if (this.column === 0) this.writeIndent()
      this.writeIndicator("]", false, false, false)
      this.processLineComment()
      this.processFootComment()
      this.popState()
      return
    }
    if (!first) this.writeIndicator(",", false, false, false)
    this.processHeadComment()
    if (this.column === 0) this.writeIndent()
    this.states.push(St.FlowSequenceItem)
    this.emitNode(event, false, true, false, false)
    this.processLineComment()
    this.processFootComment()
  }
  flowMappingKey(event: EmitEvent, first: boolean): void {
    if (first) {
      this.writeIndicator("{", true, true, false)
      this.increaseIndent(true, false)
      this.flowLevel++
    }
    if (event.type === "mapEnd") {
      if ((this.head !== "" || this.foot !== "" || this.tail !== "") && !first) this.writeIndicator(",", false, false, false)
      this.processHeadComment()
      this.flowLevel--
      this.popIndent()
      this.writeIndicator("}", false, false, false)
      this.processLineComment()
      this.processFootComment()
      this.popState()
      return
    }
    if (!first) this.writeIndicator(",", false, false, false)
    this.processHeadComment()
    if (this.column === 0) this.writeIndent()
    this.states.push(St.FlowMappingValue)
    this.emitNode(event, false, false, true, true)
  }
  flowMappingValue(event: EmitEvent): void {
    this.writeIndicator(":", false, false, false)
    this.states.push(St.FlowMappingKey)
    this.emitNode(event, false, false, true, false)
    this.processLineComment()
    this.processFootComment()
  }

  // ---- block collections ----
  blockSequenceItem(event: EmitEvent, first: boolean): void {
    if (first) this.increaseIndent(false, false)
    if (event.type === "seqEnd") {
      this.popIndent()
      this.popState()
      return
    }
    this.processHeadComment()
    this.writeIndent()
    this.writeIndicator("-", true, false, true)
    this.states.push(St.BlockSequenceItem)
    this.emitNode(event, false, true, false, false)
    this.processLineComment()
    this.processFootComment()
  }
  blockMappingKey(event: EmitEvent, first: boolean): void {
    if (first) this.increaseIndent(false, false)
    this.processHeadComment()
    if (event.type === "mapEnd") {
      this.popIndent()
      this.popState()
      return
    }
    this.writeIndent()
    if (this.line !== "") {
      this.keyLine = this.line
      this.line = ""
    }
    if (this.checkSimpleKey(event)) {
      this.states.push(St.BlockMappingSimpleValue)
      this.emitNode(event, false, false, true, true)
      return
    }
    this.writeIndicator("?", true, false, true)
    this.states.push(St.BlockMappingValue)
    this.emitNode(event, false, false, true, false)
  }
  blockMappingValue(event: EmitEvent, simple: boolean): void {
    if (simple) {
      this.writeIndicator(":", false, false, false)
    } else {
      this.writeIndent()
      this.writeIndicator(":", true, false, true)
    }
    if (this.keyLine !== "") {
      if (event.type === "scalar") {
        if (this.line === "") {
          this.line = this.keyLine
          this.keyLine = ""
        }
      } else if (event.type === "mapStart" || event.type === "seqStart") {
        ;[this.line, this.keyLine] = [this.keyLine, this.line]
        this.processLineComment()
        ;[this.line, this.keyLine] = [this.keyLine, this.line]
      }
    }
    this.states.push(St.BlockMappingKey)
    this.emitNode(event, false, false, true, false)
    this.processLineComment()
    this.processFootComment()
  }

  checkEmpty(event: EmitEvent): boolean {
    const next = this.next()
    return (event.type === "seqStart" && next?.type === "seqEnd") || (event.type === "mapStart" && next?.type === "mapEnd")
  }
  checkSimpleKey(event: EmitEvent): boolean {
    if (event.type === "scalar") {
      const value = event.value ?? ""
      if (analyzeScalar(value).multiline) return false
      return Buffer.byteLength(value) + (event.tag ? event.tag.length : 0) <= 128
    }
    if (event.type === "seqStart" || event.type === "mapStart") return this.checkEmpty(event)
    return false
  }

  // ---- nodes ----
  emitNode(event: EmitEvent, root: boolean, sequence: boolean, mapping: boolean, simpleKey: boolean): void {
    this.rootContext = root
    this.sequenceContext = sequence
    this.mappingContext = mapping
    this.simpleKeyContext = simpleKey
    switch (event.type) {
      case "scalar": return this.emitScalar(event)
      case "seqStart":
        this.processTag(event.tag ?? "")
        this.state = this.flowLevel > 0 || this.checkEmpty(event) ? St.FlowSequenceFirstItem : St.BlockSequenceFirstItem
        return
      case "mapStart":
        this.processTag(event.tag ?? "")
        this.state = this.flowLevel > 0 || this.checkEmpty(event) ? St.FlowMappingFirstKey : St.BlockMappingFirstKey
        return
      default:
        throw new Error("internal: unexpected event")
    }
  }

  processTag(tag: string): void {
    if (tag === "") return
    this.writeIndicator(tag, true, false, false)
  }

  emitScalar(event: EmitEvent): void {
    const value = event.value ?? ""
    const analysis = analyzeScalar(value)
    const style = selectScalarStyle(event.style ?? S.Plain, value, analysis,
      { flow: this.flowLevel > 0, simpleKey: this.simpleKeyContext, hasTag: !!event.tag })
    this.processTag(event.tag ?? "")
    this.increaseIndent(true, false)
    switch (style) {
      case S.Plain: this.writePlain(value); break
      case S.Single: this.writeSingleQuoted(value); break
      case S.Double: this.writeDoubleQuoted(value); break
      default: this.writeLiteral(value); break
    }
    this.popIndent()
    this.popState()
  }

  writePlain(value: string): void {
    if (value.length > 0 && !this.whitespace) this.put(" ")
    // sops's plain scalars never contain line breaks (analysis forbids them)
    this.writeText(value)
    if (value.length > 0) this.whitespace = false
    this.indention = false
  }
  writeSingleQuoted(value: string): void {
    this.writeIndicator("'", true, false, false)
    let breaks = false
    for (const ch of value) {
      if (ch === "\n") {
        if (!breaks) this.putBreak()
        this.putBreak()
        breaks = true
      } else {
        if (breaks) this.writeIndent()
        if (ch === "'") this.put("'")
        this.writeText(ch)
        this.indention = false
        breaks = false
      }
    }
    this.writeIndicator("'", false, false, false)
    this.whitespace = false
    this.indention = false
  }
  writeDoubleQuoted(value: string): void {
    this.writeIndicator("", true, false, false)
    this.writeText(doubleQuoted(value))
    this.whitespace = false
    this.indention = false
  }
  writeLiteral(value: string): void {
    this.writeIndicator("|", true, false, false)
    // block scalar hints
    const first = value[0]
    if (first === " " || first === "\n" || first === "\r" || first === "\u0085" || first === "\u2028" || first === "\u2029") {
      this.writeIndicator(String(this.bestIndent), false, false, false)
    }
    let chomp = ""
    if (value.length === 0) chomp = "-"
    else if (!isBreakChar(value[value.length - 1]!)) chomp = "-"
    else if (value.length === 1) chomp = "+"
    else if (isBreakChar(value[value.length - 2]!)) chomp = "+"
    if (chomp !== "") this.writeIndicator(chomp, false, false, false)
    this.processLineComment(true)
    this.whitespace = true
    let breaks = true
    for (const ch of value) {
      if (ch === "\n") {
        this.putBreak()
        breaks = true
      } else {
        if (breaks) this.writeIndent()
        this.writeText(ch)
        this.indention = false
        breaks = false
      }
    }
  }
}

const isBreakChar = (ch: string) => ch === "\n" || ch === "\r" || ch === "\u0085" || ch === "\u2028" || ch === "\u2029"
