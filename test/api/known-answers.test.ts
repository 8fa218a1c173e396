// Deterministic known-answer files of spec §11.3: fed the same data key, IVs and lastmodified,
// tsops writes the identical file byte for byte, except the age `enc` (random in age).
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { decrypt, encrypt } from "../../src/index.js"
import { fixturesRoot } from "../support/fixtures.js"

const spec = readFileSync(`${fixturesRoot}/../spec/sops-format.md`, "utf8")

/** The first fenced block after `marker` in the spec. */
function block(marker: string, from = 0): string {
  const at = spec.indexOf(marker, from)
  if (at === -1) throw new Error(`marker not in spec: ${marker}`)
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(spec.slice(at))
  if (!m) throw new Error(`no block after ${marker}`)
  return m[1]!
}

const dataKey = Uint8Array.from({ length: 32 }, (_, i) => i)
const now = new Date("2024-01-01T00:00:00Z")
const recipient = "age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun"
const mockIdentity = "AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7"
const env = { HOME: "/nonexistent", SOPS_AGE_KEY: mockIdentity }

/** IVs by AAD and plaintext, as the spec's tables give them; the MAC's by its AAD (lastmodified). */
function ivSource(table: Record<string, number>) {
  return (plaintext: Uint8Array, aad: string): Uint8Array => {
    const byte = table[`${aad}|${Buffer.from(plaintext).toString("latin1")}`] ?? table[aad]
    if (byte === undefined) throw new Error(`no IV in the table for AAD ${aad}`)
    return new Uint8Array(32).fill(byte)
  }
}

/** The age `enc` is random; everything else must match. */
const withoutAgeEnc = (text: string) =>
  text.replace(/-----BEGIN AGE ENCRYPTED FILE-----[\s\S]*?-----END AGE ENCRYPTED FILE-----(\\n)?/g, "<age enc>")

const yamlIvs = {
  ":| top comment": 1, "foo:bar:|hello": 2, "num:|42": 3, "pi:|3.14": 4, "ok:|True": 5, "list:|a": 6, "list:|1": 7,
  "2024-01-01T00:00:00Z": 8,
}

const cases: { name: string; filename: string; plain: () => string | Buffer; expected: () => string; ivs: Record<string, number> }[] = [
  { name: "YAML", filename: "kat.yaml", plain: () => block("Decrypted output (byte-exact)"), expected: () => block("**YAML KAT**"), ivs: yamlIvs },
  {
    name: "JSON", filename: "kat.json", ivs: yamlIvs, expected: () => block("The same encrypted tree re-emitted by sops's JSON store"),
    plain: () => '{\n\t"foo": {\n\t\t"bar": "hello"\n\t},\n\t"num": 42,\n\t"pi": 3.14,\n\t"ok": true,\n\t"list": [\n\t\t"a",\n\t\t1\n\t],\n\t"secret_unencrypted": "visible"\n}\n',
  },
  {
    name: "dotenv", filename: "kat.env", plain: () => block("Decrypted (byte-exact)", spec.indexOf("**dotenv KAT**")), expected: () => block("**dotenv KAT**"),
    ivs: { ":| a comment": 0x11, "FOO:|hello": 0x12, "MULTI:|line1\nline2": 0x13, "2024-01-01T00:00:00Z": 0x14 },
  },
  {
    name: "INI", filename: "kat.ini", plain: () => block("Decrypted (byte-exact)", spec.indexOf("**INI KAT**")), expected: () => block("**INI KAT**"),
    ivs: { "sec:|section comment": 0x21, "sec:key:|value": 0x22, "sec:number:|42": 0x23, "2024-01-01T00:00:00Z": 0x24 },
  },
  {
    name: "binary", filename: "kat.bin", plain: () => Buffer.from([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xff, 0x0a]), expected: () => block("**binary KAT**"),
    ivs: { "data:|hello\xff\n": 0x31, "2024-01-01T00:00:00Z": 0x32 },
  },
]

describe("spec §11.3 known-answer files", () => {
  it.each(cases)("encrypts the $name KAT plaintext into the KAT file byte for byte (age enc aside)", async c => {
    const out = await encrypt(c.plain(), { filename: c.filename, age: recipient, dataKey, ivSource: ivSource(c.ivs), now, env, config: false })
    expect(withoutAgeEnc(Buffer.from(out).toString("latin1"))).toBe(withoutAgeEnc(c.expected()))
  })

  it.each(cases)("decrypts the $name KAT file to its plaintext", async c => {
    const out = await decrypt(c.expected(), { filename: c.filename, env, config: false })
    expect(Buffer.from(out).equals(Buffer.from(c.plain() as string, typeof c.plain() === "string" ? "utf8" : undefined))).toBe(true)
  })
})
