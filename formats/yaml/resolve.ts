// yaml.v3 scalar typing (spec §1.4): which plain scalars are ints, floats, bools, nulls,
// timestamps, and how explicit tags change that. Only the YAML store needs these rules.
import { parseGoFloat, parseTimestamp } from "../../src/core/scalar.js"
import type { Scalar, SopsTime } from "../../src/core/tree.js"

/** An integer in [2^63, 2^64): yaml.v3 makes it a Go uint64, which sops cannot walk. */
export class Uint64Value {
  readonly value: bigint
  constructor(value: bigint) {
    this.value = value
  }
}

export type Resolved = Scalar | null | Uint64Value

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const UINT64_MAX = 2n ** 64n - 1n

const specials = new Map<string, [string, Resolved]>([
  ...["true", "True", "TRUE"].map(s => [s, ["!!bool", true]] as [string, [string, Resolved]]),
  ...["false", "False", "FALSE"].map(s => [s, ["!!bool", false]] as [string, [string, Resolved]]),
  ...["", "~", "null", "Null", "NULL"].map(s => [s, ["!!null", null]] as [string, [string, Resolved]]),
  ...[".nan", ".NaN", ".NAN"].map(s => [s, ["!!float", NaN]] as [string, [string, Resolved]]),
  ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map(s => [s, ["!!float", Infinity]] as [string, [string, Resolved]]),
  ...["-.inf", "-.Inf", "-.INF"].map(s => [s, ["!!float", -Infinity]] as [string, [string, Resolved]]),
  ["<<", ["!!merge", "<<"]],
])

const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/

/** Go strconv.ParseInt/ParseUint with base 0 (sign allowed for ParseInt only). */
function parseGoIntBase0(text: string, signed: boolean): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(text)
  if (!m) return undefined
  if (!signed && m[1] !== "") return undefined
  const body = m[2]!
  let magnitude: bigint
  if (/^0[oO]/.test(body)) magnitude = BigInt(`0o${body.slice(2)}`)
  else if (/^0[0-7]+$/.test(body)) magnitude = BigInt(`0o${body.slice(1)}`)
  else magnitude = BigInt(body)
  const value = m[1] === "-" ? -magnitude : magnitude
  if (signed) return value >= INT64_MIN && value <= INT64_MAX ? value : undefined
  return value <= UINT64_MAX ? value : undefined
}

/** Go strconv.ParseFloat, failing on overflow as Go does (ErrRange). */
function parseFloatStrict(text: string): number | undefined {
  const value = parseGoFloat(text)
  if (value === undefined) return undefined
  if (!Number.isFinite(value) && !/inf/i.test(text)) return undefined
  return value
}

/**
 * yaml.v3 timestamps: "2006-1-2T15:4:5.999999999Z07:00" (T or t), "2006-1-2 15:4:5.999999999"
 * and "2006-1-2" as Go's time.Parse reads them (1–2 digit fields, optional fraction, strict zone).
 */
const timestampForms = /^(\d{4})-(\d\d?)-(\d\d?)(?:([Tt])(\d\d?):(\d\d?):(\d\d?)(?:[.,](\d+))?(Z|[+-]\d\d:\d\d)| (\d\d?):(\d\d?):(\d\d?)(?:[.,](\d+))?)?$/

const pad = (field: string): string => field.padStart(2, "0")

export function parseYamlTimestamp(text: string): SopsTime | undefined {
  const m = timestampForms.exec(text)
  if (!m) return undefined
  const [, y, mo, d] = m
  if (m[4] !== undefined) {
    if (Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) > 59) return undefined
    return parseTimestamp(`${y}-${mo}-${d}T${m[5]}:${pad(m[6]!)}:${pad(m[7]!)}${m[8] ? `.${m[8]}` : ""}${m[9]}`)
  }
  if (m[10] !== undefined) {
    if (Number(m[10]) > 23 || Number(m[11]) > 59 || Number(m[12]) > 59) return undefined
    return parseTimestamp(`${y}-${mo}-${d}T${m[10]}:${pad(m[11]!)}:${pad(m[12]!)}${m[13] ? `.${m[13]}` : ""}Z`)
  }
  return parseTimestamp(`${y}-${mo}-${d}`)
}

/** yaml.v3 `resolve(tag, in)` for the tags it can resolve ("" = implicit). Returns [tag, value]. */
export function resolve(tag: string, text: string): [string, Resolved] {
  if (tag !== "" && !["!!str", "!!bool", "!!int", "!!float", "!!null", "!!timestamp"].includes(tag)) return [tag, text]
  const [rtag, value] = resolveImplicit(text, tag)
  if (tag === "" || tag === rtag || tag === "!!str") return [rtag, value]
  if (tag === "!!float" && rtag === "!!int" && typeof value === "bigint") return ["!!float", Number(value)]
  throw new TagMismatch()
}

/** A value that does not fit its explicit tag: yaml.v3's Decode fails and sops keeps a null. */
export class TagMismatch extends Error {}

function resolveImplicit(text: string, tag: string): [string, Resolved] {
  // yaml.v3 looks at the first byte to pick a rule; "" counts as a lookup ("null").
  const c = text === "" ? "~" : text[0]!
  const hint = c === "+" || c === "-" ? "S" : c >= "0" && c <= "9" ? "D" : "yYnNtTfFoO~".includes(c) ? "M" : c === "." ? "." : ""
  if (hint === "" || tag === "!!str") return ["!!str", text]
  const special = specials.get(text)
  if (special !== undefined) return special
  if (hint === ".") {
    const f = parseFloatStrict(text)
    if (f !== undefined) return ["!!float", f]
  } else if (hint === "D" || hint === "S") {
    if (tag === "" || tag === "!!timestamp") {
      const t = parseYamlTimestamp(text)
      if (t !== undefined) return ["!!timestamp", t]
    }
    const plain = text.replaceAll("_", "")
    const int = parseGoIntBase0(plain, true)
    if (int !== undefined) return ["!!int", int]
    const uint = parseGoIntBase0(plain, false)
    if (uint !== undefined) return ["!!int", new Uint64Value(uint)]
    if (yamlStyleFloat.test(plain)) {
      const f = parseFloatStrict(plain)
      if (f !== undefined) return ["!!float", f]
    }
  }
  return ["!!str", text]
}

/** The tag yaml.v3 gives an untagged plain scalar (Node.Tag). */
export function resolvePlainTag(text: string): string {
  return resolveImplicit(text, "")[0]
}

/** Go base64.StdEncoding.DecodeString: padded standard alphabet, CR/LF ignored. */
export function decodeGoBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\r\n]/g, "")
  if (clean.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return undefined
  return new Uint8Array(Buffer.from(clean, "base64"))
}
