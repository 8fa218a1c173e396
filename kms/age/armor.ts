// age's ASCII armor (C2SP age spec, "ASCII armor"): a strict PEM subset, `-----BEGIN AGE ENCRYPTED FILE-----`, padded
// base64 in 64-column lines (the last one shorter, a multiple of 4), the END line. Only surrounding whitespace and CRLF
// line ends are tolerated, exactly as typage and the Go armor reader.
import { base64 } from "@scure/base"

const begin = "-----BEGIN AGE ENCRYPTED FILE-----"
const end = "-----END AGE ENCRYPTED FILE-----"
const lineBytes = 48 // 64 base64 characters

/** The ASCII armor of an `enc` (or of an identities file) is malformed. */
export class ArmorError extends Error {}

/** Decodes age's ASCII armor. Throws ArmorError ("invalid armor: …", the same reasons typage gives). */
export function decodeArmor(text: string): Uint8Array {
  try {
    return decode(text)
  } catch (error) {
    throw new ArmorError(`invalid armor: ${error instanceof Error ? error.message : String(error)}`)
  }
}

function decode(text: string): Uint8Array {
  const lines = text.trim().replaceAll("\r\n", "\n").split("\n")
  if (lines.shift() !== begin) throw new Error("invalid header")
  if (lines.pop() !== end) throw new Error("invalid footer")
  const last = lines.length - 1
  const lengthOk = (line: string, index: number): boolean =>
    index === last ? line.length > 0 && line.length <= 64 && line.length % 4 === 0 : line.length === 64
  if (!lines.every(lengthOk)) throw new Error("invalid line length")
  if (!lines.every(line => /^[A-Za-z0-9+/=]+$/.test(line))) throw new Error("invalid base64")
  // scure's padded decoder refuses padding in the middle and non-zero trailing bits, as typage does (same decoder).
  return base64.decode(lines.join(""))
}

/** Encodes canonical armor: 64-character base64 lines, ending with a newline (spec §6.1). */
export function encodeArmor(file: Uint8Array): string {
  const lines = [begin]
  for (let at = 0; at < file.length; at += lineBytes) {
    lines.push(Buffer.from(file.buffer, file.byteOffset + at, Math.min(lineBytes, file.length - at)).toString("base64"))
  }
  lines.push(end, "")
  return lines.join("\n")
}
