// binary store (spec §9.5): any file as one `data` value, kept as bytes end to end (never UTF-8-decoded).
// Encrypted, it is a JSON envelope `{"data": "ENC[…]", "sops": {…}}` written like the JSON store.
import { Buffer, isAscii } from "node:buffer"
import { EncryptedBytes, largeValue, withRoom } from "../src/core/encrypted-bytes.js"
import { ExitCode, TsopsError } from "../src/core/errors.js"
import type { EmitOptions, ParsedFile, Store } from "../src/core/store.js"
import { isMap, newMap, type TreeMap, type TreeValue } from "../src/core/tree.js"
import type { JsonObjectNode } from "./json-tree.js"
import { extractSops, parseTopObject, plainTree, renderJsonFile } from "./json-tree.js"
import { decodeLossless, encodeLossless, textFromLeaf } from "./lossless-text.js"

const emitError = (reason: string) => new TsopsError(`error emitting binary store: ${reason}`, ExitCode.ErrorDumpingTree)

const view = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

interface Envelope {
  node: JsonObjectNode
  /** the first `data` member's value, when it is large: its node holds an empty string instead */
  data?: EncryptedBytes
}

/** The envelope, if the input is one: a JSON object with a `sops` object and a string `data` member. */
function envelope(input: Uint8Array): Envelope | undefined {
  let start = 0
  while (start < input.length && (input[start] === 0x20 || input[start] === 0x09 || input[start] === 0x0a || input[start] === 0x0d)) start++
  if (input[start] !== 0x7b) return undefined // `{`: anything else is payload, cheaply
  let found: Envelope | undefined
  try {
    found = input.length > largeValue ? largeEnvelope(input) : undefined
  } catch {
    found = undefined // the whole text is read below, and decides
  }
  try {
    found ??= { node: parseTopObject(decodeLossless(input)).node }
  } catch {
    return undefined
  }
  const sops = found.node.members.find(member => member.key === "sops")
  const data = found.node.members.find(member => member.key === "data")
  const isEnvelope = sops?.value.kind === "object" && data?.value.kind === "scalar" && typeof data.value.value === "string"
  return isEnvelope ? found : undefined
}

/**
 * A large envelope read without turning its `data` string into a JS string: the text around that
 * string is parsed with an empty string in its place, and the value is EncryptedBytes viewing the
 * input. Only for a string of printable ASCII without escapes, whose bytes are its characters; the
 * parser confirms that the empty string stands exactly where the first `data` member's value is.
 */
function largeEnvelope(input: Uint8Array): Envelope | undefined {
  const text = view(input)
  const open = dataStringStart(text)
  const close = open === undefined ? -1 : text.indexOf(0x22, open + 1)
  if (open === undefined || close < 0 || close - open - 1 < largeValue) return undefined
  const backslash = text.indexOf(0x5c, open + 1)
  const bytes = text.subarray(open + 1, close)
  if ((backslash >= 0 && backslash < close) || !isAscii(bytes) || hasControlBytes(bytes)) return undefined
  const head = decodeLossless(text.subarray(0, open + 1))
  const { node } = parseTopObject(head + decodeLossless(text.subarray(close)))
  const data = node.members.find(member => member.key === "data")?.value
  if (data?.kind !== "scalar" || data.start !== head.length - 1 || data.value !== "") return undefined
  return { node, data: new EncryptedBytes(input.buffer as ArrayBuffer, input.byteOffset + open + 1, bytes.length) }
}

/**
 * Where the first top-level `"data"` member's string value opens, by a light scan of the JSON
 * bytes (the parser has the last word: see largeEnvelope); undefined when it is not found so.
 */
function dataStringStart(text: Buffer): number | undefined {
  let p = skipSpace(text, 0)
  if (text[p] !== 0x7b) return undefined
  p = skipSpace(text, p + 1)
  while (text[p] === 0x22) {
    const keyEnd = stringEnd(text, p)
    if (keyEnd < 0) return undefined
    const isData = keyEnd - p === 5 && text.toString("latin1", p + 1, keyEnd) === "data"
    p = skipSpace(text, keyEnd + 1)
    if (text[p] !== 0x3a) return undefined
    p = skipSpace(text, p + 1)
    if (isData) return text[p] === 0x22 ? p : undefined
    p = valueEnd(text, p)
    if (p < 0) return undefined
    p = skipSpace(text, p)
    if (text[p] !== 0x2c) return undefined
    p = skipSpace(text, p + 1)
  }
  return undefined
}

function skipSpace(text: Buffer, p: number): number {
  while (text[p] === 0x20 || text[p] === 0x09 || text[p] === 0x0a || text[p] === 0x0d) p++
  return p
}

/** The closing quote of the JSON string opening at `p`, or -1. */
function stringEnd(text: Buffer, p: number): number {
  for (let q = p + 1; ; q++) {
    q = text.indexOf(0x22, q)
    if (q < 0) return -1
    let backslashes = 0
    while (text[q - 1 - backslashes] === 0x5c) backslashes++
    if (backslashes % 2 === 0) return q
  }
}

/** The offset after the JSON value starting at `p` (not validated), or -1. */
function valueEnd(text: Buffer, p: number): number {
  const c = text[p]
  if (c === 0x22) {
    const end = stringEnd(text, p)
    return end < 0 ? -1 : end + 1
  }
  if (c === 0x7b || c === 0x5b) {
    let depth = 0
    for (let q = p; q < text.length; q++) {
      const b = text[q]
      if (b === 0x22) {
        q = stringEnd(text, q)
        if (q < 0) return -1
      } else if (b === 0x7b || b === 0x5b) depth++
      else if (b === 0x7d || b === 0x5d) {
        if (--depth === 0) return q + 1
      }
    }
    return -1
  }
  let q = p
  while (q < text.length && ![0x2c, 0x7d, 0x5d, 0x20, 0x09, 0x0a, 0x0d].includes(text[q]!)) q++
  return q
}

/** Whether any byte is below 0x20 (which a JSON string may not hold raw), four bytes at a time. */
function hasControlBytes(bytes: Uint8Array): boolean {
  let i = 0
  while (i < bytes.length && (bytes.byteOffset + i) % 4 !== 0) if (bytes[i++]! < 0x20) return true
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (bytes.length - i) >> 2)
  // for bytes below 0x80 (the caller checked), a byte below 0x20 exists exactly when this is non-zero
  for (let w = 0; w < words.length; w++) {
    const x = words[w]!
    if (((x - 0x20202020) & ~x & 0x80808080) !== 0) return true
  }
  for (i += words.length * 4; i < bytes.length; i++) if (bytes[i]! < 0x20) return true
  return false
}

/**
 * The envelope as the JSON store writes it. A top-level EncryptedBytes value is written as its bytes
 * into the output, around placeholders in the rendered text: its JSON string is its characters in
 * quotes, as it holds no character that Go's encoder escapes.
 */
function renderEnvelope(branches: TreeMap[], metadata: TreeMap, indent: number | undefined): Uint8Array {
  const branch = branches[0]
  const large = (branch?.items ?? []).filter(item => item.value instanceof EncryptedBytes && !hasEscapedCharacter(item.value))
  if (branch === undefined || large.length === 0) return encodeLossless(renderJsonFile(branches, metadata, indent))
  const placeholders = large.map((_, i) => `"tsops-encrypted-bytes-${i}"`)
  const items = branch.items.map(item => {
    const i = large.indexOf(item)
    return i < 0 ? item : { ...item, value: placeholders[i]!.slice(1, -1) }
  })
  const text = renderJsonFile([{ ...branch, items }, ...branches.slice(1)], metadata, indent)
  if (large.length === 1) {
    // the usual file: written around the value, in the room writeEncryptedBytes left for it
    const pos = text.indexOf(placeholders[0]!)
    if (pos >= 0 && !text.includes(placeholders[0]!, pos + 1)) {
      const head = encodeLossless(text.slice(0, pos + 1))
      const tail = encodeLossless(text.slice(pos + placeholders[0]!.length - 1))
      const out = withRoom(large[0]!.value as EncryptedBytes, head.length, tail.length)
      if (out !== undefined) {
        out.set(head, 0)
        out.set(tail, out.length - tail.length)
        return out
      }
    }
  }
  const parts: Uint8Array[] = []
  let at = 0
  for (const [i, placeholder] of placeholders.entries()) {
    const pos = text.indexOf(placeholder, at)
    if (pos < 0 || text.includes(placeholder, pos + 1)) return encodeLossless(renderJsonFile(branches, metadata, indent))
    parts.push(encodeLossless(text.slice(at, pos + 1)), large[i]!.value as EncryptedBytes)
    at = pos + placeholder.length - 1
  }
  parts.push(encodeLossless(text.slice(at)))
  return Buffer.concat(parts)
}

// Go's JSON encoder escapes `<`, `>` and `&` (an ENC value has none; an envelope read from a file may).
const hasEscapedCharacter = (bytes: Uint8Array): boolean => [0x3c, 0x3e, 0x26].some(c => view(bytes).indexOf(c) >= 0)

export const store: Store = {
  format: "binary",

  /**
   * An encrypted envelope gives its members (and metadata) as the JSON store would; any other input is
   * the payload `{ data: bytes }` (a view of the input). So a plaintext that happens to be such an
   * envelope reads as encrypted.
   */
  parse(input: Uint8Array): ParsedFile {
    const found = envelope(input)
    if (found) {
      const branch = plainTree(found.node) as TreeMap
      if (found.data) branch.items.find(item => item.key === "data")!.value = found.data
      const sopsItem = extractSops(branch)
      return { branches: [branch], metadata: sopsItem?.value }
    }
    return { branches: [newMap([{ key: "data", value: new Uint8Array(input.buffer, input.byteOffset, input.byteLength) }])], metadata: undefined }
  },

  /** With metadata: the JSON envelope (`data`, then `sops`). Without: the raw bytes of `data`. */
  emit(branches: TreeMap[], options: EmitOptions = {}): Uint8Array {
    if (options.metadata) return renderEnvelope(branches, options.metadata, options.indent)
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
