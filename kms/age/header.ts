// The age v1 header (C2SP age spec, "Header"): version line, stanzas (`-> type args…` + base64 body in 64-column
// lines, the last one short), `---` and the HMAC. Parsed as strictly as typage, whose acceptance tsops must match.
import { base64nopad } from "@scure/base"
import { concatBytes, equalBytes, hkdfSha256, hmacSha256 } from "./primitives.js"

const versionLine = "age-encryption.org/v1"
const bodyLineBytes = 48 // 64 base64 characters

/** One recipient stanza: its arguments (the type first) and its raw body. */
export interface Stanza {
  readonly args: readonly string[]
  readonly body: Uint8Array
}

/** Wraps a 16-byte file key into stanzas (typage's Recipient shape, so its SSH recipients fit too). */
export interface Recipient {
  wrapFileKey(fileKey: Uint8Array): Stanza[] | Promise<Stanza[]>
}

/**
 * Unwraps the file key from the stanzas it recognises: null when none is for it, a throw when one of its stanzas is
 * malformed or fails in a way that is not "another key" (typage's Identity shape).
 */
export interface Identity {
  unwrapFileKey(stanzas: readonly Stanza[]): Uint8Array | null | Promise<Uint8Array | null>
}

export interface AgeHeader {
  readonly stanzas: readonly Stanza[]
  /** The header through its MAC line's newline, as a detached header for typage's decryptHeader. */
  readonly bytes: Uint8Array
  /** What the MAC covers: the header up to and including `---`. */
  readonly signed: Uint8Array
  readonly mac: Uint8Array
  /** Everything after the header: the payload nonce and the STREAM chunks. */
  readonly payload: Uint8Array
}

/** Parses the header of a binary age file. Throws a plain Error for any malformation (typage's messages). */
export function parseHeader(file: Uint8Array): AgeHeader {
  const lines = new LineReader(file)
  const version = lines.next()
  if (version !== versionLine) throw new Error(`invalid version ${version ?? "line"}`)
  const stanzas: Stanza[] = []
  for (;;) {
    const lineStart = lines.offset
    const line = lines.next()
    if (line === null) throw new Error("invalid stanza")
    const args = line.split(" ")
    if (args.length >= 2 && args[0] === "->") {
      stanzas.push({ args: args.slice(1), body: readBody(lines, args.slice(1)) })
      continue
    }
    if (!line.startsWith("--- ")) throw new Error("invalid header")
    const mac = base64nopad.decode(line.slice(4))
    return {
      stanzas,
      bytes: file.subarray(0, lines.offset),
      signed: file.subarray(0, lineStart + 3),
      mac,
      payload: file.subarray(lines.offset),
    }
  }
}

function readBody(lines: LineReader, args: readonly string[]): Uint8Array {
  if (args.some(arg => arg === "")) throw new Error("invalid stanza")
  const parts: Uint8Array[] = []
  for (;;) {
    const line = lines.next()
    if (line === null) throw new Error("invalid stanza")
    // Canonical unpadded base64 only (scure rejects non-zero trailing bits), as typage and age.
    const part = base64nopad.decode(line)
    if (part.length > bodyLineBytes) throw new Error("invalid stanza")
    parts.push(part)
    if (part.length < bodyLineBytes) return concatBytes(...parts)
  }
}

// Lines end at "\n" only; a complete line must be printable ASCII (so a CR is refused), an unterminated one is EOF.
class LineReader {
  readonly #file: Uint8Array
  #at = 0

  constructor(file: Uint8Array) {
    this.#file = file
  }

  get offset(): number {
    return this.#at
  }

  next(): string | null {
    const end = this.#file.indexOf(0x0a, this.#at)
    if (end < 0) return null
    let text = ""
    for (let i = this.#at; i < end; i++) {
      const byte = this.#file[i]!
      if (byte < 32 || byte > 126) throw new Error("invalid non-ASCII byte in header")
      text += String.fromCharCode(byte)
    }
    this.#at = end + 1
    return text
  }
}

/** The header's text up to `---`: stanza bodies in 48-byte lines, an empty line when a body fills its last line. */
export function encodeHeaderNoMac(stanzas: readonly Stanza[]): Uint8Array {
  const lines = [`${versionLine}\n`]
  for (const stanza of stanzas) {
    lines.push(`-> ${stanza.args.join(" ")}\n`)
    for (let at = 0; at < stanza.body.length; at += bodyLineBytes) {
      lines.push(`${base64nopad.encode(stanza.body.subarray(at, at + bodyLineBytes))}\n`)
    }
    if (stanza.body.length % bodyLineBytes === 0) lines.push("\n")
  }
  lines.push("---")
  return new TextEncoder().encode(lines.join(""))
}

/** The whole header for `fileKey`: the stanzas, `---` and the MAC line. */
export function encodeHeader(stanzas: readonly Stanza[], fileKey: Uint8Array): Uint8Array {
  const signed = encodeHeaderNoMac(stanzas)
  return concatBytes(signed, new TextEncoder().encode(` ${base64nopad.encode(headerMac(fileKey, signed))}\n`))
}

/** Throws typage's error when the header MAC does not match the file key. */
export function verifyHeaderMac(header: AgeHeader, fileKey: Uint8Array): void {
  if (!equalBytes(header.mac, headerMac(fileKey, header.signed))) throw new Error("invalid header HMAC")
}

function headerMac(fileKey: Uint8Array, signed: Uint8Array): Uint8Array {
  return hmacSha256(hkdfSha256(fileKey, new Uint8Array(0), "header"), signed)
}
