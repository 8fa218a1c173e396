// YAML nodes from events, as yaml.v3's node decoder builds them (including its moves of foot
// comments between keys and values), keeping source positions for the layout emitter.
import { E, Parser, type YamlEvent } from "./parser.js"
import { noComments, type CommentLine, type CommentText } from "./scan-comments.js"
import { Style, type Mark, type ScalarStyle } from "./scanner.js"
import { YamlSyntaxError } from "./syntax-error.js"

export const K = { Document: 1, Sequence: 2, Mapping: 3, Scalar: 4, Alias: 5 } as const
export type NodeKind = (typeof K)[keyof typeof K]

export interface YamlNode {
  kind: NodeKind
  /** short tag (`!!str`, `!!int`, `!custom`…) as yaml.v3 sets Node.Tag */
  tag: string
  /** whether the tag was written in the source */
  tagged: boolean
  value: string
  style: ScalarStyle
  flow: boolean
  anchor: string
  alias: YamlNode | undefined
  content: YamlNode[]
  head: CommentText
  line: CommentText
  foot: CommentText
  /** event span: from the anchor/tag (if any) to the end of the node's first token */
  start: Mark
  end: Mark
  /** the scalar/alias token itself, or the collection's opening token */
  tokenStart: number
  tokenEnd: number
  /** end offset of the whole node (last token of a collection) */
  last: number
  /** offset of the `-` before this node in a block sequence, else -1 */
  entry: number
  /** block scalars: the content's indentation column */
  blockIndent: number
}

const longTagPrefix = "tag:yaml.org,2002:"

export function shortTag(tag: string): string {
  return tag.startsWith(longTagPrefix) ? `!!${tag.slice(longTagPrefix.length)}` : tag
}

/**
 * Parse the documents of a stream one by one (a syntax error in a later one comes after earlier
 * ones). `commentLines` receives every comment line of the source as it is read. `start`: read the
 * stream from that offset (a line start) on, with positions and line numbers of the whole text.
 */
export function* composeDocuments(src: string, resolveTag: (value: string) => string,
  commentLines: CommentLine[] = [], start?: { index: number; line: number }): Generator<YamlNode> {
  const composer = new Composer(src, resolveTag, start)
  composer.parser.scanner.commentLines = commentLines
  yield* composer.documents()
}

class Composer {
  readonly parser: Parser
  event: YamlEvent | undefined
  anchors = new Map<string, YamlNode>()
  readonly resolveTag: (value: string) => string

  constructor(src: string, resolveTag: (value: string) => string, start?: { index: number; line: number }) {
    this.parser = new Parser(src, start)
    this.resolveTag = resolveTag
  }

  peek(): YamlEvent {
    this.event ??= this.parser.next()
    return this.event
  }
  expect(type: number): YamlEvent {
    const event = this.peek()
    if (event.type !== type) throw new Error(`internal: expected event ${type}, got ${event.type}`)
    this.event = undefined
    return event
  }

  *documents(): Generator<YamlNode> {
    this.expect(E.StreamStart)
    while (this.peek().type !== E.StreamEnd) {
      this.anchors = new Map()
      yield this.document()
    }
  }

  node(kind: NodeKind, defaultTag: string, event: YamlEvent): YamlNode {
    let tag = event.tag
    let tagged = false
    if (tag !== "" && tag !== "!") {
      tag = shortTag(tag)
      tagged = true
    } else if (defaultTag !== "") {
      tag = defaultTag
    } else if (kind === K.Scalar) {
      tag = this.resolveTag(event.value)
    }
    return {
      kind, tag, tagged, value: event.value, style: event.style, flow: event.flow, anchor: event.anchor,
      alias: undefined, content: [], head: event.head, line: event.line, foot: event.foot,
      start: event.start, end: event.end,
      tokenStart: event.token?.start.index ?? event.start.index, tokenEnd: event.token?.end.index ?? event.end.index,
      last: event.token?.end.index ?? event.end.index, entry: event.entry, blockIndent: event.token?.blockIndent ?? 0,
    }
  }

  parse(): YamlNode {
    switch (this.peek().type) {
      case E.Scalar: return this.scalar()
      case E.Alias: return this.alias()
      case E.MappingStart: return this.mapping()
      case E.SequenceStart: return this.sequence()
      case E.DocumentStart: return this.document()
      default: throw new Error("internal: unexpected event")
    }
  }

  document(): YamlNode {
    const n = this.node(K.Document, "", this.peek())
    this.expect(E.DocumentStart)
    const child = this.parse()
    n.content.push(child)
    n.last = child.last
    if (this.peek().type === E.DocumentEnd) n.foot = this.peek().foot
    this.expect(E.DocumentEnd)
    return n
  }

  alias(): YamlNode {
    const event = this.peek()
    const n = this.node(K.Alias, "", event)
    n.value = event.anchor
    n.alias = this.anchors.get(n.value)
    if (n.alias === undefined) {
      // yaml.v3 prints the anchor name; an anchor name is not a value, so that is safe
      throw new YamlSyntaxError("parser", `unknown anchor '${n.value}' referenced`, { index: 0, line: 0, column: 0 })
    }
    this.expect(E.Alias)
    return n
  }

  scalar(): YamlNode {
    const event = this.peek()
    const quotedOrBlock = event.style !== Style.Plain
    const defaultTag = quotedOrBlock ? "!!str" : event.value === "<<" ? "!!merge" : ""
    const n = this.node(K.Scalar, defaultTag, event)
    if (n.anchor !== "") this.anchors.set(n.anchor, n)
    this.expect(E.Scalar)
    return n
  }

  sequence(): YamlNode {
    const n = this.node(K.Sequence, "!!seq", this.peek())
    if (n.anchor !== "") this.anchors.set(n.anchor, n)
    this.expect(E.SequenceStart)
    while (this.peek().type !== E.SequenceEnd) n.content.push(this.parse())
    const end = this.peek()
    n.line = end.line
    n.foot = end.foot
    n.last = n.flow ? end.end.index : (n.content[n.content.length - 1]?.last ?? n.last)
    this.expect(E.SequenceEnd)
    return n
  }

  mapping(): YamlNode {
    const n = this.node(K.Mapping, "!!map", this.peek())
    const block = !n.flow
    if (n.anchor !== "") this.anchors.set(n.anchor, n)
    this.expect(E.MappingStart)
    while (this.peek().type !== E.MappingEnd) {
      const k = this.parse()
      n.content.push(k)
      if (block && k.foot.length > 0 && n.content.length > 2) {
        // a foot comment on a key is the foot of the previous value when dedented
        n.content[n.content.length - 3]!.foot = k.foot
        k.foot = noComments
      }
      const v = this.parse()
      n.content.push(v)
      if (k.foot.length === 0 && v.foot.length > 0) {
        k.foot = v.foot
        v.foot = noComments
      }
    }
    const end = this.peek()
    n.line = end.line
    n.foot = end.foot
    if (block && n.foot.length > 0 && n.content.length > 1) {
      n.content[n.content.length - 2]!.foot = n.foot
      n.foot = noComments
    }
    n.last = n.flow ? end.end.index : (n.content[n.content.length - 1]?.last ?? n.last)
    this.expect(E.MappingEnd)
    return n
  }
}
