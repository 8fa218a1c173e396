// binary store (spec §9.5): any file as one `data` value, kept as bytes end to end (never UTF-8-decoded).
// Encrypted, it is a JSON envelope `{"data": "ENC[…]", "sops": {…}}` written like the JSON store.
import { ExitCode, TsopsError } from "../src/core/errors.js"
import type { EmitOptions, ParsedFile, Store } from "../src/core/store.js"
import { isMap, newMap, type TreeMap, type TreeValue } from "../src/core/tree.js"
import type { JsonObjectNode } from "./json-tree.js"
import { extractSops, parseTopObject, plainTree, renderJsonFile } from "./json-tree.js"
import { decodeLossless, encodeLossless, textFromLeaf } from "./lossless-text.js"

const emitError = (reason: string) => new TsopsError(`error emitting binary store: ${reason}`, ExitCode.ErrorDumpingTree)

/** The envelope, if the input is one: a JSON object with a `sops` object and a string `data` member. */
function envelope(input: Uint8Array): JsonObjectNode | undefined {
  let start = 0
  while (start < input.length && (input[start] === 0x20 || input[start] === 0x09 || input[start] === 0x0a || input[start] === 0x0d)) start++
  if (input[start] !== 0x7b) return undefined // `{`: anything else is payload, cheaply
  let node: JsonObjectNode
  try {
    node = parseTopObject(decodeLossless(input)).node
  } catch {
    return undefined
  }
  const sops = node.members.find(member => member.key === "sops")
  const data = node.members.find(member => member.key === "data")
  const isEnvelope = sops?.value.kind === "object" && data?.value.kind === "scalar" && typeof data.value.value === "string"
  return isEnvelope ? node : undefined
}

export const store: Store = {
  format: "binary",

  /**
   * An encrypted envelope gives its members (and metadata) as the JSON store would; any other input is
   * the payload `{ data: bytes }`. So a plaintext that happens to be such an envelope reads as encrypted.
   */
  parse(input: Uint8Array): ParsedFile {
    const node = envelope(input)
    if (node) {
      const branch = plainTree(node) as TreeMap
      const sopsItem = extractSops(branch)
      return { branches: [branch], metadata: sopsItem?.value }
    }
    return { branches: [newMap([{ key: "data", value: Uint8Array.from(input) }])], metadata: undefined }
  },

  /** With metadata: the JSON envelope (`data`, then `sops`). Without: the raw bytes of `data`. */
  emit(branches: TreeMap[], options: EmitOptions = {}): Uint8Array {
    if (options.metadata) return encodeLossless(renderJsonFile(branches, options.metadata, options.indent))
    if (branches.length !== 1) throw emitError("there must be exactly one tree branch")
    const item = branches[0]!.items.find(item => item.key === "data")
    if (!item) throw emitError("no binary data found in tree")
    if (item.value instanceof Uint8Array) return item.value
    if (typeof item.value === "string") return encodeLossless(textFromLeaf(item.value))
    throw emitError("'data' key in tree does not have a string value")
  },

  emitValue(value: TreeValue): Uint8Array {
    if (typeof value === "string") return encodeLossless(textFromLeaf(value))
    if (value instanceof Uint8Array) return value
    if (isMap(value)) return store.emit([value])
    throw new TsopsError("Binary files are not structured and extracting a single value is not possible", ExitCode.ErrorDumpingTree)
  },
}
