// YAML events from tokens, with comments attached to events exactly where yaml.v3's parser
// attaches them (they are pulled in when a token after them is peeked).
import { noComments, type CommentText } from "./scan-comments.js"
import { Scanner, Style, T, type Mark, type ScalarStyle, type Token } from "./scanner.js"
import { YamlSyntaxError } from "./syntax-error.js"

export const E = {
  StreamStart: 1, StreamEnd: 2, DocumentStart: 3, DocumentEnd: 4, Alias: 5, Scalar: 6,
  SequenceStart: 7, SequenceEnd: 8, MappingStart: 9, MappingEnd: 10,
} as const
export type EventType = (typeof E)[keyof typeof E]

export interface YamlEvent {
  type: EventType
  start: Mark
  end: Mark
  anchor: string
  /** resolved tag (full form, e.g. tag:yaml.org,2002:str), "" when none */
  tag: string
  value: string
  implicit: boolean
  style: ScalarStyle
  flow: boolean
  /** the scalar/alias token itself (without anchor and tag); for collections the start token */
  token: Token | undefined
  /** offset of the `-` when this node is a block sequence entry, else -1 */
  entry: number
  head: CommentText
  line: CommentText
  foot: CommentText
}

const S = {
  StreamStart: 0, ImplicitDocumentStart: 1, DocumentStart: 2, DocumentContent: 3, DocumentEnd: 4, BlockNode: 5,
  BlockNodeOrIndentlessSequence: 6, FlowNode: 7, BlockSequenceFirstEntry: 8, BlockSequenceEntry: 9,
  IndentlessSequenceEntry: 10, BlockMappingFirstKey: 11, BlockMappingKey: 12, BlockMappingValue: 13,
  FlowSequenceFirstEntry: 14, FlowSequenceEntry: 15, FlowSequenceEntryMappingKey: 16,
  FlowSequenceEntryMappingValue: 17, FlowSequenceEntryMappingEnd: 18, FlowMappingFirstKey: 19, FlowMappingKey: 20,
  FlowMappingValue: 21, FlowMappingEmptyValue: 22, End: 23,
} as const
type State = (typeof S)[keyof typeof S]

const defaultTagDirectives: [string, string][] = [["!", "!"], ["!!", "tag:yaml.org,2002:"]]

export class Parser {
  readonly scanner: Scanner
  state: State = S.StreamStart
  states: State[] = []
  marks: Mark[] = []
  tagDirectives: [string, string][] = []
  headComment: CommentText = noComments
  lineComment: CommentText = noComments
  footComment: CommentText = noComments
  stemComment: CommentText | undefined
  done = false
  pendingEntry = -1

  constructor(src: string, start?: { index: number; line: number }) {
    this.scanner = new Scanner(src, start)
  }

  error(problem: string, problemMark: Mark, context = "", contextMark?: Mark): never {
    throw new YamlSyntaxError("parser", problem, problemMark, context, contextMark)
  }

  peekToken(): Token {
    const token = this.scanner.peek()
    this.unfoldComments(token)
    return token
  }
  skipToken(): void {
    this.scanner.skipToken()
  }

  /** Move the comments filed before `token` into the pending head/line/foot comments. */
  unfoldComments(token: Token): void {
    const s = this.scanner
    while (s.commentsHead < s.comments.length && token.start.index >= s.comments[s.commentsHead]!.tokenMark.index) {
      const comment = s.comments[s.commentsHead]!
      if (comment.head.length > 0) {
        if (token.type === T.BlockEnd) break // no heads on ends: keep it for a follow-up token
        this.headComment = this.headComment.concat(comment.head)
      }
      if (comment.foot.length > 0) this.footComment = this.footComment.concat(comment.foot)
      if (comment.line.length > 0) this.lineComment = this.lineComment.concat(comment.line)
      comment.head = []
      comment.foot = []
      comment.line = []
      s.commentsHead++
    }
  }

  newEvent(type: EventType, start: Mark, end: Mark): YamlEvent {
    let entry = -1
    if (type === E.Scalar || type === E.Alias || type === E.SequenceStart || type === E.MappingStart) {
      entry = this.pendingEntry
      this.pendingEntry = -1
    }
    return {
      type, start, end, anchor: "", tag: "", value: "", implicit: false, style: Style.Plain, flow: false,
      token: undefined, entry, head: noComments, line: noComments, foot: noComments,
    }
  }
  setEventComments(event: YamlEvent): void {
    event.head = this.headComment
    event.line = this.lineComment
    event.foot = this.footComment
    this.headComment = noComments
    this.lineComment = noComments
    this.footComment = noComments
    this.stemComment = undefined
  }
  popState(): void {
    this.state = this.states.pop()!
  }

  /** The next event; StreamEnd repeats once reached. */
  next(): YamlEvent {
    if (this.done) return this.newEvent(E.StreamEnd, this.scanner.mark(), this.scanner.mark())
    const event = this.dispatch()
    if (event.type === E.StreamEnd) this.done = true
    return event
  }

  dispatch(): YamlEvent {
    switch (this.state) {
      case S.StreamStart: return this.parseStreamStart()
      case S.ImplicitDocumentStart: return this.parseDocumentStart(true)
      case S.DocumentStart: return this.parseDocumentStart(false)
      case S.DocumentContent: return this.parseDocumentContent()
      case S.DocumentEnd: return this.parseDocumentEnd()
      case S.BlockNode: return this.parseNode(true, false)
      case S.BlockNodeOrIndentlessSequence: return this.parseNode(true, true)
      case S.FlowNode: return this.parseNode(false, false)
      case S.BlockSequenceFirstEntry: return this.parseBlockSequenceEntry(true)
      case S.BlockSequenceEntry: return this.parseBlockSequenceEntry(false)
      case S.IndentlessSequenceEntry: return this.parseIndentlessSequenceEntry()
      case S.BlockMappingFirstKey: return this.parseBlockMappingKey(true)
      case S.BlockMappingKey: return this.parseBlockMappingKey(false)
      case S.BlockMappingValue: return this.parseBlockMappingValue()
      case S.FlowSequenceFirstEntry: return this.parseFlowSequenceEntry(true)
      case S.FlowSequenceEntry: return this.parseFlowSequenceEntry(false)
      case S.FlowSequenceEntryMappingKey: return this.parseFlowSequenceEntryMappingKey()
      case S.FlowSequenceEntryMappingValue: return this.parseFlowSequenceEntryMappingValue()
      case S.FlowSequenceEntryMappingEnd: return this.parseFlowSequenceEntryMappingEnd()
      case S.FlowMappingFirstKey: return this.parseFlowMappingKey(true)
      case S.FlowMappingKey: return this.parseFlowMappingKey(false)
      case S.FlowMappingValue: return this.parseFlowMappingValue(false)
      case S.FlowMappingEmptyValue: return this.parseFlowMappingValue(true)
      default: return this.newEvent(E.StreamEnd, this.scanner.mark(), this.scanner.mark())
    }
  }

  parseStreamStart(): YamlEvent {
    const token = this.peekToken()
    if (token.type !== T.StreamStart) this.error("did not find expected <stream-start>", token.start)
    this.state = S.ImplicitDocumentStart
    this.skipToken()
    return this.newEvent(E.StreamStart, token.start, token.end)
  }

  parseDocumentStart(implicit: boolean): YamlEvent {
    let token = this.peekToken()
    if (!implicit) {
      while (token.type === T.DocumentEnd) {
        this.skipToken()
        token = this.peekToken()
      }
    }
    if (implicit && token.type !== T.VersionDirective && token.type !== T.TagDirective &&
      token.type !== T.DocumentStart && token.type !== T.StreamEnd) {
      this.processDirectives()
      this.states.push(S.DocumentEnd)
      this.state = S.BlockNode
      // A head comment separated from the content by an empty line belongs to the document.
      let head: CommentText = []
      for (let k = this.headComment.length - 1; k >= 1; k--) {
        if (this.headComment[k] === null) {
          head = this.headComment.slice(0, k)
          this.headComment = this.headComment.slice(k + 1)
          break
        }
      }
      const event = this.newEvent(E.DocumentStart, token.start, token.end)
      event.implicit = true
      event.head = head
      return event
    }
    if (token.type !== T.StreamEnd) {
      const start = token.start
      this.processDirectives()
      token = this.peekToken()
      if (token.type !== T.DocumentStart) this.error("did not find expected <document start>", token.start)
      this.states.push(S.DocumentEnd)
      this.state = S.DocumentContent
      const event = this.newEvent(E.DocumentStart, start, token.end)
      this.skipToken()
      return event
    }
    this.state = S.End
    this.skipToken()
    return this.newEvent(E.StreamEnd, token.start, token.end)
  }

  parseDocumentContent(): YamlEvent {
    const token = this.peekToken()
    if (token.type === T.VersionDirective || token.type === T.TagDirective || token.type === T.DocumentStart ||
      token.type === T.DocumentEnd || token.type === T.StreamEnd) {
      this.popState()
      return this.emptyScalar(token.start)
    }
    return this.parseNode(true, false)
  }

  parseDocumentEnd(): YamlEvent {
    const token = this.peekToken()
    const start = token.start
    let end = token.start
    let implicit = true
    if (token.type === T.DocumentEnd) {
      end = token.end
      this.skipToken()
      implicit = false
    }
    this.tagDirectives = []
    this.state = S.DocumentStart
    const event = this.newEvent(E.DocumentEnd, start, end)
    event.implicit = implicit
    this.setEventComments(event)
    if (event.head.length > 0 && event.foot.length === 0) {
      event.foot = event.head
      event.head = []
    }
    return event
  }

  parseNode(block: boolean, indentlessSequence: boolean): YamlEvent {
    let token = this.peekToken()
    if (token.type === T.Alias) {
      this.popState()
      const event = this.newEvent(E.Alias, token.start, token.end)
      event.anchor = token.value
      event.token = token
      this.setEventComments(event)
      this.skipToken()
      return event
    }
    let start = token.start
    let end = token.start
    let tagToken: Token | undefined
    let anchor = ""
    if (token.type === T.Anchor) {
      anchor = token.value
      start = token.start
      end = token.end
      this.skipToken()
      token = this.peekToken()
      if (token.type === T.Tag) {
        tagToken = token
        end = token.end
        this.skipToken()
        token = this.peekToken()
      }
    } else if (token.type === T.Tag) {
      tagToken = token
      start = token.start
      end = token.end
      this.skipToken()
      token = this.peekToken()
      if (token.type === T.Anchor) {
        anchor = token.value
        end = token.end
        this.skipToken()
        token = this.peekToken()
      }
    }
    let tag = ""
    if (tagToken !== undefined) {
      if (tagToken.value === "") {
        tag = tagToken.suffix
      } else {
        const directive = this.tagDirectives.find(([handle]) => handle === tagToken.value)
        if (directive === undefined) this.error("found undefined tag handle", tagToken.start, "while parsing a node", start)
        tag = directive[1] + tagToken.suffix
      }
    }
    const implicit = tag === ""
    if (indentlessSequence && token.type === T.BlockEntry) {
      this.state = S.IndentlessSequenceEntry
      return this.collectionEvent(E.SequenceStart, start, token.end, anchor, tag, implicit, false, token)
    }
    if (token.type === T.Scalar) {
      this.popState()
      const event = this.newEvent(E.Scalar, start, token.end)
      event.anchor = anchor
      event.tag = tag
      event.value = token.value
      event.implicit = (tag === "" && token.style === Style.Plain) || tag === "!"
      event.style = token.style
      event.token = token
      this.setEventComments(event)
      this.skipToken()
      return event
    }
    if (token.type === T.FlowSequenceStart) {
      this.state = S.FlowSequenceFirstEntry
      const event = this.collectionEvent(E.SequenceStart, start, token.end, anchor, tag, implicit, true, token)
      this.setEventComments(event)
      return event
    }
    if (token.type === T.FlowMappingStart) {
      this.state = S.FlowMappingFirstKey
      const event = this.collectionEvent(E.MappingStart, start, token.end, anchor, tag, implicit, true, token)
      this.setEventComments(event)
      return event
    }
    if (block && (token.type === T.BlockSequenceStart || token.type === T.BlockMappingStart)) {
      this.state = token.type === T.BlockSequenceStart ? S.BlockSequenceFirstEntry : S.BlockMappingFirstKey
      const event = this.collectionEvent(token.type === T.BlockSequenceStart ? E.SequenceStart : E.MappingStart,
        start, token.end, anchor, tag, implicit, false, token)
      if (this.stemComment !== undefined) {
        event.head = this.stemComment
        this.stemComment = undefined
      }
      return event
    }
    if (anchor !== "" || tag !== "") {
      this.popState()
      const event = this.newEvent(E.Scalar, start, end)
      event.anchor = anchor
      event.tag = tag
      event.implicit = implicit
      return event
    }
    this.error("did not find expected node content", token.start,
      block ? "while parsing a block node" : "while parsing a flow node", start)
  }

  collectionEvent(type: EventType, start: Mark, end: Mark, anchor: string, tag: string, implicit: boolean,
    flow: boolean, token: Token): YamlEvent {
    const event = this.newEvent(type, start, end)
    event.anchor = anchor
    event.tag = tag
    event.implicit = implicit
    event.flow = flow
    event.token = token
    return event
  }

  parseBlockSequenceEntry(first: boolean): YamlEvent {
    if (first) {
      this.marks.push(this.peekToken().start)
      this.skipToken()
    }
    let token = this.peekToken()
    if (token.type === T.BlockEntry) {
      const mark = token.end
      const priorHeadLength = this.headComment.length
      this.pendingEntry = token.start.index
      this.skipToken()
      this.splitStemComment(priorHeadLength)
      token = this.peekToken()
      if (token.type !== T.BlockEntry && token.type !== T.BlockEnd) {
        this.states.push(S.BlockSequenceEntry)
        return this.parseNode(true, false)
      }
      this.state = S.BlockSequenceEntry
      return this.emptyScalar(mark)
    }
    if (token.type === T.BlockEnd) {
      this.popState()
      this.marks.pop()
      const event = this.newEvent(E.SequenceEnd, token.start, token.end)
      this.skipToken()
      return event
    }
    this.error("did not find expected '-' indicator", token.start, "while parsing a block collection", this.marks.pop())
  }

  parseIndentlessSequenceEntry(): YamlEvent {
    let token = this.peekToken()
    if (token.type === T.BlockEntry) {
      const mark = token.end
      const priorHeadLength = this.headComment.length
      this.pendingEntry = token.start.index
      this.skipToken()
      this.splitStemComment(priorHeadLength)
      token = this.peekToken()
      if (token.type !== T.BlockEntry && token.type !== T.Key && token.type !== T.Value && token.type !== T.BlockEnd) {
        this.states.push(S.IndentlessSequenceEntry)
        return this.parseNode(true, false)
      }
      this.state = S.IndentlessSequenceEntry
      return this.emptyScalar(mark)
    }
    this.popState()
    return this.newEvent(E.SequenceEnd, token.start, token.start)
  }

  /** A collection right under `-` takes the comments before the `-` as its own head (yaml.v3 "stem"). */
  splitStemComment(stemLength: number): void {
    if (stemLength === 0) return
    const token = this.peekToken()
    if (token.type !== T.BlockSequenceStart && token.type !== T.BlockMappingStart) return
    // In Go's byte form the stem is head[:len] and the rest starts after the joining "\n".
    this.stemComment = this.headComment.slice(0, stemLength)
    this.headComment = this.headComment.slice(stemLength)
  }

  parseBlockMappingKey(first: boolean): YamlEvent {
    if (first) {
      this.marks.push(this.peekToken().start)
      this.skipToken()
    }
    let token = this.peekToken()
    if (token.type === T.Key) {
      const mark = token.end
      this.skipToken()
      token = this.peekToken()
      if (token.type !== T.Key && token.type !== T.Value && token.type !== T.BlockEnd) {
        this.states.push(S.BlockMappingValue)
        return this.parseNode(true, true)
      }
      this.state = S.BlockMappingValue
      return this.emptyScalar(mark)
    }
    if (token.type === T.BlockEnd) {
      this.popState()
      this.marks.pop()
      const event = this.newEvent(E.MappingEnd, token.start, token.end)
      this.setEventComments(event)
      this.skipToken()
      return event
    }
    this.error("did not find expected key", token.start, "while parsing a block mapping", this.marks.pop())
  }

  parseBlockMappingValue(): YamlEvent {
    let token = this.peekToken()
    if (token.type === T.Value) {
      const mark = token.end
      this.skipToken()
      token = this.peekToken()
      if (token.type !== T.Key && token.type !== T.Value && token.type !== T.BlockEnd) {
        this.states.push(S.BlockMappingKey)
        return this.parseNode(true, true)
      }
      this.state = S.BlockMappingKey
      return this.emptyScalar(mark)
    }
    this.state = S.BlockMappingKey
    return this.emptyScalar(token.start)
  }

  parseFlowSequenceEntry(first: boolean): YamlEvent {
    if (first) {
      this.marks.push(this.peekToken().start)
      this.skipToken()
    }
    let token = this.peekToken()
    if (token.type !== T.FlowSequenceEnd) {
      if (!first) {
        if (token.type === T.FlowEntry) {
          this.skipToken()
          token = this.peekToken()
        } else {
          this.error("did not find expected ',' or ']'", token.start, "while parsing a flow sequence", this.marks.pop())
        }
      }
      if (token.type === T.Key) {
        this.state = S.FlowSequenceEntryMappingKey
        const event = this.newEvent(E.MappingStart, token.start, token.end)
        event.implicit = true
        event.flow = true
        event.token = token
        this.skipToken()
        return event
      }
      if (token.type !== T.FlowSequenceEnd) {
        this.states.push(S.FlowSequenceEntry)
        return this.parseNode(false, false)
      }
    }
    this.popState()
    this.marks.pop()
    const event = this.newEvent(E.SequenceEnd, token.start, token.end)
    this.setEventComments(event)
    this.skipToken()
    return event
  }

  parseFlowSequenceEntryMappingKey(): YamlEvent {
    const token = this.peekToken()
    if (token.type !== T.Value && token.type !== T.FlowEntry && token.type !== T.FlowSequenceEnd) {
      this.states.push(S.FlowSequenceEntryMappingValue)
      return this.parseNode(false, false)
    }
    const mark = token.end
    this.skipToken()
    this.state = S.FlowSequenceEntryMappingValue
    return this.emptyScalar(mark)
  }

  parseFlowSequenceEntryMappingValue(): YamlEvent {
    let token = this.peekToken()
    if (token.type === T.Value) {
      this.skipToken()
      token = this.peekToken()
      if (token.type !== T.FlowEntry && token.type !== T.FlowSequenceEnd) {
        this.states.push(S.FlowSequenceEntryMappingEnd)
        return this.parseNode(false, false)
      }
    }
    this.state = S.FlowSequenceEntryMappingEnd
    return this.emptyScalar(token.start)
  }

  parseFlowSequenceEntryMappingEnd(): YamlEvent {
    const token = this.peekToken()
    this.state = S.FlowSequenceEntry
    return this.newEvent(E.MappingEnd, token.start, token.start)
  }

  parseFlowMappingKey(first: boolean): YamlEvent {
    if (first) {
      this.marks.push(this.peekToken().start)
      this.skipToken()
    }
    let token = this.peekToken()
    if (token.type !== T.FlowMappingEnd) {
      if (!first) {
        if (token.type === T.FlowEntry) {
          this.skipToken()
          token = this.peekToken()
        } else {
          this.error("did not find expected ',' or '}'", token.start, "while parsing a flow mapping", this.marks.pop())
        }
      }
      if (token.type === T.Key) {
        this.skipToken()
        token = this.peekToken()
        if (token.type !== T.Value && token.type !== T.FlowEntry && token.type !== T.FlowMappingEnd) {
          this.states.push(S.FlowMappingValue)
          return this.parseNode(false, false)
        }
        this.state = S.FlowMappingValue
        return this.emptyScalar(token.start)
      }
      if (token.type !== T.FlowMappingEnd) {
        this.states.push(S.FlowMappingEmptyValue)
        return this.parseNode(false, false)
      }
    }
    this.popState()
    this.marks.pop()
    const event = this.newEvent(E.MappingEnd, token.start, token.end)
    this.setEventComments(event)
    this.skipToken()
    return event
  }

  parseFlowMappingValue(empty: boolean): YamlEvent {
    let token = this.peekToken()
    if (empty) {
      this.state = S.FlowMappingKey
      return this.emptyScalar(token.start)
    }
    if (token.type === T.Value) {
      this.skipToken()
      token = this.peekToken()
      if (token.type !== T.FlowEntry && token.type !== T.FlowMappingEnd) {
        this.states.push(S.FlowMappingKey)
        return this.parseNode(false, false)
      }
    }
    this.state = S.FlowMappingKey
    return this.emptyScalar(token.start)
  }

  emptyScalar(mark: Mark): YamlEvent {
    const event = this.newEvent(E.Scalar, mark, mark)
    event.implicit = true
    return event
  }

  processDirectives(): void {
    let token = this.peekToken()
    let seenVersion = false
    while (token.type === T.VersionDirective || token.type === T.TagDirective) {
      if (token.type === T.VersionDirective) {
        if (seenVersion) this.error("found duplicate %YAML directive", token.start)
        if (token.major !== 1 || token.minor !== 1) this.error("found incompatible YAML document", token.start)
        seenVersion = true
      } else {
        if (this.tagDirectives.some(([handle]) => handle === token.value)) this.error("found duplicate %TAG directive", token.start)
        this.tagDirectives.push([token.value, token.suffix])
      }
      this.skipToken()
      token = this.peekToken()
    }
    for (const directive of defaultTagDirectives) {
      if (!this.tagDirectives.some(([handle]) => handle === directive[0])) this.tagDirectives.push(directive)
    }
  }
}
