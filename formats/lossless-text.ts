// Bytes ⇄ JS string without loss, for the text formats (JSON, dotenv, INI). Go reads these files as
// raw bytes, so a file that is not valid UTF-8 must survive: each byte that does not start a valid
// UTF-8 sequence (judged one byte at a time, as Go's utf8.DecodeRune does) becomes the lone surrogate
// U+DC00+byte ("surrogateescape"), which valid UTF-8 can never produce, and turns back into that byte.

const escapeBase = 0xdc00

// String.prototype.isWellFormed/toWellFormed exist in Node 20 but are ES2024 lib types (we target ES2023).
type WellFormed = { isWellFormed(): boolean; toWellFormed(): string }
const isWellFormed = (text: string): boolean => (text as unknown as WellFormed).isWellFormed()
const toWellFormed = (text: string): string => (text as unknown as WellFormed).toWellFormed()

/** The UTF-8 sequence length starting at `i`, or 0 when the byte there starts no valid sequence. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i]!
  if (b0 < 0x80) return 1
  const cont = (j: number, lo = 0x80, hi = 0xbf) => {
    const b = bytes[i + j]
    return b !== undefined && b >= lo && b <= hi
  }
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0 // no UTF-16 surrogates
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0
  return 0
}

let decoder: InstanceType<typeof TextDecoder> | undefined
const strictDecoder = () => (decoder ??= new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }))

/** Bytes → string; invalid bytes become lone surrogates U+DC80..U+DCFF. A BOM is kept as U+FEFF. */
export function decodeLossless(bytes: Uint8Array): string {
  try {
    return strictDecoder().decode(bytes)
  } catch {
    // not valid UTF-8: decode piece by piece below
  }
  const parts: string[] = []
  let start = 0
  let i = 0
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i)
    if (length > 0) {
      i += length
      continue
    }
    if (i > start) parts.push(strictDecoder().decode(bytes.subarray(start, i)))
    parts.push(String.fromCharCode(escapeBase + bytes[i]!))
    i += 1
    start = i
  }
  if (start < bytes.length) parts.push(strictDecoder().decode(bytes.subarray(start)))
  return parts.join("")
}

/** The inverse of decodeLossless (a plain Uint8Array). Other lone surrogates, never produced by it, become U+FFFD. */
export function encodeLossless(text: string): Uint8Array {
  if (isWellFormed(text)) return new TextEncoder().encode(text)
  const chunks: Uint8Array[] = []
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
    } else if (code < 0xdc00 || code > 0xdfff) {
      continue
    }
    // a lone surrogate at i
    chunks.push(Buffer.from(text.slice(start, i), "utf8"))
    chunks.push(code >= 0xdc80 && code <= 0xdcff ? Uint8Array.of(code - escapeBase) : Uint8Array.of(0xef, 0xbf, 0xbd))
    start = i + 1
  }
  chunks.push(Buffer.from(text.slice(start), "utf8"))
  return Uint8Array.from(Buffer.concat(chunks))
}

/** A string read from a text format as a tree leaf: raw bytes when it held invalid UTF-8. */
export function leafFromText(text: string): string | Uint8Array {
  return isWellFormed(text) ? text : encodeLossless(text)
}

/** A string or byte leaf as text to splice into output that is later encoded with encodeLossless. */
export function textFromLeaf(value: string | Uint8Array): string {
  return typeof value === "string" ? toWellFormed(value) : decodeLossless(value)
}

/** Replaces the escapes of invalid bytes by U+FFFD, one per byte, as Go's JSON decoder does. */
export function replaceInvalid(text: string): string {
  return toWellFormed(text)
}
