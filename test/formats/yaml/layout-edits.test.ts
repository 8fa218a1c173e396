// Layout mode edge cases: carriers in every scalar style, documents without content, the sops
// block replaced or removed, entries added and removed (set/unset), aliases.
import { describe, expect, it } from "vitest"
import { store } from "../../../formats/yaml/index.js"
import { Comment, isList, isMap, type TreeMap, type TreeValue } from "../../../src/core/tree.js"
import { readFixture } from "../../support/fixtures.js"

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8")
const enc = (n: number, type = "str") => `ENC[AES256_GCM,data:${Buffer.from(`v${n}`).toString("base64")},iv:AA==,tag:AA==,type:${type}]`
const metadata: TreeMap = { kind: "map", items: [{ key: "mac", value: enc(0) }, { key: "version", value: "3.13.2" }] }
const sopsBlock = `sops:\n    mac: ${enc(0)}\n    version: 3.13.2\n`

/** Replace every scalar and comment by a carrier (n = walk order), returning the originals. */
function encryptAll(value: TreeValue, originals: (TreeValue | Comment)[] = []): (TreeValue | Comment)[] {
  if (isMap(value)) {
    for (const item of value.items) {
      if (item.key instanceof Comment) {
        originals.push(item.key)
        item.key = new Comment(enc(originals.length, "comment"), item.key.inline)
      } else if (isMap(item.value) || isList(item.value)) encryptAll(item.value, originals)
      else if (item.value !== null) {
        originals.push(item.value)
        item.value = enc(originals.length)
      }
    }
  } else if (isList(value)) {
    for (const item of value.items) {
      if (item.value instanceof Comment) {
        originals.push(item.value)
        item.value = new Comment(enc(originals.length, "comment"), item.value.inline)
      } else if (isMap(item.value) || isList(item.value)) encryptAll(item.value, originals)
      else if (item.value !== null) {
        originals.push(item.value)
        item.value = enc(originals.length)
      }
    }
  }
  return originals
}

/** Put originals back by carrier number (what decryption does). */
function decryptAll(value: TreeValue, originals: (TreeValue | Comment)[]): void {
  const original = (s: string): TreeValue | Comment => {
    const n = Number(Buffer.from(/data:([^,]+)/.exec(s)![1]!, "base64").toString().slice(1))
    return originals[n - 1]!
  }
  if (isMap(value)) {
    for (const item of value.items) {
      if (item.key instanceof Comment) item.key = original(item.key.value) as Comment
      else if (isMap(item.value) || isList(item.value)) decryptAll(item.value, originals)
      else if (typeof item.value === "string" && item.value.startsWith("ENC[")) item.value = original(item.value) as TreeValue
    }
  } else if (isList(value)) {
    for (const item of value.items) {
      if (isMap(item.value) || isList(item.value)) decryptAll(item.value, originals)
      else if (typeof item.value === "string" && item.value.startsWith("ENC[")) item.value = original(item.value)
    }
  }
}

function encryptText(source: string): { encrypted: string; originals: (TreeValue | Comment)[] } {
  const parsed = store.parse(Buffer.from(source))
  const originals: (TreeValue | Comment)[] = []
  for (const branch of parsed.branches) encryptAll(branch, originals)
  return { encrypted: text(store.emit(parsed.branches, { layout: parsed.layout, metadata })), originals }
}

function decryptText(encrypted: string, originals: (TreeValue | Comment)[]): string {
  const parsed = store.parse(Buffer.from(encrypted))
  for (const branch of parsed.branches) decryptAll(branch, originals)
  return text(store.emit(parsed.branches, { layout: parsed.layout }))
}

describe("YAML layout mode: carriers keep the scalar's style", () => {
  const cases: [string, string, string][] = [
    ["plain", "a: x\n", `a: ${enc(1)}\n`],
    ["double-quoted", 'a: "x"\n', `a: "${enc(1)}"\n`],
    ["single-quoted", "a: 'x'\n", `a: '${enc(1)}'\n`],
    ["literal", "a: |\n  x\n  y\n", `a: |\n  ${enc(1)}\n`],
    ["literal strip", "a: |-\n  x\n  y\n", `a: |-\n  ${enc(1)}\n`],
    // the empty line belongs to a keep block's value, so the carrier replaces it too
    ["literal keep", "a: |+\n  x\n\n", `a: |+\n  ${enc(1)}\n`],
    // content at the block's indentation (2), so the carrier has no leading spaces
    ["literal with indentation indicator", "a: |2\n    x\n", `a: |2\n  ${enc(1)}\n`],
    ["folded", "a: >-\n  x\n  y\nb: 1\n", `a: >-\n  ${enc(1)}\nb: ${enc(2)}\n`],
    ["flow sequence", "a: [x, 'y, z']\n", `a: ["${enc(1)}", "${enc(2)}"]\n`],
    ["flow mapping", "a: {k: v}\n", `a: {k: "${enc(1)}"}\n`],
    ["inline comment", "a: x # note\n", `a: ${enc(2)} #${enc(1, "comment")}\n`],
    ["anchor", "a: &x v\n", `a: &x ${enc(1)}\n`],
    ["tag dropped", "a: !!str 12\n", `a: ${enc(1)}\n`],
    ["multi-line plain", "a: one\n  two\nb: 2\n", `a: ${enc(1)}\nb: ${enc(2)}\n`],
  ]
  it.each(cases)("%s", (_, source, body) => {
    const { encrypted, originals } = encryptText(source)
    expect(encrypted).toBe(body + sopsBlock)
    // and back: identical except where the original layout cannot be recovered
    const decrypted = decryptText(encrypted, originals)
    if (_ === "folded") expect(decrypted).toBe("a: >-\n  x y\nb: 1\n") // one folded line: stays folded
    else if (_ === "tag dropped") expect(decrypted).toBe('a: "12"\n')
    else if (_ === "multi-line plain") expect(decrypted).toBe("a: one two\nb: 2\n")
    else if (_ === "flow sequence") expect(decrypted).toBe('a: [x, "y, z"]\n')
    else expect(decrypted).toBe(source)
  })
})

describe("YAML layout mode: documents and the sops block", () => {
  it("writes sops: under a document that is just ---", () => {
    expect(encryptText("---\n").encrypted).toBe(`---\n${sopsBlock}`)
  })

  it("replaces a top-level {} by the sops block", () => {
    expect(encryptText("{}\n").encrypted).toBe(sopsBlock)
  })

  it("appends the block to every document, after trailing comments and before the next ---", () => {
    const { encrypted } = encryptText("a: 1\n# tail\n---\nb: 2")
    expect(encrypted).toBe(`a: ${enc(1)}\n#${enc(2, "comment")}\n${sopsBlock}---\nb: ${enc(3)}\n${sopsBlock}`)
  })

  it("indents the block like the document's top-level keys", () => {
    expect(encryptText("  a: 1\n").encrypted).toBe(`  a: ${enc(1)}\n  sops:\n      mac: ${enc(0)}\n      version: 3.13.2\n`)
  })

  it("replaces the existing block when re-encrypting, and removes it when decrypting", () => {
    const source = readFixture("reference/enc/basic.yaml")
    const parsed = store.parse(source)
    const body = source.toString("utf8").slice(0, source.toString("utf8").indexOf("sops:\n"))
    expect(text(store.emit(parsed.branches, { layout: parsed.layout, metadata }))).toBe(body + sopsBlock)
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe(body)
  })

  it("writes sops's own layout when an indentation is given", () => {
    const parsed = store.parse(Buffer.from("a:\n  b: 1\n"))
    expect(text(store.emit(parsed.branches, { layout: parsed.layout, indent: 2 }))).toBe("a:\n  b: 1\n")
    expect(text(store.emit(parsed.branches, { layout: parsed.layout, indent: 4 }))).toBe("a:\n    b: 1\n")
  })
})

describe("YAML layout mode: set and unset", () => {
  it("appends a new entry after the last one of its map, indented like its siblings", () => {
    const parsed = store.parse(Buffer.from("a:\n  b: 1 # keep\n  c: 2\nd: 3\n"))
    const a = parsed.branches[0]!.items[0]!.value as TreeMap
    a.items.push({ key: "new", value: { kind: "map", items: [{ key: "x", value: "z" }] } })
    parsed.branches[0]!.items.push({ key: "top", value: 5n })
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe("a:\n  b: 1 # keep\n  c: 2\n  new:\n    x: z\nd: 3\ntop: 5\n")
  })

  it("appends a new list element", () => {
    const parsed = store.parse(Buffer.from("l:\n  - a\n  - b\nz: 1\n"))
    const l = parsed.branches[0]!.items[0]!.value as { items: { value: TreeValue }[] }
    l.items.push({ value: "c" })
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe("l:\n  - a\n  - b\n  - c\nz: 1\n")
  })

  it("removes an entry with its lines", () => {
    const parsed = store.parse(Buffer.from("a: 1\nb:\n  c: |\n    text\n  d: 2\ne: 3\n"))
    const b = parsed.branches[0]!.items[1]!.value as TreeMap
    b.items.splice(0, 1)
    parsed.branches[0]!.items.splice(2, 1)
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe("a: 1\nb:\n  d: 2\n")
  })

  it("replaces a scalar by a map and a map by a scalar", () => {
    const parsed = store.parse(Buffer.from("a: 1\nb:\n  c: 2\nz: 0\n"))
    parsed.branches[0]!.items[0]!.value = { kind: "map", items: [{ key: "k", value: 1n }] }
    parsed.branches[0]!.items[1]!.value = "flat"
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe("a:\n  k: 1\nb: flat\nz: 0\n")
  })

  it("expands an alias whose copy changed, and keeps it when unchanged", () => {
    const parsed = store.parse(Buffer.from("base: &b {x: 1}\nref: *b\nkeep: *b\n"))
    const ref = parsed.branches[0]!.items[1]!.value as TreeMap
    ref.items[0]!.value = enc(9)
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe(`base: &b {x: 1}\nref: {x: "${enc(9)}"}\nkeep: *b\n`)
  })
})
