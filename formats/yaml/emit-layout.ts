// Output that keeps the input's layout: the source text with only the changed values,
// comments, added/removed entries and the `sops:` block spliced in (one pass, one join).
import { Comment, isList, isMap, type ListItem, type MapItem, type Scalar, type TreeList, type TreeMap, type TreeValue } from "../../src/core/tree.js"
import { emitSops, isEncryptedComment } from "./emit-sops.js"
import { canonicalYaml, renderScalar, minimalDoubleQuoted } from "./render-scalar.js"
import { resolvePlainTag } from "./resolve.js"
import { analyzeScalar } from "./scalar-style.js"
import { Style } from "./scanner.js"
import type { AliasSrc, CollectionSrc, CommentSrc, ItemSrc, ScalarSrc, YamlLayout } from "./src-info.js"

interface Edit {
  start: number
  end: number
  text: string
}

/** Join the unchanged text and the edits (sorted by start, non-overlapping). */
export function splice(text: string, edits: readonly Edit[]): string {
  const parts: string[] = []
  let at = 0
  for (const edit of edits) {
    parts.push(text.slice(at, edit.start), edit.text)
    at = edit.end
  }
  return parts.join("") + text.slice(at)
}

/** Layout-keeping output, or undefined when the documents no longer match the source's. */
export function emitLayout(branches: readonly TreeMap[], layout: YamlLayout, metadata: TreeMap | undefined): string | undefined {
  if (branches.length !== layout.documents.length) return undefined
  const e = new LayoutEmitter(layout.text)
  for (const [index, branch] of branches.entries()) e.document(branch, layout.documents[index]!, metadata)
  // Comments sops never saw would stay readable in an encrypted file: sops drops them, so do we.
  if (metadata !== undefined) for (const orphan of layout.orphanComments) e.deleteItem({ kind: "comment", ...orphan, original: "", inline: false })
  // Array.prototype.sort is stable, so insertions at one offset keep their order; edits mostly
  // come in source order already, which the sort passes through in one comparison each.
  const edits = e.edits.sort((a, b) => a.start - b.start)
  return splice(layout.text, edits)
}

class LayoutEmitter {
  readonly text: string
  readonly edits: Edit[] = []
  #step: number | undefined

  constructor(text: string) {
    this.text = text
  }

  edit(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text })
  }

  /** The file's own indentation step (smallest indentation of a nested line), default 2. */
  get step(): number {
    if (this.#step === undefined) {
      const text = this.text
      let min = 0
      // every line after a line break that is indented and holds more than spaces or a comment
      for (let nl = text.indexOf("\n"); nl >= 0 && min !== 1; nl = text.indexOf("\n", nl + 1)) {
        let p = nl + 1
        while (text.charCodeAt(p) === 0x20) p++
        const n = p - nl - 1
        const c = text.charCodeAt(p)
        if (n > 0 && p < text.length && c !== 0x0a && c !== 0x23 && (min === 0 || n < min)) min = n
      }
      this.#step = min > 0 ? min : 2
    }
    return this.#step
  }

  column(offset: number): number {
    return offset - (this.text.lastIndexOf("\n", offset - 1) + 1)
  }
  lineStart(offset: number): number {
    return this.text.lastIndexOf("\n", offset - 1) + 1
  }
  /** offset just after the line break ending the line that holds the span ending at `offset` */
  lineEnd(offset: number): number {
    if (offset > 0 && this.text[offset - 1] === "\n") return offset // a keep block's span ends after its break
    const nl = this.text.indexOf("\n", offset)
    return nl < 0 ? this.text.length : nl + 1
  }
  /** offset of the line break ending the line that holds the span ending at `offset`, or the text end */
  lineBreakAt(offset: number): number {
    if (offset > 0 && this.text[offset - 1] === "\n") offset--
    let nl = this.text.indexOf("\n", offset)
    if (nl < 0) return this.text.length
    if (nl > 0 && this.text[nl - 1] === "\r") nl--
    return nl
  }
  onlySpacesBefore(offset: number): boolean {
    return /^[ \t]*$/.test(this.text.slice(this.lineStart(offset), offset))
  }

  /** A fresh block rendering (sops layout with the file's step) shifted right by `column`. */
  freshBlock(map: TreeMap, column: number, indent = this.step): string {
    const text = emitSops([map], undefined, indent)
    const pad = " ".repeat(column)
    return text.replace(/\n$/, "").split("\n").map(line => (line === "" ? line : pad + line)).join("\n")
  }

  document(branch: TreeMap, doc: YamlLayout["documents"][number], metadata: TreeMap | undefined): void {
    const top = doc.top
    const column = top !== undefined && !top.flow ? top.column : 0
    const sopsBlock = metadata === undefined ? undefined
      : this.freshBlock({ kind: "map", items: [{ key: "sops", value: metadata }] }, column, 4)
    if (top === undefined || top.flow) {
      // Empty or flow top-level mapping: write the whole document afresh (with metadata if any).
      const changed = top === undefined ? branch.items.length > 0 : this.mapChanged(branch, top)
      if (!changed && sopsBlock === undefined && doc.sops === undefined) return
      const parts: string[] = []
      if (branch.items.length > 0) parts.push(this.freshBlock(branch, 0))
      if (sopsBlock !== undefined) parts.push(sopsBlock)
      const rendered = parts.length === 0 ? "{}" : parts.join("\n")
      if (top !== undefined) {
        this.edit(top.start, top.end, rendered)
      } else {
        this.insertAtDocumentEnd(doc.end, rendered)
      }
      if (doc.sops !== undefined) this.deleteLines(doc.sops.start, doc.sops.end)
      return
    }
    this.map(branch, top, column)
    const topComments = new Set<number>()
    for (const item of branch.items) {
      const s = item.src as CommentSrc | undefined
      if (s?.kind === "comment") topComments.add(s.start)
    }
    if (doc.sops !== undefined) {
      let start = this.lineStart(doc.sops.start)
      const end = this.lineEnd(doc.sops.end)
      if (sopsBlock !== undefined) this.edit(start, end, `${sopsBlock}\n`)
      else {
        // drop the empty line insertAtDocumentEnd put after a nested trailing comment
        const last = start >= 2 && this.text[start - 1] === "\n" && this.text[start - 2] === "\n" ? this.lastLineComment(start - 1) : undefined
        if (last !== undefined && !topComments.has(last)) start--
        this.edit(start, end, "")
      }
    } else if (sopsBlock !== undefined) {
      this.alignTrailingTopComments(branch, column, doc.end)
      this.insertAtDocumentEnd(doc.end, sopsBlock, topComments)
    }
  }

  insertAtDocumentEnd(end: number, block: string, topComments: ReadonlySet<number> = new Set()): void {
    const before = end > 0 ? this.text[end - 1] : "\n"
    // A trailing comment that belongs to a nested map or list, right before the new `sops:`
    // key, would be re-attached by yaml.v3 to the top level (changing its AAD); an empty line
    // between them keeps it where it is. Decryption removes that empty line again.
    const last = this.lastLineComment(end)
    const gap = last !== undefined && !topComments.has(last) ? "\n" : ""
    this.edit(end, end, `${before === "\n" || end === 0 ? "" : "\n"}${gap}${block}\n`)
  }

  /**
   * yaml.v3 files an indented comment at the very end of a document under the top-level map;
   * once `sops:` follows it, it would join the last nested map instead (another AAD). Moving
   * such trailing comments to the top-level column keeps them where they are.
   */
  alignTrailingTopComments(branch: TreeMap, column: number, end: number): void {
    let lastContent = -1
    for (const item of branch.items) {
      const s = item.src as ItemSrc | undefined
      if (s?.kind === "item") lastContent = Math.max(lastContent, s.end)
    }
    for (const item of branch.items) {
      const s = item.src as CommentSrc | undefined
      if (s?.kind !== "comment" || s.start < lastContent || s.start >= end || !this.onlySpacesBefore(s.start)) continue
      const lineStart = this.lineStart(s.start)
      // not when it continues a block of other comments: aligning it would merge the blocks
      const previous = this.text.slice(this.lineStart(Math.max(0, lineStart - 1)), Math.max(0, lineStart - 1))
      if (/^[ \t]*#/.test(previous)) continue
      if (s.start - lineStart !== column) this.edit(lineStart, s.start, " ".repeat(column))
    }
  }

  /** Start offset of the `#` when the line ending at `end` (or just before it) is a comment line. */
  lastLineComment(end: number): number | undefined {
    let lineEnd = end
    if (lineEnd > 0 && this.text[lineEnd - 1] === "\n") lineEnd--
    if (lineEnd > 0 && this.text[lineEnd - 1] === "\r") lineEnd--
    const start = this.lineStart(lineEnd)
    const m = /^[ \t]*#/.exec(this.text.slice(start, lineEnd))
    return m === null ? undefined : start + m[0].length - 1
  }

  deleteLines(start: number, end: number): void {
    this.edit(this.lineStart(start), this.lineEnd(end), "")
  }

  // ---- maps ----
  map(map: TreeMap, src: CollectionSrc, column: number): void {
    if (src.flow && this.structureChanged(map.items, src)) {
      this.reflow(map, src)
      return
    }
    const present = new Set<unknown>(map.items)
    for (const old of src.items as MapItem[]) {
      if (!present.has(old)) this.deleteItem(old.src as ItemSrc | CommentSrc | undefined)
    }
    let lastEnd = -1
    for (const item of src.items as MapItem[]) {
      if (present.has(item)) {
        const s = item.src as ItemSrc | CommentSrc | undefined
        if (s !== undefined) lastEnd = Math.max(lastEnd, s.end)
      }
    }
    // Entries the edit added go where the tree has them: a run of new entries is written just
    // before the next entry (or comment) that was in the file; only a run at the end of the map
    // (or one that cannot go there) follows the map's last line.
    const added: MapItem[] = []
    let run: MapItem[] = []
    let previousEnd = -1
    for (const item of map.items) {
      const s = item.src as ItemSrc | CommentSrc | undefined
      if (s === undefined) {
        run.push(item)
        continue
      }
      // A comment after a value on its line comes just before the key it follows in the tree
      // (`a: 1 # c` reads as `# c`, `a`): entries before it go before that key's line.
      const ownLine = s.kind === "item" || this.onlySpacesBefore(s.start)
      if (run.length > 0 && ownLine) {
        if (!this.insertBefore(this.freshBlock({ kind: "map", items: run }, column), s, column, previousEnd)) added.push(...run)
        run = []
      }
      if (ownLine) previousEnd = s.end
      if (item.key instanceof Comment) {
        if (s.kind === "comment" && item.key.value !== s.original) this.edit(s.start, s.end, `#${item.key.value}`)
        continue
      }
      if (s.kind === "item") this.value(item.value, s, column, false)
    }
    added.push(...run)
    if (added.length > 0) {
      const block = this.freshBlock({ kind: "map", items: added }, column)
      if (lastEnd < 0) this.edit(src.end, src.end, `\n${block}`)
      else this.edit(this.lineBreakAt(lastEnd), this.lineBreakAt(lastEnd), `\n${block}`)
    }
  }

  /** An item's value (map entry or list element), given the column of its key or dash. */
  value(value: TreeValue, s: ItemSrc, column: number, inList: boolean): void {
    const v = s.value
    const childColumn = inList ? column + 2 : column + this.step
    if (v.kind === "scalar") {
      if (isMap(value) || isList(value)) {
        this.replaceWithBlock(value, v.start, v.end, childColumn)
        return
      }
      if (sameScalar(value, v.original)) return
      const contentIndent = v.contentIndent > 0 ? v.contentIndent : childColumn
      let text = renderScalar(value, { style: v.style, flow: v.flow, header: v.header, contentIndent })
      // A keep (`+`) block's span ends after its line breaks; any other span ends before one.
      const spanHasBreak = v.end > 0 && this.text[v.end - 1] === "\n"
      if (spanHasBreak && !text.endsWith("\n")) text += "\n"
      else if (!spanHasBreak && text.endsWith("\n")) text = text.slice(0, -1)
      this.edit(v.start, v.end, (v.anchor !== "" ? `&${v.anchor} ` : "") + text)
      return
    }
    if (v.kind === "alias") {
      if (!deepEqual(value, v.original)) this.edit(v.start, v.end, this.flowValue(value))
      return
    }
    // a collection in the source
    if (isMap(value) && value.src === v) return this.map(value, v, v.flow ? v.column : this.collectionColumn(v))
    if (isList(value) && value.src === v) return this.list(value, v)
    if (v.flow || !(isMap(value) || isList(value))) {
      // a block collection turned scalar goes back on the key's line when only blanks are between
      let from = v.start
      if (!v.flow) {
        let p = v.start
        while (p > 0 && /[ \t\r\n]/.test(this.text[p - 1]!)) p--
        if (this.text[p - 1] === ":" || this.text[p - 1] === "-") from = p
      }
      const rendered = isMap(value) || isList(value) ? this.flowValue(value) : this.flowScalar(value)
      this.edit(from, v.end, from === v.start ? rendered : ` ${rendered}`)
    } else {
      this.replaceWithBlock(value, v.start, v.end, this.collectionColumn(v))
    }
  }

  collectionColumn(v: CollectionSrc): number {
    return this.column(v.start)
  }

  /** Replace a value by a block collection starting on the next line. */
  replaceWithBlock(value: TreeValue, start: number, end: number, column: number): void {
    const wrapper: TreeMap = { kind: "map", items: [{ key: "x", value }] }
    const rendered = this.freshBlock(wrapper, 0)
    const body = rendered.split("\n").slice(1).map(line => (line === "" ? line : " ".repeat(Math.max(0, column - this.step)) + line)).join("\n")
    let from = start
    while (from > 0 && (this.text[from - 1] === " " || this.text[from - 1] === "\t")) from--
    if (body === "") this.edit(from, end, ` ${rendered.slice(rendered.indexOf(":") + 1).trim()}`)
    else this.edit(from, end, `\n${body}`)
  }

  /**
   * Insert a fresh block (its lines padded to `column`) before the existing entry or comment
   * `next`: before its line when it starts one, or, for a key right after a list's dash
   * (`- a: 1`), at the key, which then moves to a line of its own at the same column.
   * Otherwise after the line where the previous existing entry ends (`previousEnd`), if any;
   * false when none of these fits: the caller appends instead.
   */
  insertBefore(block: string, next: ItemSrc | CommentSrc, column: number, previousEnd: number): boolean {
    const before = this.text.slice(this.lineStart(next.start), next.start)
    // a complex key's line (`? key`) starts with its indicator at the map's column
    if (this.onlySpacesBefore(next.start) || (next.kind === "item" && before.startsWith(`${" ".repeat(column)}?`) && /^ *\?[ \t]+$/.test(before))) {
      const at = this.lineStart(next.start)
      this.edit(at, at, `${block}\n`)
      return true
    }
    if (next.kind === "item" && this.column(next.start) === column) {
      this.edit(next.start, next.start, `${block.slice(column)}\n${" ".repeat(column)}`)
      return true
    }
    if (previousEnd < 0) return false
    const at = this.lineBreakAt(previousEnd)
    this.edit(at, at, `\n${block}`)
    return true
  }

  deleteItem(s: ItemSrc | CommentSrc | undefined): void {
    if (s === undefined) return
    if (s.kind === "comment" && !this.onlySpacesBefore(s.start)) {
      let from = s.start
      while (from > 0 && (this.text[from - 1] === " " || this.text[from - 1] === "\t")) from--
      this.edit(from, s.end, "")
      return
    }
    const start = this.onlySpacesBefore(s.start) ? this.lineStart(s.start) : s.start
    this.edit(start, this.lineEnd(s.end), "")
  }

  // ---- lists ----
  list(list: TreeList, src: CollectionSrc): void {
    if (src.flow && (this.structureChanged(list.items, src) || list.items.some(item => {
      const s = item.src as ItemSrc | CommentSrc
      return s.kind === "comment" ? !(item.value instanceof Comment) : item.value instanceof Comment
    }))) {
      this.reflow(list, src)
      return
    }
    const present = new Set<unknown>(list.items)
    for (const old of src.items as ListItem[]) {
      if (!present.has(old)) this.deleteItem(old.src as ItemSrc | CommentSrc | undefined)
    }
    const dashColumn = src.column
    const elements = list.items.filter(item => (item.src as ItemSrc | undefined)?.kind === "item")
    const added: ListItem[] = []
    let run: ListItem[] = []
    let previousEnd = -1
    for (const item of list.items) {
      const s = item.src as ItemSrc | CommentSrc | undefined
      if (s === undefined) {
        run.push(item)
        continue
      }
      const ownLine = s.kind === "item" || this.onlySpacesBefore(s.start)
      if (run.length > 0 && ownLine) {
        // elements added before an existing one go right before it, as in a map
        if (!this.insertBefore(this.freshList(run, dashColumn), s, dashColumn, previousEnd)) added.push(...run)
        run = []
      }
      if (ownLine) previousEnd = s.end
      if (s.kind === "comment") {
        // An encrypted list comment stays a `#ENC[…]` comment where it was (sops writes a
        // `- ENC[…]` element instead; both decrypt). Turning it into an element would change
        // how yaml.v3 attaches the comments around it, and so their AADs.
        if (item.value instanceof Comment && item.value.value !== s.original) this.edit(s.start, s.end, `#${item.value.value}`)
        continue
      }
      if (item.value instanceof Comment) {
        // a `- ENC[…,type:comment]` element that decrypted back into a comment (or was re-encrypted)
        if (isEncryptedComment(item.value)) {
          if (s.value.kind === "scalar" && item.value.value !== s.value.original) this.edit(s.value.start, s.value.end, item.value.value)
          continue
        }
        this.edit(s.start, s.value.end, `#${item.value.value}`)
        continue
      }
      this.value(item.value, s, this.column(s.start), true)
    }
    added.push(...run)
    if (added.length > 0) {
      const last = elements[elements.length - 1]?.src as ItemSrc | undefined
      const at = last !== undefined ? this.lineBreakAt(last.end) : src.end
      const block = this.freshList(added, dashColumn)
      this.edit(at, at, `\n${block}`)
    }
  }

  freshList(items: ListItem[], dashColumn: number): string {
    const rendered = this.freshBlock({ kind: "map", items: [{ key: "x", value: { kind: "list", items } }] }, 0)
    return rendered.split("\n").slice(1).map(line => {
      const stripped = line.slice(this.step)
      return line === "" ? line : " ".repeat(dashColumn) + stripped
    }).join("\n")
  }

  // ---- change detection ----
  structureChanged(items: readonly unknown[], src: CollectionSrc): boolean {
    if (items.length !== src.items.length) return true
    return items.some((item, i) => item !== src.items[i] || (item as { src?: unknown }).src === undefined)
  }

  mapChanged(map: TreeMap, src: CollectionSrc): boolean {
    if (this.structureChanged(map.items, src)) return true
    return map.items.some(item => {
      const s = item.src as ItemSrc | CommentSrc
      if (item.key instanceof Comment) return s.kind === "comment" && item.key.value !== s.original
      return s.kind === "item" && this.valueChanged(item.value, s)
    })
  }

  listChanged(list: TreeList, src: CollectionSrc): boolean {
    if (this.structureChanged(list.items, src)) return true
    return list.items.some(item => {
      const s = item.src as ItemSrc | CommentSrc
      if (s.kind === "comment") return !(item.value instanceof Comment) || item.value.value !== s.original
      if (item.value instanceof Comment) return true
      return this.valueChanged(item.value, s)
    })
  }

  valueChanged(value: TreeValue, s: ItemSrc): boolean {
    const v = s.value
    if (v.kind === "scalar") return isMap(value) || isList(value) || !sameScalar(value, v.original)
    if (v.kind === "alias") return !deepEqual(value, v.original)
    if (isMap(value) && value.src === v) return this.mapChanged(value, v)
    if (isList(value) && value.src === v) return this.listChanged(value, v)
    return true
  }

  /**
   * Write a flow collection afresh. Its comments that sit outside its brackets (yaml.v3 files
   * the comments after a flow collection with it) are removed: the rendering replaces them.
   */
  reflow(value: TreeMap | TreeList, src: CollectionSrc): void {
    this.edit(src.start, src.end, this.flow(value))
    for (const item of src.items as (MapItem | ListItem)[]) {
      const s = item.src as CommentSrc | undefined
      if (s?.kind === "comment" && (s.start < src.start || s.start >= src.end)) this.deleteItem(s)
    }
  }

  // ---- flow rendering ----
  flow(value: TreeMap | TreeList): string {
    return this.flowValue(value)
  }
  flowValue(value: TreeValue): string {
    if (isMap(value)) {
      const parts = value.items.filter(item => !(item.key instanceof Comment))
        .map(item => `${this.flowScalar(item.key as string)}: ${this.flowValue(item.value)}`)
      return `{${parts.join(", ")}}`
    }
    if (isList(value)) {
      const parts: string[] = []
      for (const item of value.items) {
        if (item.value instanceof Comment) {
          if (isEncryptedComment(item.value)) parts.push(`"${item.value.value}"`)
        } else parts.push(this.flowValue(item.value))
      }
      return `[${parts.join(", ")}]`
    }
    return this.flowScalar(value)
  }
  flowScalar(value: Scalar | null | TreeValue): string {
    if (isMap(value) || isList(value)) return this.flowValue(value)
    if (typeof value === "string") {
      if (/^ENC\[/.test(value)) return `"${value}"`
      if (resolvePlainTag(value) === "!!str" && analyzeScalar(value).flowPlainAllowed) return value
      return minimalDoubleQuoted(value)
    }
    if (value instanceof Uint8Array) return renderScalar(value, { style: Style.Double, flow: true, header: "", contentIndent: 0 })
    return canonicalYaml(value)
  }
}

function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? Buffer.from(value, "utf8") : value
}

/** Whether a scalar equals the value parsed from the source. */
export function sameScalar(value: TreeValue, original: unknown): boolean {
  if (isMap(value) || isList(value)) return false
  if (value === null || original === null) return value === original
  if ((typeof value === "string" || value instanceof Uint8Array) && (typeof original === "string" || original instanceof Uint8Array)) {
    if (typeof value === "string" && typeof original === "string") return value === original
    return Buffer.from(bytesOf(value)).equals(Buffer.from(bytesOf(original)))
  }
  if (typeof value === "number" && typeof original === "number") return Object.is(value, original) || (Number.isNaN(value) && Number.isNaN(original))
  if (typeof value === "object" && typeof original === "object" && value !== null && original !== null && "text" in value && "text" in original) {
    return value.text === (original as { text: string }).text
  }
  return value === original
}

export function deepEqual(a: TreeValue | Comment, b: TreeValue | Comment): boolean {
  if (a instanceof Comment || b instanceof Comment) {
    return a instanceof Comment && b instanceof Comment && a.value === b.value
  }
  if (isMap(a)) {
    if (!isMap(b) || a.items.length !== b.items.length) return false
    return a.items.every((item, i) => {
      const other = b.items[i]!
      const keysEqual = item.key instanceof Comment ? other.key instanceof Comment && other.key.value === item.key.value : item.key === other.key
      return keysEqual && deepEqual(item.value, other.value)
    })
  }
  if (isList(a)) {
    if (!isList(b) || a.items.length !== b.items.length) return false
    return a.items.every((item, i) => deepEqual(item.value, b.items[i]!.value))
  }
  return sameScalar(a, b)
}
