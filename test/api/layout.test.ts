// Layout (issue 2 acceptance): decrypt(encrypt(file)) equals the file byte for byte for every YAML
// and JSON file under reference/plain/, except the cases the README lists — non-canonical typed
// scalars (spec §1.4), scalars inside flow collections (requoted), folded scalars (unfolded) and
// JSON spellings (number forms, string escapes) — each checked to be exactly such a case.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { decrypt, encrypt } from "../../src/index.js"
import { fixturePath, readFixture } from "../support/fixtures.js"

const recipientA = "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7"
const env = { HOME: "/nonexistent", SOPS_AGE_KEY: readFixture("reference/keys/age-a.txt").toString() }
const root = fixturePath("reference/plain")
const names = [
  ...readdirSync(root).filter(n => statSync(`${root}/${n}`).isFile()),
  ...readdirSync(`${root}/random`).map(n => `random/${n}`),
].filter(n => /\.(ya?ml|json)$/.test(n)).sort()

type Hunk = { removed: string[]; added: string[] }

/** Line diff (LCS); files here are small. */
function hunks(a: string[], b: string[]): Hunk[] {
  const n = a.length, m = b.length
  const lcs = Array.from({ length: n + 1 }, () => new Int32Array(m + 1))
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
  const out: Hunk[] = []
  let i = 0, j = 0, current: Hunk | undefined
  const flush = () => { if (current) out.push(current); current = undefined }
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { flush(); i++; j++; continue }
    current ??= { removed: [], added: [] }
    if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) current.added.push(b[j++]!)
    else current.removed.push(a[i++]!)
  }
  flush()
  return out
}

const TOKEN = /"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s,[\]{}:]+(?::[^\s,[\]{}]+)*/g
const yamlNumber = (t: string): number | bigint | undefined => {
  const s = t.replace(/_/g, "")
  if (/^[-+]?(0x[0-9a-f]+|0o[0-7]+|0b[01]+|0[0-7]*|[1-9][0-9]*)$/i.test(s)) {
    const sign = s.startsWith("-") ? -1n : 1n
    const body = s.replace(/^[-+]/, "")
    const octal = /^0[0-7]+$/.test(body) ? `0o${body.slice(1)}` : body
    return sign * BigInt(octal)
  }
  if (/^[-+]?(\.\d+|\d+(\.\d*)?)(e[-+]?\d+)?$/i.test(s)) return Number(s)
  if (/^[-+]?\.inf$/i.test(s)) return s.startsWith("-") ? -Infinity : Infinity
  if (/^\.nan$/i.test(s)) return NaN
  return undefined
}
const unquote = (t: string): string => {
  if (t.startsWith('"')) return JSON.parse(t) as string
  if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'")
  return t
}

/** Why two tokens at the same place may differ; undefined when they may not. */
function sameValue(original: string, output: string, inFlow: boolean): string | undefined {
  const a = yamlNumber(original), b = yamlNumber(output)
  if (a !== undefined && b !== undefined && (Number(a) === Number(b) || (Number.isNaN(Number(a)) && Number.isNaN(Number(b))))) return "non-canonical number"
  if (/^(true|false)$/i.test(original) && original.toLowerCase() === output) return "non-canonical bool"
  if (/^["\d-]/.test(original) && original.startsWith('"') && output.startsWith('"')) {
    try { if (JSON.parse(original) === JSON.parse(output)) return "JSON string escapes" } catch { /* not JSON */ }
  }
  if (inFlow && unquote(original) === unquote(output)) return "flow collection scalar requoted"
  return undefined
}

function explain(hunk: Hunk): string | undefined {
  // A folded scalar's lines come back joined into one (README: folded scalars are unfolded).
  if (hunk.added.length === 1 && hunk.removed.length > 1) {
    const joined = hunk.removed.map(l => l.trim()).join(" ")
    if (hunk.added[0]!.trim() === joined) return "folded scalar unfolded"
  }
  if (hunk.added.length !== hunk.removed.length) return undefined
  for (let k = 0; k < hunk.added.length; k++) {
    const before = hunk.removed[k]!, after = hunk.added[k]!
    const inFlow = /[[{]/.test(before)
    const x = before.match(TOKEN) ?? [], y = after.match(TOKEN) ?? []
    if (x.length !== y.length) return undefined
    for (let t = 0; t < x.length; t++) if (x[t] !== y[t] && !sameValue(x[t]!, y[t]!, inFlow)) return undefined
    if (before.replace(TOKEN, "") !== after.replace(TOKEN, "")) return undefined
  }
  return "typed scalars / flow scalars / JSON spellings"
}

describe("decrypt(encrypt(file)) keeps the layout", () => {
  it.each(names)("%s", async name => {
    const input = readFileSync(`${root}/${name}`)
    const encrypted = Buffer.from(await encrypt(input, { filename: name, age: recipientA, env, config: false })).toString()
    expect(encrypted).toMatch(name.endsWith(".json") ? /\n\s+"sops": {/ : /\nsops:\n/)
    expect(encrypted).toContain(name.endsWith(".json") ? '"mac": "ENC[' : "\n    mac: ENC[")
    const output = Buffer.from(await decrypt(encrypted, { filename: name, env, config: false })).toString()
    const unexplained = hunks(input.toString().split("\n"), output.split("\n")).filter(h => !explain(h))
    expect(unexplained).toEqual([])
  })

  it("gives back files without such cases byte for byte", async () => {
    for (const name of ["k8s-secret.yaml", "multidoc.yaml"]) {
      const input = readFixture("reference/plain", name)
      const encrypted = await encrypt(input, { filename: name, age: recipientA, env, config: false })
      expect(Buffer.from(await decrypt(encrypted, { filename: name, env, config: false })).equals(input)).toBe(true)
    }
  })
})
