// The sops tree (spec §1.1): ordered maps and lists of typed scalars, with comments as items.
// Stores attach an opaque `src` to nodes they parsed so they can re-emit the input's layout.

/** A comment line (`# text` → value " text"); `inline` when it ended a line holding a value. */
export class Comment {
  readonly value: string
  readonly inline: boolean
  constructor(value: string, inline = false) {
    this.value = value
    this.inline = inline
  }
}

/** A YAML timestamp (sops type `time`). `text` is its canonical RFC 3339 form with nanoseconds, trailing zeros trimmed. */
export class SopsTime {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}

/**
 * A leaf value. int is `bigint` (int64, so 9223372036854775807 survives), float is `number`,
 * `Uint8Array` holds bytes that are not text (binary files, YAML !!binary, sops type `bytes`).
 */
export type Scalar = string | Uint8Array | bigint | number | boolean | SopsTime

export type TreeValue = TreeMap | TreeList | Scalar | null

/** A map item; a comment item has a `Comment` key and a null value. */
export interface MapItem {
  key: string | Comment
  value: TreeValue
  /** store-private source information (span, style); absent for nodes made in memory */
  src?: unknown
}

export interface ListItem {
  value: TreeValue | Comment
  src?: unknown
}

export interface TreeMap {
  readonly kind: "map"
  items: MapItem[]
  src?: unknown
}

export interface TreeList {
  readonly kind: "list"
  items: ListItem[]
  src?: unknown
}

export const newMap = (items: MapItem[] = []): TreeMap => ({ kind: "map", items })
export const newList = (items: ListItem[] = []): TreeList => ({ kind: "list", items })

export function isMap(value: unknown): value is TreeMap {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "map"
}

export function isList(value: unknown): value is TreeList {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "list"
}

/** The value of the first item under `key`, or undefined. */
export function getItem(map: TreeMap, key: string): MapItem | undefined {
  return map.items.find(item => item.key === key)
}
