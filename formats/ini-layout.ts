// Layout-keeping INI output: the input with changed values and comments rewritten in place, lost keys
// and sections cut, new ones added in sops's style; the `[sops]` section keeps its lines when the
// metadata has the same keys, else it is written in sops's layout.
// Text the tree does not hold (shadowed duplicate keys, comments at the end) is never copied.
import { Comment, isMap, type TreeMap, type TreeValue } from "../src/core/tree.js"
import { flatten } from "./flatten.js"
import { isGoSpace, type IniCommentPart, type IniDocument, type IniKey, type IniSection, type Span } from "./ini-parse.js"
import { commentLines, iniValueText, keyLines, metadataSection, quoteValue, sectionOut, sectionText, type IniKeyOut } from "./ini-write.js"
import { leafFromText } from "./lossless-text.js"
import { splice, type Edit } from "./splice.js"

/** sops's stripCommentChar: the leading run of `;`/space (or `#`/space) of the comment's first line. */
export function stripCommentChar(comment: string): string {
  if (comment.startsWith(";")) return comment.replace(/^[; ]+/, "")
  if (comment.startsWith("#")) return comment.replace(/^[# ]+/, "")
  return comment
}

/** ParsedFile.layout of the INI store. */
export class IniLayout {
  readonly text: string
  readonly doc: IniDocument
  /** the `[sops]` section of the input, if any */
  readonly sopsSection: IniSection | undefined

  constructor(text: string, doc: IniDocument, sopsSection: IniSection | undefined) {
    this.text = text
    this.doc = doc
    this.sopsSection = sopsSection
  }
}

/** The `src` of a section item. */
export class IniSectionSrc {
  readonly layout: IniLayout
  readonly section: IniSection
  constructor(layout: IniLayout, section: IniSection) {
    this.layout = layout
    this.section = section
  }
}

/** The `src` of a key item: the key's text and the value and comment it was read with. */
export class IniKeySrc {
  readonly section: IniSectionSrc
  readonly key: IniKey
  readonly original: string | Uint8Array
  constructor(section: IniSectionSrc, key: IniKey, original: string | Uint8Array) {
    this.section = section
    this.key = key
    this.original = original
  }
}

function sameLeaf(original: string | Uint8Array, value: unknown): boolean {
  if (typeof original === "string") return value === original
  return value instanceof Uint8Array && Buffer.from(value).equals(original)
}

/** Deletions and insertions, merged so that overlapping cuts (dead text inside a lost section) are fine. */
class EditSet {
  readonly #deletions: Span[] = []
  readonly #insertions: { at: number; text: string }[] = []

  delete(start: number, end: number): void {
    if (end > start) this.#deletions.push({ start, end })
  }

  insert(at: number, text: string): void {
    if (text !== "") this.#insertions.push({ at, text })
  }

  replace(start: number, end: number, text: string): void {
    this.delete(start, end)
    this.insert(start, text)
  }

  apply(text: string): string {
    const merged: { start: number; end: number }[] = []
    for (const span of [...this.#deletions].sort((a, b) => a.start - b.start)) {
      const last = merged.at(-1)
      if (last && span.start <= last.end) last.end = Math.max(last.end, span.end)
      else merged.push({ ...span })
    }
    const edits: Edit[] = merged.map(span => ({ ...span, text: "" }))
    // One sweep: an insertion that falls inside a cut moves to the cut's start.
    const insertions = this.#insertions.map((insertion, order) => ({ ...insertion, order })).sort((a, b) => a.at - b.at || a.order - b.order)
    let span = 0
    for (const { at, text: inserted } of insertions) {
      while (span < merged.length && merged[span]!.end <= at) span++
      const cut = merged[span]
      const position = cut && cut.start < at ? cut.start : at
      edits.push({ start: position, end: position, text: inserted })
    }
    return splice(text, edits)
  }
}

class LayoutEmitter {
  readonly layout: IniLayout
  readonly text: string
  readonly edits = new EditSet()
  /** the file ends without a newline: text added at the end must keep it that way */
  readonly openEnd: boolean

  constructor(layout: IniLayout) {
    this.layout = layout
    this.text = layout.text
    this.openEnd = this.text.length > 0 && !this.text.endsWith("\n")
  }

  /** Lines (each with `\n`) inserted at `at`; at an open end the newline moves before them. */
  insertLines(at: number, block: string): void {
    if (block === "") return
    this.edits.insert(at, this.openEnd && at === this.text.length ? `\n${block.slice(0, -1)}` : block)
  }

  /** Cuts [start, end); at an open end the newline before goes too, so the file still ends as it did. */
  cut(start: number, end: number): void {
    this.edits.delete(this.openEnd && end === this.text.length && start > 0 ? start - 1 : start, end)
  }

  /**
   * A key's or section's comment that is `next` now (raw: the library's text it was read from). A
   * one-line comment is rewritten in place after its `;`/`#` marker, so the user's marker and indent
   * stay; anything else is cut and written sops's way above the key or header.
   */
  comment(parts: readonly IniCommentPart[], raw: string, next: string, at: number, trimPlain: boolean, inlineInPlace: boolean, force: boolean): void {
    const old = stripCommentChar(raw)
    if (!force && next === old) return
    const only = parts.length === 1 ? parts[0]! : undefined
    if (!force && only && next !== "" && old !== "" && !next.includes("\n") && (!only.inline || inlineInPlace)) {
      let rawStart = only.start
      while (rawStart < only.end && isGoSpace(this.text[rawStart])) rawStart++
      const oldStart = rawStart + raw.length - old.length
      if (this.text.startsWith(raw, rawStart)) return this.edits.replace(oldStart, oldStart + old.length, next)
    }
    for (const part of parts) this.edits.delete(part.start, part.end)
    if (next !== "") this.insertLines(parts.find(part => !part.inline)?.start ?? at, lines(commentLines(next, trimPlain)))
  }

  /** A section that is gone: from the end of the section before it to the end of its body. */
  cutSection(section: IniSection): void {
    const index = this.layout.doc.sections.indexOf(section)
    const previous = this.layout.doc.sections[index - 1]
    this.cut(previous ? previous.bodyEnd : section.start, section.bodyEnd)
  }

  /** A key's value text replaced; `key =` with nothing after the delimiter gets the space sops writes. */
  replaceValue(key: IniKey, rendered: string): void {
    const spaced = key.valueStart === key.valueEnd && /[=:]/.test(this.text[key.valueStart - 1] ?? "") ? ` ${rendered}` : rendered
    this.edits.replace(key.valueStart, key.valueEnd, spaced)
  }

  /**
   * The metadata spliced into the input's `[sops]` section, when it flattens to exactly the keys the
   * section holds (a re-encryption with the same keys: only lastmodified, mac, version and the like
   * change). An older sops wrote the section in no particular order; rewriting it sorted would turn
   * every edit into a diff of the whole block (issue 3). False, with nothing done, when keys differ or
   * the section holds comments: those are not in the tree, so the section is written in sops's layout.
   */
  metadataInPlace(section: IniSection, metadata: TreeMap): boolean {
    if (section.commentParts.length > 0 || section.keys.some(key => key.commentParts.length > 0)) return false
    const entries = flatten(metadata)
    if (entries.length !== section.keys.length) return false
    const values = new Map(entries.map(entry => [entry.key, entry.value]))
    if (!section.keys.every(key => values.has(key.name))) return false
    // 3.13.0/3.13.1 wrote real newlines in `"""` blocks, the others `\n` escapes (spec §5.5): a changed
    // value is written the way the section already writes them.
    const escape = !section.keys.some(key => key.value.includes("\n"))
    for (const key of section.keys) {
      const value = values.get(key.name)!
      // The value as the store's parse read it from this line: `\n` escapes turned into newlines.
      const read = leafFromText(key.value)
      const original = typeof read === "string" ? read.replaceAll("\\n", "\n") : read
      const text = typeof value === "string" ? value : iniValueText(key.name, value)
      const same = typeof value === "string" || value instanceof Uint8Array ? sameLeaf(original, value) : text === key.value
      if (same) continue
      this.replaceValue(key, quoteValue(escape ? text.replaceAll("\n", "\\n") : text))
    }
    return true
  }

  section(src: IniSectionSrc, map: TreeMap): void {
    const section = src.section
    const first = map.items[0]
    const comment = first?.key instanceof Comment ? first.key.value : ""
    // Never in place after a header: `[a] ; ENC[…]` would read back as a section named `a] ; ENC[…`.
    this.comment(section.commentParts, section.comment, comment, section.implicit ? section.start : section.headerStart, false, false, false)
    // Items as sops's encodeTree reads them: a comment after a key is that key's comment, the last wins.
    const keys: { src: IniKeySrc | undefined; out: IniKeyOut; value: TreeValue }[] = []
    for (const item of map.items.slice(first?.key instanceof Comment ? 1 : 0)) {
      const last = keys.at(-1)
      if (item.key instanceof Comment) {
        if (last) last.out.comment = item.key.value
        continue
      }
      const keySrc = item.src instanceof IniKeySrc && item.src.section === src && item.src.key.name === item.key ? item.src : undefined
      const used = keySrc && keys.some(key => key.src === keySrc)
      keys.push({ src: used ? undefined : keySrc, out: { name: item.key, value: "", comment: "" }, value: item.value })
    }
    const added: IniKeyOut[] = []
    const kept = new Set<IniKey>()
    for (const { src: keySrc, out, value } of keys) {
      if (!keySrc) {
        added.push({ ...out, value: iniValueText(out.name, value) })
        continue
      }
      const key = keySrc.key
      kept.add(key)
      const changed = !sameLeaf(keySrc.original, value)
      const rendered = changed ? quoteValue(iniValueText(out.name, value)) : ""
      if (changed) this.replaceValue(key, rendered)
      // After a one-line quoted value the library reads no comment, so an inline one must move above.
      const quotedLine = changed && /^(`|""")/.test(rendered) && !rendered.includes("\n")
      const inline = key.commentParts.some(part => part.inline)
      this.comment(key.commentParts, key.comment, out.comment, key.lineStart, true, !quotedLine, quotedLine && inline)
    }
    for (const key of section.keys) {
      if (kept.has(key)) continue
      this.cut(key.commentParts.find(part => !part.inline)?.start ?? key.lineStart, key.end)
    }
    if (added.length > 0) this.insertLines(section.bodyEnd, lines(keyLines(added)))
  }
}

const lines = (texts: readonly string[]): string => texts.map(line => `${line}\n`).join("")

/** The input with the branch's changes and the metadata applied (spec §9.4 for everything rendered new). */
export function emitIniLayout(layout: IniLayout, branch: TreeMap, metadata: TreeMap | undefined): string {
  const emitter = new LayoutEmitter(layout)
  const { doc, sopsSection } = layout
  for (const span of doc.dead) emitter.edits.delete(span.start, span.end)
  const used = new Set<IniSection>()
  const addedSections: string[] = []
  for (const item of branch.items) {
    if (item.key instanceof Comment) continue
    const src = item.src
    if (src instanceof IniSectionSrc && src.layout === layout && !used.has(src.section) && src.section.name === item.key && isMap(item.value)) {
      used.add(src.section)
      emitter.section(src, item.value)
    } else {
      addedSections.push(sectionText(sectionOut(item.key, item.value), false))
    }
  }
  for (const section of doc.sections) {
    if (section !== sopsSection && !used.has(section)) emitter.cutSection(section)
  }
  if (sopsSection && metadata) {
    if (!emitter.metadataInPlace(sopsSection, metadata)) {
      const metadataText = sectionText(metadataSection(metadata), false)
      const openEnd = emitter.openEnd && sopsSection.bodyEnd === layout.text.length
      emitter.edits.replace(sopsSection.start, sopsSection.bodyEnd, openEnd ? metadataText.slice(0, -1) : metadataText)
    }
  } else if (sopsSection) {
    emitter.cutSection(sopsSection)
  } else if (metadata) {
    addedSections.push(sectionText(metadataSection(metadata), false))
  }
  if (addedSections.length > 0) {
    // After the last section that is not `[sops]`, each behind a blank line (none at the very start).
    const last = doc.sections.filter(section => section !== sopsSection).at(-1)!
    const at = last.bodyEnd
    const block = addedSections.map(text => `\n${text}`).join("")
    emitter.insertLines(at, at === 0 ? block.slice(1) : block)
  }
  return emitter.edits.apply(layout.text)
}
