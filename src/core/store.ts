// What every file format provides (formats/ implements it; src/api calls it).
import type { TreeMap, TreeValue } from "./tree.js"

export type FormatName = "yaml" | "json" | "dotenv" | "ini" | "binary"

export interface ParsedFile {
  /** One branch per YAML document; exactly one for the other formats (zero for an empty YAML file). */
  branches: TreeMap[]
  /**
   * The raw `sops` entry with the metadata (dotenv/INI: already unflattened), removed from
   * `branches`; undefined when the file has none. Not validated here: src/core/metadata.ts does that.
   */
  metadata: TreeValue | undefined
  /** Store-private layout of the input, handed back to `emit` of the same store to keep it. */
  layout?: unknown
}

export interface EmitOptions {
  /** The metadata tree to append, already in sops's order; absent for plaintext output. */
  metadata?: TreeMap
  /** The input's layout (`ParsedFile.layout` of the same store). Absent: emit in sops's own layout. */
  layout?: unknown
  /** Explicit indentation (--indent, .sops.yaml `stores`): emit in sops's layout with it, even with `layout`. */
  indent?: number
}

export interface Store {
  readonly format: FormatName
  /** Parse bytes (never UTF-8-decoded for binary). Throws InputParseError with a position, never source text. */
  parse(input: Uint8Array): ParsedFile
  /** Bytes of the branches (plus metadata); unchanged nodes are copied from the layout's source. */
  emit(branches: TreeMap[], options?: EmitOptions): Uint8Array
  /** One value, as `--extract` prints it (spec §10.4). */
  emitValue(value: TreeValue): Uint8Array
}
