// What the YAML parser records on tree nodes (`src`) and in ParsedFile.layout so the layout
// emitter can splice changes into the original text.
import type { TreeValue } from "../../src/core/tree.js"
import type { Resolved } from "./resolve.js"
import type { ScalarStyle } from "./scanner.js"

/** A scalar value in the source. */
export interface ScalarSrc {
  readonly kind: "scalar"
  /** node start (anchor/tag included) */
  readonly start: number
  /** scalar token start (after anchor/tag) */
  readonly tokenStart: number
  /** end of the scalar text (for block scalars: end of the last content line) */
  readonly end: number
  readonly style: ScalarStyle
  readonly anchor: string
  readonly tagged: boolean
  /** inside a flow collection */
  readonly flow: boolean
  /** the value as parsed, to tell whether it changed */
  readonly original: Resolved
  /** whether the scalar spans several lines of source */
  readonly multiline: boolean
  /** block scalars: header text (`|`, `>-`, `|2+`…) and the content's indentation column */
  readonly header: string
  readonly contentIndent: number
}

/** An alias (`*a`) or a merge value: its tree value is a copy of the anchored node. */
export interface AliasSrc {
  readonly kind: "alias"
  readonly start: number
  readonly end: number
  readonly flow: boolean
  readonly original: TreeValue
}

/** A block or flow collection value. */
export interface CollectionSrc {
  readonly kind: "collection"
  readonly start: number
  readonly end: number
  readonly flow: boolean
  /** column of the entries (keys or dashes) of a block collection */
  readonly column: number
  /** the items as parsed, to find deleted ones */
  readonly items: readonly unknown[]
}

export type ValueSrc = ScalarSrc | AliasSrc | CollectionSrc

/** A map entry or a list element. */
export interface ItemSrc {
  readonly kind: "item"
  /** start of the key (maps) or of the `-` (block lists); the element start in flow lists */
  readonly start: number
  /** end of the entry's value */
  readonly end: number
  readonly value: ValueSrc
}

/** A comment line. */
export interface CommentSrc {
  readonly kind: "comment"
  /** span of `#…` */
  readonly start: number
  readonly end: number
  readonly original: string
  readonly inline: boolean
}

/** One document of the stream. */
export interface DocumentLayout {
  /** where the document's text starts (after a `---` line) and ends (before the next one) */
  readonly start: number
  readonly end: number
  /** the top-level mapping's source, undefined for an empty/null document */
  readonly top: CollectionSrc | undefined
  /** span of a `sops:` entry in the source (whole lines), if any */
  readonly sops: { start: number; end: number } | undefined
}

export interface YamlLayout {
  readonly kind: "yaml-layout"
  readonly text: string
  readonly documents: readonly DocumentLayout[]
  /** comment lines yaml.v3 attaches to no node (so they are not in the tree) */
  readonly orphanComments: readonly { start: number; end: number }[]
}

export function isYamlLayout(value: unknown): value is YamlLayout {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "yaml-layout"
}
