// YAML bytes → sops tree (spec §1.3): one branch per document, comments as items where
// yaml.v3 + sops put them, yaml.v3 scalar typing, and `src` on every node for the layout emitter.
import { InputParseError, MetadataError } from "../../src/core/errors.js"
import type { ParsedFile } from "../../src/core/store.js"
import { Comment, isList, isMap, type ListItem, type MapItem, type TreeList, type TreeMap, type TreeValue } from "../../src/core/tree.js"
import { composeDocuments, K, type YamlNode } from "./compose.js"
import { fastPrefix, type FastPrefix } from "./fast-prefix.js"
import { decodeGoBase64, resolve, resolvePlainTag, TagMismatch, Uint64Value, type Resolved } from "./resolve.js"
import type { CommentLine, CommentText } from "./scan-comments.js"
import { Style } from "./scanner.js"
import type { AliasSrc, CollectionSrc, CommentSrc, DocumentLayout, ItemSrc, ScalarSrc, ValueSrc, YamlLayout } from "./src-info.js"
import { YamlSyntaxError } from "./syntax-error.js"

// yaml.v3's reader accepts TAB, LF, CR, printable ASCII, NEL and most of Unicode.
const forbidden = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

export function parseYaml(input: Uint8Array): ParsedFile {
  const text = decodeYaml(input)
  const fast = fastPrefix(text)
  return (fast !== undefined ? parseAfterPrefix(text, fast) : undefined) ?? parseStream(text)
}

/** parseYaml with the full parser only, never the fast prefix: the reference the fast path is tested against. */
export function parseYamlFull(input: Uint8Array): ParsedFile {
  return parseStream(decodeYaml(input))
}

function decodeYaml(input: Uint8Array): string {
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(input)
  } catch {
    throw new InputParseError("yaml: invalid UTF-8 in input")
  }
  if (forbidden.test(text)) throw new InputParseError("yaml: control characters are not allowed")
  return text
}

/** Every document with the full parser. */
function parseStream(text: string): ParsedFile {
  const docs: YamlNode[] = []
  const commentLines: CommentLine[] = []
  try {
    for (const doc of composeDocuments(text, resolvePlainTag, commentLines)) {
      if (docs.length === 0) checkFirstDocument(doc)
      docs.push(doc)
    }
  } catch (error) {
    if (error instanceof YamlSyntaxError) throw new InputParseError(error.message)
    throw error
  }
  const builder = new TreeBuilder(text)
  const result = new ResultBuilder(text)
  for (const [index, doc] of docs.entries()) {
    builder.strict = index === 0
    result.add(builder.document(doc), doc.start.index, documentEnd(text, docs[index + 1]))
  }
  return result.finish(commentLines, builder.usedComments)
}

/**
 * A single document whose first top-level entries fastPrefix read: the full parser reads the rest
 * from the first entry it declined, as a stream of its own (with the whole text's positions and line
 * numbers), and its entries join the prefix's. Undefined when that could differ from reading the
 * whole text — another document, comments that a whole read would attach across the seam, any error
 * (the whole read reports it) — and the whole text is read instead.
 */
function parseAfterPrefix(text: string, fast: FastPrefix): ParsedFile | undefined {
  const builder = new TreeBuilder(text)
  const commentLines: CommentLine[] = []
  let items = fast.items
  if (fast.end < text.length) {
    const rest = restOfMapping(text, fast, builder, commentLines)
    if (rest === undefined) return undefined
    items = items.concat(rest)
  }
  const branch: TreeMap = { kind: "map", items }
  branch.src = blockCollectionSrc(fast.start, fast.column, items)
  const result = new ResultBuilder(text)
  result.add(branch, fast.start, text.length)
  return result.finish(commentLines, builder.usedComments)
}

function restOfMapping(text: string, fast: FastPrefix, builder: TreeBuilder, commentLines: CommentLine[]): MapItem[] | undefined {
  try {
    const docs = [...composeDocuments(text, resolvePlainTag, commentLines, { index: fast.end, line: fast.line })]
    const doc = docs[0]
    const top = doc?.content[0]
    if (docs.length !== 1 || top?.kind !== K.Mapping || top.flow || top.start.column !== fast.column) return undefined
    // yaml.v3 moves a first key's foot comment to the value before it, which is in the prefix
    const first = top.content[0]!
    const comments = [doc!.head, doc!.line, top.head, top.line, first.head, first.line, first.foot]
    if (comments.some(c => c.length > 0)) return undefined
    checkFirstDocument(doc!)
    const keys = new Set(fast.items.map(item => item.key))
    for (let i = 0; i < top.content.length; i += 2) {
      const key = top.content[i]!
      if (key.kind === K.Scalar && keys.has(key.value)) return undefined
    }
    builder.strict = true
    return builder.document(doc!).items
  } catch {
    return undefined
  }
}

/** Branches and document layouts, with the first document's `sops` entry taken out as the metadata. */
class ResultBuilder {
  readonly text: string
  readonly branches: TreeMap[] = []
  readonly documents: DocumentLayout[] = []
  metadata: TreeValue | undefined

  constructor(text: string) {
    this.text = text
  }

  add(branch: TreeMap, start: number, end: number): void {
    const index = this.branches.length
    // The first document's `sops` entry is the metadata; other documents' copies are dropped (spec §5.4).
    let sopsSpan: { start: number; end: number } | undefined
    let found = false
    branch.items = branch.items.filter(item => {
      if (item.key !== "sops") return true
      if (index === 0) {
        if (found) throw new MetadataError("Found duplicate sops entry")
        this.metadata = item.value
      }
      found = true
      const src = item.src as ItemSrc | undefined
      if (src !== undefined && sopsSpan === undefined) sopsSpan = { start: src.start, end: src.end }
      return false
    })
    if (found && branch.src !== undefined) branch.src = { ...(branch.src as CollectionSrc), items: [...branch.items] }
    this.branches.push(branch)
    this.documents.push({ start, end, top: branch.src as CollectionSrc | undefined, sops: sopsSpan })
  }

  finish(commentLines: readonly CommentLine[], usedComments: ReadonlySet<number>): ParsedFile {
    // yaml.v3 drops a few comments (e.g. before a `- ` with no value); sops never sees them
    const orphanComments = commentLines.filter(line => !usedComments.has(line.start))
      .map(line => ({ start: line.start, end: line.end }))
    const layout: YamlLayout = { kind: "yaml-layout", text: this.text, documents: this.documents, orphanComments }
    return { branches: this.branches, metadata: this.metadata, layout }
  }
}

/** What the duplicate-key pre-pass of sops (a decode of document 0 into a map) rejects. */
function checkFirstDocument(doc: YamlNode): void {
  const top = doc.content[0]
  if (top?.kind === K.Sequence) {
    throw new InputParseError("yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into map[string]interface {}")
  }
  const errors: string[] = []
  // Depth-first in document order. An alias is not followed: its anchor comes before it, so the
  // node it stands for has been visited already.
  const visit = (node: YamlNode): void => {
    if (node.kind === K.Mapping) duplicateKeys(node.content, errors)
    for (const child of node.content) visit(child)
  }
  visit(doc)
  if (errors.length > 0) throw new InputParseError(`yaml: unmarshal errors:\n  ${errors.join("\n  ")}`)
}

/** yaml.v3 reports every later key equal (same kind and text) to an earlier one, by pairs in order. */
function duplicateKeys(c: readonly YamlNode[], errors: string[]): void {
  const pairs: [number, number][] = []
  if (c.length <= 32) {
    for (let j = 2; j < c.length; j += 2) {
      for (let i = 0; i < j; i += 2) if (c[i]!.value === c[j]!.value && c[i]!.kind === c[j]!.kind) pairs.push([i, j])
    }
  } else {
    const seenKeys = new Map<string, number[]>()
    for (let j = 0; j < c.length; j += 2) {
      const key = `${c[j]!.kind}:${c[j]!.value}`
      const earlier = seenKeys.get(key)
      if (earlier === undefined) seenKeys.set(key, [j])
      else {
        for (const i of earlier) pairs.push([i, j])
        earlier.push(j)
      }
    }
  }
  pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1])
  for (const [i, j] of pairs) {
    errors.push(`line ${c[j]!.start.line + 1}: mapping key ${JSON.stringify(c[j]!.value)} already defined at line ${c[i]!.start.line + 1}`)
  }
}

/** Where a document ends: where the next one's `---` (or directives) start, else at the end of input. */
function documentEnd(text: string, next: YamlNode | undefined): number {
  let end = text.length
  if (next !== undefined) {
    const nextStart = next.start.index
    const lineStart = text.lastIndexOf("\n", nextStart - 1) + 1
    end = lineStart
    // directives (`%YAML`) and `...` before the next `---` also belong to the boundary
    let p = end
    for (;;) {
      const prev = text.lastIndexOf("\n", p - 2) + 1
      if (p === 0) break
      const line = text.slice(prev, p).trimEnd()
      if (line.startsWith("%") || line === "..." ) {
        end = prev
        p = prev
      } else break
    }
  }
  return end
}

/** A block collection's source: it ends with its last entry (a block scalar's trailing empty lines excluded). */
function blockCollectionSrc(start: number, column: number, items: readonly { src?: unknown }[]): CollectionSrc {
  let end = start
  for (const item of items) {
    const src = item.src as { end?: number } | undefined
    if (src?.end !== undefined && src.end > end) end = src.end
  }
  return { kind: "collection", start, end, flow: false, column, items: [...items] }
}

class TreeBuilder {
  readonly text: string
  strict = true

  constructor(text: string) {
    this.text = text
  }

  document(doc: YamlNode): TreeMap {
    const branch: TreeMap = { kind: "map", items: [] }
    const top = doc.content[0]
    if (top?.flow) this.flowDepth++
    this.appendNode(doc, branch, false)
    if (top?.flow) this.flowDepth--
    if (top?.kind === K.Mapping) branch.src = this.collectionSrc(top, branch.items)
    return branch
  }

  usedComments = new Set<number>()

  comments(text: CommentText, inline: boolean): { comment: Comment; src: CommentSrc }[] {
    const out: { comment: Comment; src: CommentSrc }[] = []
    for (const line of text) {
      if (line === null) continue
      this.usedComments.add(line.start)
      const value = line.text.slice(1)
      out.push({ comment: new Comment(value, inline), src: { kind: "comment", start: line.start, end: line.end, original: value, inline } })
    }
    return out
  }
  // (most nodes have no comments: nothing to allocate for them)
  mapComments(map: TreeMap, text: CommentText, inline = false): void {
    if (text.length === 0) return
    for (const { comment, src } of this.comments(text, inline)) map.items.push({ key: comment, value: null, src })
  }
  listComments(list: TreeList, text: CommentText, inline = false): void {
    if (text.length === 0) return
    for (const { comment, src } of this.comments(text, inline)) list.items.push({ value: comment, src })
  }

  /** sops appendYamlNodeToTreeBranch */
  appendNode(node: YamlNode, branch: TreeMap, handled: boolean): void {
    if (!handled) {
      this.mapComments(branch, node.head)
      this.mapComments(branch, node.line)
    }
    switch (node.kind) {
      case K.Document:
        for (const child of node.content) this.appendNode(child, branch, false)
        break
      case K.Sequence:
        throw new InputParseError("YAML documents that are sequences are not supported")
      case K.Mapping:
        for (let i = 0; i < node.content.length; i += 2) this.appendPair(node.content[i]!, node.content[i + 1]!, branch)
        break
      case K.Scalar:
        if (this.nodeTag(node) === "!!null") return
        throw new InputParseError("YAML documents that are values are not supported")
      case K.Alias:
        this.appendNode(node.alias!, branch, false)
        break
    }
    if (!handled) this.mapComments(branch, node.foot)
  }

  appendPair(key: YamlNode, value: YamlNode, branch: TreeMap): void {
    this.mapComments(branch, key.head)
    this.mapComments(branch, key.line)
    const handleValueComments = value.kind === K.Scalar || value.kind === K.Alias
    if (handleValueComments) {
      this.mapComments(branch, value.head)
      this.mapComments(branch, value.line, true)
    }
    const keyValue = this.keyValue(key)
    const [treeValue, valueSrc] = this.value(value, handleValueComments)
    const src: ItemSrc = { kind: "item", start: key.start.index, end: valueSrc.end, value: valueSrc }
    branch.items.push({ key: keyValue, value: treeValue, src })
    if (handleValueComments) this.mapComments(branch, value.foot)
    this.mapComments(branch, key.foot)
  }

  keyValue(key: YamlNode): string {
    const node = key.kind === K.Alias ? key.alias! : key
    const value = node.kind === K.Scalar ? this.scalarValue(node) : undefined
    if (typeof value === "string") return value
    if (value instanceof Uint8Array) return Buffer.from(value).toString("utf8")
    // sops refuses non-string keys when it walks the tree (spec §1.1); we refuse them at once.
    throw new InputParseError(`Error walking tree: Tree contains a non-string key (type ${goTypeName(value)}): ${goFormatS(value)}. Only string keys are supported`)
  }

  nodeTag(node: YamlNode): string {
    const quoted = node.style !== Style.Plain
    if (node.tag === "!!str" || ((!node.tagged) && quoted)) return "!!str"
    return node.tag
  }

  /** sops nodeToTreeValue */
  value(node: YamlNode, handled: boolean): [TreeValue, ValueSrc] {
    if (node.flow) this.flowDepth++
    try {
      return this.valueIn(node, handled)
    } finally {
      if (node.flow) this.flowDepth--
    }
  }

  valueIn(node: YamlNode, handled: boolean): [TreeValue, ValueSrc] {
    switch (node.kind) {
      case K.Sequence: {
        const list: TreeList = { kind: "list", items: [] }
        if (!handled) {
          this.listComments(list, node.head)
          this.listComments(list, node.line)
        }
        for (const item of node.content) {
          this.listComments(list, item.head)
          this.listComments(list, item.line, true)
          const [value, valueSrc] = this.value(item, true)
          const element: ListItem = { value }
          const start = item.entry >= 0 ? item.entry : item.start.index
          element.src = { kind: "item", start, end: valueSrc.end, value: valueSrc } satisfies ItemSrc
          list.items.push(element)
          this.listComments(list, item.foot)
        }
        if (!handled) this.listComments(list, node.foot)
        const src = this.collectionSrc(node, list.items)
        list.src = src
        return [list, src]
      }
      case K.Mapping: {
        const map: TreeMap = { kind: "map", items: [] }
        this.appendNode(node, map, handled)
        const src = this.collectionSrc(node, map.items)
        map.src = src
        return [map, src]
      }
      case K.Alias: {
        const [copy] = this.value(node.alias!, false)
        stripSrc(copy)
        const src: AliasSrc = { kind: "alias", start: node.tokenStart, end: node.tokenEnd, flow: this.flowDepth > 0, original: cloneValue(copy) }
        return [copy, src]
      }
      default: {
        const value = this.scalarValue(node)
        if (value instanceof Uint64Value) {
          throw new InputParseError("Error walking tree: Cannot walk value, unknown type: uint64")
        }
        return [value, this.scalarSrc(node, value)]
      }
    }
  }

  /** yaml.v3 Node.Decode into interface{} for a scalar. */
  scalarValue(node: YamlNode): Resolved {
    if (node.tag === "!!str") return node.value
    try {
      if (node.tag === "!!binary") {
        const bytes = decodeGoBase64(node.value)
        if (bytes === undefined) throw new TagMismatch()
        return bytes
      }
      return resolve(node.tagged ? node.tag : "", node.value)[1]
    } catch (error) {
      if (!(error instanceof TagMismatch)) throw error
      // sops ignores the decode error and keeps a null; the duplicate-key pass rejects it in document 0
      if (this.strict) throw new InputParseError(`yaml: cannot decode a value as a ${node.tag} (line ${node.start.line + 1})`)
      return null
    }
  }

  /** how many flow collections enclose the node being built */
  flowDepth = 0

  scalarSrc(node: YamlNode, value: Resolved): ScalarSrc {
    const text = this.text
    let end = node.tokenEnd
    let header = ""
    let contentIndent = 0
    const block = node.style === Style.Literal || node.style === Style.Folded
    if (block) {
      const headerEnd = findHeaderEnd(text, node.tokenStart)
      header = text.slice(node.tokenStart, headerEnd).trimEnd()
      // The token runs to the start of the next non-empty line. With keep chomping (`+`) the
      // empty lines are part of the value; otherwise only the content lines are.
      end = header.includes("+") ? Math.max(node.tokenEnd, headerEnd) : trimTrailingBlankLines(text, Math.max(node.tokenEnd, headerEnd), headerEnd)
      contentIndent = node.blockIndent
    }
    const hasAnchorOrTag = node.start.index < node.tokenStart
    return {
      kind: "scalar", start: hasAnchorOrTag ? node.start.index : node.tokenStart, tokenStart: node.tokenStart, end,
      style: node.style, anchor: node.anchor, tagged: node.tagged, flow: this.flowDepth > 0,
      original: value instanceof Uint8Array ? value.slice() : value,
      multiline: !block && isMultiline(text, node.tokenStart, end), header, contentIndent,
    }
  }

  collectionSrc(node: YamlNode, items: readonly { src?: unknown }[]): CollectionSrc {
    if (!node.flow) return blockCollectionSrc(node.start.index, node.start.column, items)
    return { kind: "collection", start: node.start.index, end: node.last, flow: true, column: node.start.column, items: [...items] }
  }
}

function isMultiline(text: string, start: number, end: number): boolean {
  const nl = text.indexOf("\n", start)
  return nl >= 0 && nl < end
}

function findHeaderEnd(text: string, from: number): number {
  let p = from
  while (p < text.length && text[p] !== "\n" && text[p] !== "\r" && text[p] !== "#") p++
  return p
}

function trimTrailingBlankLines(text: string, end: number, min: number): number {
  let p = end
  while (p > min && /\s/.test(text[p - 1]!)) p--
  // keep the whole last content line (it ends where its line break starts)
  return p
}

/** Values copied from an anchor carry no source position of their own. */
function stripSrc(value: TreeValue): void {
  if (isMap(value)) {
    delete value.src
    for (const item of value.items) {
      delete item.src
      stripSrc(item.value)
    }
  } else if (isList(value)) {
    delete value.src
    for (const item of value.items) {
      delete item.src
      if (!(item.value instanceof Comment)) stripSrc(item.value)
    }
  }
}

export function cloneValue(value: TreeValue): TreeValue {
  if (isMap(value)) return { kind: "map", items: value.items.map(item => ({ key: item.key, value: cloneValue(item.value) })) }
  if (isList(value)) {
    return { kind: "list", items: value.items.map(item => ({ value: item.value instanceof Comment ? item.value : cloneValue(item.value) })) }
  }
  return value instanceof Uint8Array ? value.slice() : value
}

/** Go's %T for the values yaml.v3 produces. */
function goTypeName(value: Resolved | undefined): string {
  if (value === null || value === undefined) return "<nil>"
  if (typeof value === "bigint") return "int"
  if (value instanceof Uint64Value) return "uint64"
  if (typeof value === "number") return "float64"
  if (typeof value === "boolean") return "bool"
  if (value instanceof Uint8Array) return "string"
  if (typeof value === "string") return "string"
  return "time.Time"
}

/** Go's %s of such a value, with its `%!s(type=…)` artefact for non-strings. */
function goFormatS(value: Resolved | undefined): string {
  if (value === null || value === undefined) return "%!s(<nil>)"
  if (typeof value === "bigint") return `%!s(int=${value})`
  if (value instanceof Uint64Value) return `%!s(uint64=${value.value})`
  if (typeof value === "number") return `%!s(float64=${value})`
  if (typeof value === "boolean") return `%!s(bool=${value})`
  if (typeof value === "string" || value instanceof Uint8Array) return "(string)"
  return value.text
}
