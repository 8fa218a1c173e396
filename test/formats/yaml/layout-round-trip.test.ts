// Layout mode: encrypting in place keeps the file's text except the values, and decrypting the
// result gives the original file back byte for byte (up to the listed, justified exceptions).
import { parseAllDocuments } from "yaml"
import { describe, expect, it } from "vitest"
import { store } from "../../../formats/yaml/index.js"
import { plaintextOf } from "../../../src/core/scalar.js"
import { Comment, isList, isMap, type TreeMap, type TreeValue } from "../../../src/core/tree.js"
import { fixtureFiles, readFixture } from "../../support/fixtures.js"

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8")

interface Leaf {
  get(): TreeValue | Comment
  set(value: TreeValue | Comment): void
}

/** Every scalar leaf and comment, in walk order. */
function leaves(value: TreeValue, out: Leaf[] = []): Leaf[] {
  if (isMap(value)) {
    for (const item of value.items) {
      if (item.key instanceof Comment) {
        out.push({ get: () => item.key as Comment, set: v => { item.key = v as Comment } })
      } else if (isMap(item.value) || isList(item.value)) {
        leaves(item.value, out)
      } else if (item.value !== null) {
        out.push({ get: () => item.value, set: v => { item.value = v as TreeValue } })
      }
    }
  } else if (isList(value)) {
    for (const item of value.items) {
      if (isMap(item.value) || isList(item.value)) leaves(item.value, out)
      else if (item.value !== null) out.push({ get: () => item.value, set: v => { item.value = v } })
    }
  }
  return out
}

let counter = 0
function carrier(type: string): string {
  counter++
  const data = Buffer.from(`value number ${counter}`).toString("base64")
  return `ENC[AES256_GCM,data:${data},iv:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,tag:AAECAwQFBgcICQoLDA0ODw==,type:${type}]`
}

const metadata: TreeMap = {
  kind: "map",
  items: [
    { key: "lastmodified", value: "2024-01-01T00:00:00Z" },
    { key: "mac", value: carrier("str") },
    { key: "version", value: "3.13.2" },
  ],
}

type Exception = { why: string; from: RegExp | string; to: string }
const folded: Exception = {
  why: "a folded scalar's line breaks are not in its value; it comes back as one folded line",
  from: "folded: >\n    folded text\n    continues here", to: "folded: >\n    folded text continues here",
}
const noFinalNewline: Exception = { why: "the file has no final newline; the sops block needs one, so it stays", from: /[^\n]$/, to: "$&\n" }
const floatThreePointZero: Exception = { why: "non-canonical float 3.0 is written as sops writes floats (3)", from: /(: |- )3\.0$/gm, to: "$13" }

/** Per-file differences between the original and its encrypted-then-decrypted copy. */
const exceptions: Record<string, Exception[]> = {
  "reference/plain/basic.yaml": [folded],
  "reference/plain/multi-recipient.yaml": [folded],
  "reference/plain/regex-unencrypted.yaml": [folded],
  "reference/plain/shamir.yaml": [folded],
  "reference/plain/suffix-encrypted.yaml": [folded],
  "reference/plain/typing.yaml": [
    { why: "non-canonical ints (0o17, 012, 0x1F, 0b101, 1_000, +5) come back in decimal", from: "0o17, 012, 0x1F, 0b101, 1_000, 9223372036854775807, -9223372036854775808, +5]", to: "15, 10, 31, 5, 1000, 9223372036854775807, -9223372036854775808, 5]" },
    { why: "floats come back in sops's %g form", from: "[0.1, 1.0, -0.0, 1e21, 1.5e-7, .inf, -.inf, .nan, 3.14159265358979, 100000000000000000000.0, 1e+3, 6.02e23, 0.000001, 123456789012345678.5]", to: "[0.1, 1, -0, 1e+21, 1.5e-07, .inf, -.inf, .nan, 3.14159265358979, 1e+20, 1000, 6.02e+23, 1e-06, 1.2345678901234568e+17]" },
    { why: "True/FALSE come back as true/false", from: "True, FALSE", to: "true, false" },
    { why: "in flow collections carriers are always double-quoted, so the original quoting is unknown: plain when safe, else double quotes", from: `'0x1F'`, to: `"0x1F"` },
    { why: "same: é is safe as a plain scalar", from: `"é"]`, to: "é]" },
  ],
  "sops-upstream/functional-tests/res/comments.yaml": [noFinalNewline],
  "sops-upstream/functional-tests/res/comments_list.yaml": [noFinalNewline],
}
for (const name of fixtureFiles("reference/plain/random")) {
  if (name.endsWith(".yaml")) exceptions[`reference/plain/random/${name}`] = [floatThreePointZero]
}

function expectedAfterRoundTrip(name: string, original: string): string {
  let expected = original
  for (const exception of exceptions[name] ?? []) {
    const next = expected.replace(exception.from, exception.to)
    // every listed exception must really occur, or the list is stale
    if (typeof exception.from === "string") expect(next, exception.why).not.toBe(expected)
    expected = next
  }
  return expected
}

const files = [
  ...fixtureFiles("reference/plain").filter(name => name.endsWith(".yaml")).map(name => `reference/plain/${name}`),
  ...fixtureFiles("reference/plain/random").filter(name => name.endsWith(".yaml")).map(name => `reference/plain/random/${name}`),
  ...["plainfile", "comments", "comments_list"].map(name => `sops-upstream/functional-tests/res/${name}.yaml`),
]

describe("YAML layout mode", () => {
  it.each(files)("encrypts %s in place and decrypts it back to the original", name => {
    const source = readFixture(name)
    const parsed = store.parse(source)
    const leafList = parsed.branches.flatMap(branch => leaves(branch))
    const originals = leafList.map(leaf => leaf.get())
    const carriers: string[] = []
    for (const leaf of leafList) {
      const value = leaf.get()
      if (value instanceof Comment) {
        const c = value.value === "" ? "" : carrier("comment")
        carriers.push(c)
        if (c !== "") leaf.set(new Comment(c, value.inline))
      } else if (value === "") {
        carriers.push("")
      } else {
        const c = carrier(plaintextOf(value as Exclude<TreeValue, null | TreeMap | { kind: "list" }>).type)
        carriers.push(c)
        leaf.set(c)
      }
    }

    const encrypted = text(store.emit(parsed.branches, { layout: parsed.layout, metadata }))
    expect(encrypted).toMatch(/(^|\n)sops:\n/)
    expect(encrypted).toContain("    mac: ENC[")

    // our parser reads every carrier back as the same string, in the same order (a carrier in a
    // `|` block gains the block's final newline, which sops's unanchored ENC regex ignores)
    const reparsed = store.parse(Buffer.from(encrypted))
    const leaves2 = reparsed.branches.flatMap(branch => leaves(branch))
    expect(leaves2.map(leaf => {
      const value = leaf.get()
      return value instanceof Comment ? value.value : typeof value === "string" ? value.replace(/\]\n$/, "]") : value
    })).toEqual(carriers)
    expect(isMap(reparsed.metadata)).toBe(true)

    // an independent YAML parser agrees that every ENC value is a string
    const docs = parseAllDocuments(encrypted)
    const strings: string[] = []
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      expect(doc.errors).toEqual([])
      const collect = (v: unknown): void => {
        if (typeof v === "string") strings.push(v)
        else if (Array.isArray(v)) v.forEach(collect)
        else if (v instanceof Map) for (const [k, x] of v) { if (k !== "sops") collect(x) }
        else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) { if (k !== "sops") collect(x) }
      }
      collect(doc.toJS({ mapAsMap: true }))
    }
    const trimmed = strings.map(s => s.replace(/\]\n$/, "]"))
    for (const c of carriers) if (c !== "" && !c.endsWith("type:comment]")) expect(trimmed).toContain(c)

    // put the original values back (as decryption would) and emit without metadata
    leaves2.forEach((leaf, i) => {
      const original = originals[i]!
      leaf.set(original instanceof Comment ? new Comment(original.value, false) : original)
    })
    const decrypted = text(store.emit(reparsed.branches, { layout: reparsed.layout }))
    expect(decrypted).toBe(expectedAfterRoundTrip(name, source.toString("utf8")))
  })
})
