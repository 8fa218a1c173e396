// Layout mode edge cases: carriers in every scalar style, documents without content, the sops
// block replaced or removed, entries added and removed (set/unset), aliases.
import { describe, expect, it } from "vitest"
import { store } from "../../../formats/yaml/index.js"
import { Comment, isList, isMap, type TreeList, type TreeMap, type TreeValue } from "../../../src/core/tree.js"
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
      if (item.value instanceof Comment) item.value = original(item.value.value)
      else if (isMap(item.value) || isList(item.value)) decryptAll(item.value, originals)
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

// ---- entries added in the middle keep their place ----

/** A tree as plain data, comments included (`#text`), for exact comparisons. */
function shape(value: TreeValue | Comment, comments = true): unknown {
  if (value instanceof Comment) return `#${value.value}`
  if (isMap(value)) {
    return { map: value.items.filter(item => comments || !(item.key instanceof Comment)).map(item => (item.key instanceof Comment ? `#${item.key.value}` : [item.key, shape(item.value, comments)])) }
  }
  if (isList(value)) return value.items.filter(item => comments || !(item.value instanceof Comment)).map(item => shape(item.value, comments))
  return value
}

/** The `yaml` package's reading of one document, in the shape above (no comments there). */
function yamlShape(value: unknown): unknown {
  if (value instanceof Map) return { map: [...value.entries()].map(([k, v]) => [String(k), yamlShape(v)]) }
  if (Array.isArray(value)) return value.map(yamlShape)
  return value
}

/** Parse, let `change` add entries, emit in layout mode; the output must read back (with this store and the `yaml` package) as exactly the changed tree. */
async function insertInto(source: string, change: (branches: TreeMap[]) => void, withMetadata = false): Promise<string> {
  const parsed = store.parse(Buffer.from(source))
  change(parsed.branches)
  const out = text(store.emit(parsed.branches, { layout: parsed.layout, metadata: withMetadata ? metadata : undefined }))
  const back = store.parse(Buffer.from(out))
  expect(back.branches.map(b => shape(b))).toEqual(parsed.branches.map(b => shape(b)))
  const { parseAllDocuments } = await import("yaml")
  const docs = parseAllDocuments(out, { version: "1.1", intAsBigInt: true })
  const read = docs.map(doc => {
    expect(doc.errors).toEqual([])
    const js = doc.toJS({ mapAsMap: true }) as Map<unknown, unknown>
    if (withMetadata) js.delete("sops")
    return yamlShape(js)
  })
  expect(read).toEqual(parsed.branches.map(b => shape(b, false)))
  return out
}

const mapAt = (branches: TreeMap[], ...keys: string[]): TreeMap => {
  let m = branches[0]!
  for (const key of keys) m = m.items.find(item => item.key === key)!.value as TreeMap
  return m
}
const indexOfKey = (m: TreeMap, key: string) => m.items.findIndex(item => item.key === key)

describe("YAML layout mode: entries added in the middle", () => {
  const source = "# head\na: 1\nb:\n  c: 2\n  d:\n    - x\n  # trailing of b\n# head of e\ne: 3 # inline\nf: |\n  text\n"

  it("writes a top-level entry between two existing ones, after the nested block of the first", async () => {
    const out = await insertInto(source, b => {
      const m = b[0]!
      m.items.splice(indexOfKey(m, "b") + 1, 0, { key: "new", value: "v" }) // b's trailing comment is b's own
    })
    expect(out).toBe("# head\na: 1\nb:\n  c: 2\n  d:\n    - x\n  # trailing of b\nnew: v\n# head of e\ne: 3 # inline\nf: |\n  text\n")
  })

  it("writes an entry placed after a head comment between that comment and its key (and its line comment)", async () => {
    const out = await insertInto(source, b => {
      const m = b[0]!
      // `e: 3 # inline` is read as the comment, then e
      expect(shape(m.items[indexOfKey(m, "e") - 1]!.key as Comment)).toBe("# inline")
      m.items.splice(indexOfKey(m, "e") - 1, 0, { key: "new", value: 7n })
    })
    expect(out).toBe("# head\na: 1\nb:\n  c: 2\n  d:\n    - x\n  # trailing of b\n# head of e\nnew: 7\ne: 3 # inline\nf: |\n  text\n")
  })

  it("writes entries at the start, middle and end of the top-level map, rendered in sops's style", async () => {
    const out = await insertInto(source, b => {
      const m = b[0]!
      m.items.push({ key: "last", value: "z" })
      m.items.splice(indexOfKey(m, "f"), 0, { key: "nested", value: { kind: "map", items: [{ key: "k", value: { kind: "list", items: [{ value: "p" }, { value: { kind: "map", items: [{ key: "q", value: 1n }] } }] } }] } })
      m.items.splice(indexOfKey(m, "a"), 0, { key: "first", value: "line1\nline2\n" })
    })
    expect(out).toBe([
      "# head", "first: |", "  line1", "  line2", "a: 1", "b:", "  c: 2", "  d:", "    - x", "  # trailing of b", "# head of e", "e: 3 # inline",
      "nested:", "  k:", "    - p", "    - q: 1", "f: |", "  text", "last: z", "",
    ].join("\n"))
  })

  it("writes an entry before the first item's head comments when the tree has it there", async () => {
    const out = await insertInto(source, b => { b[0]!.items.unshift({ key: "top", value: "t" }) })
    expect(out.startsWith("top: t\n# head\na: 1\n")).toBe(true)
  })

  it("writes entries at the start and in the middle of a nested map, at its indentation", async () => {
    const out = await insertInto("a:\n    # about b\n    b: 1\n    c:\n        d: 2\n    e: 3\nz: 0\n", b => {
      const m = mapAt(b, "a")
      m.items.splice(indexOfKey(m, "e"), 0, { key: "mid", value: { kind: "map", items: [{ key: "x", value: "y1" }] } })
      m.items.unshift({ key: "start", value: null })
    })
    expect(out).toBe("a:\n    start: null\n    # about b\n    b: 1\n    c:\n        d: 2\n    mid:\n        x: y1\n    e: 3\nz: 0\n")
  })

  it("writes list elements at the start and in the middle of a block sequence", async () => {
    const out = await insertInto("l:\n  # first\n  - a\n  - b: 1\n    c: 2\n  - d\nz: 1\n", b => {
      const l = b[0]!.items[0]!.value as TreeList
      l.items.splice(3, 0, { value: { kind: "map", items: [{ key: "m", value: "nn" }, { key: "o", value: { kind: "list", items: [{ value: "p" }] } }] } })
      l.items.splice(1, 0, { value: "start" })
    })
    expect(out).toBe("l:\n  # first\n  - start\n  - a\n  - b: 1\n    c: 2\n  - m: nn\n    o:\n      - p\n  - d\nz: 1\n")
  })

  it("writes an entry before the first key of a map that starts on a list's dash line", async () => {
    const out = await insertInto("l:\n  - a: 1\n    b: 2\n  - - p\n    - q\n", b => {
      const l = b[0]!.items[0]!.value as TreeList
      ;(l.items[0]!.value as TreeMap).items.unshift({ key: "z", value: { kind: "map", items: [{ key: "yy", value: "x" }] } })
      ;(l.items[1]!.value as TreeList).items.unshift({ value: "o" })
    })
    expect(out).toBe("l:\n  - z:\n      yy: x\n    a: 1\n    b: 2\n  - - o\n    - p\n    - q\n")
  })

  it("writes an entry before a comment line whose text changes too", async () => {
    const out = await insertInto("a: 1\n# about b\nb: 2\n", b => {
      const m = b[0]!
      m.items[1]!.key = new Comment(enc(1, "comment"), false)
      m.items.splice(1, 0, { key: "new", value: "v" })
    })
    expect(out).toBe(`a: 1\nnew: v\n#${enc(1, "comment")}\nb: 2\n`)
  })

  it("writes an entry before a complex key's `?` line", async () => {
    const out = await insertInto("? b\n: 2\na: 1\n? c\n: 3\n", b => {
      const m = b[0]!
      m.items.splice(indexOfKey(m, "c"), 0, { key: "mid", value: "m" })
      m.items.unshift({ key: "first", value: "f" })
    })
    expect(out).toBe("first: f\n? b\n: 2\na: 1\nmid: m\n? c\n: 3\n")
  })

  it("keeps the sops block last, in a file without a final newline", async () => {
    const out = await insertInto("a: 1\nb:\n  c: 2\nd: 3", b => {
      const m = b[0]!
      m.items.splice(1, 0, { key: "new", value: "v" })
      mapAt(b, "b").items.unshift({ key: "nc", value: 0n })
      m.items.push({ key: "end", value: "e" })
    }, true)
    expect(out).toBe(`a: 1\nnew: v\nb:\n  nc: 0\n  c: 2\nd: 3\nend: e\n${sopsBlock}`)
  })

  it("replaces an existing sops block and still inserts in the middle", async () => {
    const out = await insertInto(`a: 1\nb: 2\n${sopsBlock}`, b => { b[0]!.items.splice(1, 0, { key: "new", value: "v" }) }, true)
    expect(out).toBe(`a: 1\nnew: v\nb: 2\n${sopsBlock}`)
  })

  it("inserts into every document of a multi-document file", async () => {
    const out = await insertInto("a: 1\nb: 2\n---\n# doc 2\nc: 3\nd:\n  - e\n", b => {
      b[0]!.items.splice(1, 0, { key: "x", value: "1x" })
      b[1]!.items.splice(indexOfKey(b[1]!, "c"), 0, { key: "yy", value: "2y" })
      ;(mapAt(b.slice(1), "d") as unknown as TreeList).items.unshift({ value: "f" })
    })
    expect(out).toBe("a: 1\nx: 1x\nb: 2\n---\n# doc 2\nyy: 2y\nc: 3\nd:\n  - f\n  - e\n")
  })

  it("keeps CRLF lines around an inserted entry (the new lines end in LF)", async () => {
    const out = await insertInto("a: 1\r\nb:\r\n  c: 2\r\nd: 3\r\n", b => {
      b[0]!.items.splice(indexOfKey(b[0]!, "d"), 0, { key: "new", value: "v" })
      mapAt(b, "b").items.unshift({ key: "nn", value: "m" })
    })
    expect(out).toBe("a: 1\r\nb:\r\n  nn: m\n  c: 2\r\nnew: v\nd: 3\r\n")
  })

  it("re-renders a flow map that gained an entry in the middle", async () => {
    const out = await insertInto("a: {x: 1, z: 2}\nb: 3\n", b => {
      mapAt(b, "a").items.splice(1, 0, { key: "m", value: "nn" })
    })
    expect(out).toBe("a: {x: 1, m: nn, z: 2}\nb: 3\n")
  })

  it("survives encryption and decryption with the new entries where they were put", async () => {
    const parsed = store.parse(Buffer.from(source))
    const m = parsed.branches[0]!
    m.items.splice(indexOfKey(m, "e"), 0, { key: "new", value: "v" })
    const edited = text(store.emit(parsed.branches, { layout: parsed.layout }))
    const { encrypted, originals } = encryptText(edited)
    expect(decryptText(encrypted, originals)).toBe(edited)
  })
})
