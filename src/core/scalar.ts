// Typed scalars as sops stringifies them (spec §1.4): the canonical plaintext that is encrypted
// and hashed, its `type:` tag, parsing it back, and Go's float formats used by the stores.
import { isUtf8 as isValidUtf8 } from "node:buffer"
import { DecryptionError } from "./errors.js"
import { Comment, SopsTime, type Scalar } from "./tree.js"

export type ValueType = "str" | "int" | "float" | "bool" | "time" | "comment" | "bytes"

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n

/** Shortest round-trip digits and decimal exponent: x = 0.d1d2… × 10^(exp+1), i.e. d[0].d[1..] × 10^exp. */
function shortestDigits(x: number): { digits: string; exp: number } {
  const [mantissa, e] = Math.abs(x).toExponential().split("e") as [string, string]
  return { digits: mantissa.replace(".", ""), exp: Number(e) }
}

function positional(digits: string, exp: number): string {
  if (exp < 0) return `0.${"0".repeat(-exp - 1)}${digits}`
  if (digits.length <= exp + 1) return digits + "0".repeat(exp + 1 - digits.length)
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`
}

/** Go strconv.FormatFloat(x, 'f', -1, 64): never an exponent; what sops encrypts and hashes. */
export function formatFloatPlain(x: number): string {
  if (Number.isNaN(x)) return "NaN"
  if (x === Infinity) return "+Inf"
  if (x === -Infinity) return "-Inf"
  if (x === 0) return Object.is(x, -0) ? "-0" : "0"
  const { digits, exp } = shortestDigits(x)
  return (x < 0 ? "-" : "") + positional(digits, exp)
}

/** Go fmt %g (or %G) with shortest precision: what the YAML store (and, with `E`, ValToString) prints. */
export function formatFloatShortest(x: number, upper = false): string {
  if (Number.isNaN(x)) return "NaN"
  if (x === Infinity) return "+Inf"
  if (x === -Infinity) return "-Inf"
  if (x === 0) return Object.is(x, -0) ? "-0" : "0"
  const { digits, exp } = shortestDigits(x)
  const sign = x < 0 ? "-" : ""
  if (exp < -4 || exp >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
    const e = Math.abs(exp).toString().padStart(2, "0")
    return `${sign}${mantissa}${upper ? "E" : "e"}${exp < 0 ? "-" : "+"}${e}`
  }
  return sign + positional(digits, exp)
}

/** A float as the YAML store emits it (`.inf`, `-.inf`, `.nan`, else %g). */
export function formatFloatYaml(x: number): string {
  if (Number.isNaN(x)) return ".nan"
  if (x === Infinity) return ".inf"
  if (x === -Infinity) return "-.inf"
  return formatFloatShortest(x)
}

/** A float as Go's encoding/json writes it: JSON.stringify except -0. NaN/Inf are not representable. */
export function formatFloatJson(x: number): string {
  if (!Number.isFinite(x)) throw new DecryptionError(`json: unsupported value: ${formatFloatShortest(x)}`)
  if (Object.is(x, -0)) return "-0"
  return JSON.stringify(x)
}

/** sops's ValToString (dotenv, INI, exec-env): %G, with `.0` added to integral results. */
export function valToString(value: Scalar | null): string {
  if (value === null) return "<nil>"
  if (typeof value === "string") return value
  if (value instanceof Uint8Array) return Buffer.from(value).toString("latin1")
  if (typeof value === "bigint") return value.toString()
  if (typeof value === "boolean") return value ? "true" : "false"
  if (value instanceof SopsTime) return value.text.replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, "")
  const text = formatFloatShortest(value, true)
  return /[.EN]|Inf/.test(text) ? text : `${text}.0`
}

/** The sops type tag and canonical plaintext of a scalar (spec §1.4): what is encrypted and hashed. */
export function plaintextOf(value: Scalar): { type: ValueType; plaintext: Uint8Array } {
  if (typeof value === "string") return { type: "str", plaintext: Buffer.from(value, "utf8") }
  if (value instanceof Uint8Array) return { type: "str", plaintext: value }
  return { type: typeOf(value), plaintext: Buffer.from(canonicalText(value), "utf8") }
}

function typeOf(value: bigint | number | boolean | SopsTime): ValueType {
  if (typeof value === "bigint") return "int"
  if (typeof value === "number") return "float"
  if (typeof value === "boolean") return "bool"
  return "time"
}

/** Canonical text of a non-string scalar: ints decimal, floats Go 'f', bools True/False, times RFC 3339. */
export function canonicalText(value: bigint | number | boolean | SopsTime): string {
  if (typeof value === "bigint") return value.toString()
  if (typeof value === "number") return formatFloatPlain(value)
  if (typeof value === "boolean") return value ? "True" : "False"
  return value.text
}

/** The MAC input of a leaf: its canonical plaintext bytes. */
export function macBytes(value: Scalar): Uint8Array {
  return plaintextOf(value).plaintext
}

/** Go strconv.Atoi: optional sign, decimal digits, int64 range. */
export function parseGoInt(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  const value = BigInt(text)
  return value < INT64_MIN || value > INT64_MAX ? undefined : value
}

/** Go strconv.ParseFloat(s, 64): decimal and hex floats, underscores only between digits with a base prefix, inf/nan words. */
export function parseGoFloat(text: string): number | undefined {
  const lower = text.toLowerCase()
  const special: Record<string, number> = {
    inf: Infinity, "+inf": Infinity, "-inf": -Infinity, infinity: Infinity, "+infinity": Infinity,
    "-infinity": -Infinity, nan: NaN,
  }
  if (lower in special) return special[lower]
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text)
  if (/^[+-]?0x([0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)p[+-]?\d+$/i.test(text)) {
    const m = /^([+-]?)0x([0-9a-f]*)\.?([0-9a-f]*)p([+-]?\d+)$/i.exec(text)!
    const int = m[2] ? parseInt(m[2], 16) : 0
    const frac = m[3] ? parseInt(m[3], 16) / 16 ** m[3].length : 0
    return (m[1] === "-" ? -1 : 1) * (int + frac) * 2 ** Number(m[4])
  }
  return undefined
}

/** Go strconv.ParseBool. */
export function parseGoBool(text: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false
  return undefined
}

/** Parse decrypted plaintext back into a scalar of the stored type (spec §1.4, last column). */
export function parsePlaintext(type: string, plaintext: Uint8Array): Scalar | Comment {
  const text = () => (Buffer.isBuffer(plaintext) ? plaintext : Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength)).toString("utf8")
  switch (type) {
    case "str":
      return isUtf8(plaintext) ? text() : plaintext
    case "bytes":
      return plaintext
    case "comment":
      return new Comment(text())
    case "int": {
      const value = parseGoInt(text())
      if (value === undefined) throw new DecryptionError(`Error decrypting tree: strconv.Atoi: parsing value: invalid syntax`)
      return value
    }
    case "float": {
      const value = parseGoFloat(text())
      if (value === undefined) throw new DecryptionError(`Error decrypting tree: strconv.ParseFloat: parsing value: invalid syntax`)
      return value
    }
    case "bool": {
      const value = parseGoBool(text())
      if (value === undefined) throw new DecryptionError(`Error decrypting tree: strconv.ParseBool: parsing value: invalid syntax`)
      return value
    }
    case "time": {
      const value = parseRfc3339(text())
      if (value === undefined) throw new DecryptionError(`Error decrypting tree: cannot parse time value`)
      return value
    }
    default:
      throw new DecryptionError(`Error decrypting tree: Unknown datatype: ${type}`)
  }
}

/** Whether bytes are valid UTF-8 (what a fatal TextDecoder accepts), without decoding them. */
export function isUtf8(bytes: Uint8Array): boolean {
  return isValidUtf8(bytes)
}

/**
 * A timestamp in canonical RFC 3339 form (Go time.RFC3339Nano): nanoseconds with trailing zeros
 * trimmed, `Z` for a zero offset. Accepts the forms yaml.v3 resolves as timestamps (spec §1.4):
 * `YYYY-M-D[Tt ]h:m:s[.frac][Z|±hh:mm]` (no zone: UTC) and `YYYY-M-D`.
 */
export function parseTimestamp(text: string): SopsTime | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d*))?(?:[ \t]*(Z|[+-]\d{1,2}(?::?\d{2})?))?)?$/.exec(text)
  if (!m) return undefined
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = m
  return timeFromParts(y!, mo!, d!, h, mi, s, frac, zone)
}

/** RFC 3339 as Go's time.Parse(time.RFC3339) accepts it, canonicalised like parseTimestamp. */
export function parseRfc3339(text: string): SopsTime | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})$/.exec(text)
  if (!m) return undefined
  const [, y, mo, d, h, mi, s, frac = "", zone] = m
  return timeFromParts(y!, mo!, d!, h!, mi!, s!, frac, zone!.toUpperCase())
}

function timeFromParts(y: string, mo: string, d: string, h: string, mi: string, s: string, frac: string, zone: string): SopsTime | undefined {
  const nums = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number]
  const [year, month, day, hour, minute, second] = nums
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined
  const probe = new Date(Date.UTC(year, month - 1, day))
  if (probe.getUTCDate() !== day) return undefined
  const pad = (n: number, w = 2) => n.toString().padStart(w, "0")
  const nanos = frac.slice(0, 9).replace(/0+$/, "")
  let offset = "Z"
  if (zone !== "Z") {
    const z = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(zone)
    if (!z) return undefined
    const oh = Number(z[2])
    const om = Number(z[3] ?? "0")
    offset = oh === 0 && om === 0 ? "Z" : `${z[1]}${pad(oh)}:${pad(om)}`
  }
  return new SopsTime(
    `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${nanos ? `.${nanos}` : ""}${offset}`,
  )
}
