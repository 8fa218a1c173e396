// INI store: gopkg.in/ini.v1's reading rules as sops uses them (spec §1.3, §9.4), sops's byte-exact
// output (§11.3 KAT, reference fixtures), the `[sops]` section (§5.5) and the layout-keeping output.
import { describe, expect, it } from "vitest"
import { store } from "../../formats/ini.js"
import { ExitCode, InputParseError, MetadataError, TsopsError } from "../../src/core/errors.js"
import { Comment, isList, isMap, newList, newMap, type MapItem, type TreeMap, type TreeValue } from "../../src/core/tree.js"
import { fixtureFiles, readFixture } from "../support/fixtures.js"

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8")
const parseText = (input: string) => store.parse(Buffer.from(input, "utf8"))

/** A branch as [section, [[key, value] | "#comment"]] pairs. */
const sections = (map: TreeMap) =>
  map.items.map(item => [item.key, (item.value as TreeMap).items.map(i => (i.key instanceof Comment ? `#${i.key.value}` : [i.key, i.value]))])

function plain(value: TreeValue | undefined): unknown {
  if (isMap(value)) return Object.fromEntries(value.items.flatMap(item => (typeof item.key === "string" ? [[item.key, plain(item.value)]] : [])))
  if (isList(value)) return value.items.map(item => plain(item.value as TreeValue))
  return value
}

// §11.3 INI KAT, copied from the spec.
const katEncrypted = `; ENC[AES256_GCM,data:l4p+26vhGuJxoESCMySJ,iv:ISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhISE=,tag:KbR4j79bWk66AHQk95Ua7A==,type:comment]
[sec]
key    = ENC[AES256_GCM,data:chAUN0g=,iv:IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=,tag:ralM65NtJ2prK5e81vOTJQ==,type:str]
number = ENC[AES256_GCM,data:Hqs=,iv:IyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyM=,tag:a6T2SiScXsXc9LOBO0Fdew==,type:str]

[sops]
age__list_0__map_enc       = -----BEGIN AGE ENCRYPTED FILE-----\\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBKNjVIZUdPOG1hYTFSKzRq\\nOTBSbWV0anNjRmZvV0VjNlZhN3NKZjBMcUJFCm5sWnNJTzRIcnhSSUpCcFR0L3Rv\\nMFlBcFpYZ0xYQWg1RFJrZEswcUpzNHcKLS0tIGVNdUpjUnVJVjlKVjRmMHJoRmNM\\nb0ZsK25OU1czYjJqY0pwT2IwSkcwU1kKFJqREogUSfRzhFZG/KRO35n7heqGXk7K\\nHeuPplrmZPj5w9hqfo6LHB+mKy0nUDOKOIrr/bTpJslDr6uIbAfDDg==\\n-----END AGE ENCRYPTED FILE-----\\n
age__list_0__map_recipient = age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun
lastmodified               = 2024-01-01T00:00:00Z
mac                        = ENC[AES256_GCM,data:FbnCTEgSMlaq1qZQSdY/mwelijrM7vxXHtxmVQKkIXx7RooiJ+nk4H+oRty13OIiyLGiTz+iaqXfBTuQe8Nq6x3fTSQyaU3zTDGOst3yII97zOLlkJbHjee8EFcFuUw3VeO08OTFtyFa4gYaH8iwkSfbJ5cqiyVgTUoSkx9qi7g=,iv:JCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQ=,tag:A7zxt6XPYVCg208thUZ8iQ==,type:str]
unencrypted_suffix         = _unencrypted
version                    = 3.13.2
`

const katDecrypted = `; section comment
[sec]
key    = value
number = 42
`

describe("INI known answers (spec §11.3)", () => {
  it("should re-emit the encrypted KAT byte for byte from its parsed tree and metadata", () => {
    const parsed = parseText(katEncrypted)
    expect(sections(parsed.branches[0]!).map(([name]) => name)).toEqual(["DEFAULT", "sec"])
    expect(text(store.emit(parsed.branches, { metadata: parsed.metadata as TreeMap }))).toBe(katEncrypted)
  })

  it("should read the KAT's section comment and metadata", () => {
    const parsed = parseText(katEncrypted)
    const sec = sections(parsed.branches[0]!)[1]![1] as unknown[]
    expect(sec[0]).toBe("#ENC[AES256_GCM,data:l4p+26vhGuJxoESCMySJ,iv:ISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhISE=,tag:KbR4j79bWk66AHQk95Ua7A==,type:comment]")
    const metadata = plain(parsed.metadata) as Record<string, unknown>
    expect(Object.keys(metadata)).toEqual(["age", "lastmodified", "mac", "unencrypted_suffix", "version"])
    const [age] = metadata.age as { enc: string }[]
    expect(age!.enc).toMatch(/^-----BEGIN AGE ENCRYPTED FILE-----\nYWdl[^\\]*\n-----END AGE ENCRYPTED FILE-----\n$/)
  })

  it("should write the KAT's decrypted tree as sops printed it", () => {
    const tree = newMap([
      { key: "DEFAULT", value: newMap() },
      { key: "sec", value: newMap([{ key: new Comment("section comment"), value: null }, { key: "key", value: "value" }, { key: "number", value: "42" }]) },
    ])
    expect(text(store.emit([tree]))).toBe(katDecrypted)
    expect(text(store.emit([newMap(tree.items.slice(1))]))).toBe(katDecrypted)
  })
})

describe("INI known answers in layout mode", () => {
  it("should turn the encrypted KAT into sops's decrypted output when only the values change", () => {
    const parsed = parseText(katEncrypted)
    const plaintexts = ["section comment", "value", "42"]
    leaves(parsed.branches[0]!).forEach((leaf, i) => leaf.set(plaintexts[i]))
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe(katDecrypted)
  })
})

describe("INI reading like gopkg.in/ini.v1 (spec §1.3, §9.4)", () => {
  it("should start with the DEFAULT section and keep repeated sections apart", () => {
    const { branches } = parseText("top = 1\n[a]\nx = 1\n[a]\nx = 2\n")
    expect(sections(branches[0]!)).toEqual([["DEFAULT", [["top", "1"]]], ["a", [["x", "1"]]], ["a", [["x", "2"]]]])
  })

  it("should attach comments: section comments first, key comments after their key", () => {
    const { branches } = parseText("; about a\n;  more\n[a]\n# about x\nx = 1 ; inline\ny = 2\n; dropped at the end\n")
    expect(sections(branches[0]!)).toEqual([["DEFAULT", []], ["a", ["#about a\n;  more", ["x", "1"], "#about x\n; inline", ["y", "2"]]]])
  })

  it("should read the value forms: quotes, backticks, triple quotes, continuation, `:`", () => {
    const input = [
      "[v]",
      'dq = "  spaced  "',
      "sq = 'single'",
      "bt = `a;b#c`",
      'tq = """line1',
      "line2",
      '"""',
      "cont = first \\",
      "   second\\",
      "  third",
      "colon: yes",
      "cut = abc#def",
      "mixed = \"a\" b",
      "empty =",
      "",
    ].join("\n")
    const { branches } = parseText(input)
    expect(sections(branches[0]!)[1]).toEqual([
      "v",
      [
        ["dq", "  spaced  "], ["sq", "single"], ["bt", "a;b#c"], ["tq", "line1\nline2\n"], ["cont", "first secondthird"],
        ["colon", "yes"], ["cut", "abc"], "#def", ["mixed", '"a" b'], ["empty", ""],
      ],
    ])
  })

  it("should keep a repeated key once, where it first was, with its last value", () => {
    const { branches } = parseText("[a]\n; old\nk = 1\nj = 2\nk = 3\n")
    expect(sections(branches[0]!)[1]).toEqual(["a", [["k", "3"], ["j", "2"]]])
  })

  it("should name `-` keys #1, #2… per section", () => {
    const { branches } = parseText("[a]\n- = x\n- = y\n")
    expect(sections(branches[0]!)[1]).toEqual(["a", [["#1", "x"], ["#2", "y"]]])
  })

  it("should refuse broken lines without showing them", () => {
    for (const [input, reason] of [["[a]\nhunter2\n", "key-value delimiter not found at line 2"], ["[secret-name\n", "unclosed section at line 1"], ["k = \"\"\"hunter2\n", "missing closing value quote at line 1"]] as const) {
      expect(() => parseText(input)).toThrow(InputParseError)
      try {
        parseText(input)
      } catch (error) {
        expect((error as TsopsError).message).toBe(`Could not unmarshal input data: ${reason}`)
        expect((error as TsopsError).exitCode).toBe(ExitCode.CouldNotReadInputFile)
      }
    }
  })

  it("should refuse two [sops] sections", () => {
    expect(() => parseText("[sops]\nversion = 1\n[sops]\nmac = x\n")).toThrow(MetadataError)
  })
})

describe("INI output (spec §9.4)", () => {
  it("should pad keys, quote values and keys like ini.v1 and stringify with ValToString", () => {
    const tree = newMap([
      {
        key: "s",
        value: newMap([
          { key: "a", value: "x # y" },
          { key: "long=key", value: " padded " },
          { key: "b`", value: "multi\nline" },
          { key: "n", value: 1.5e6 },
          { key: "t", value: true },
          { key: "ü", value: 3n },
        ]),
      },
    ])
    expect(text(store.emit([tree]))).toBe(
      // Padding counts bytes, as Go's len() does: `ü` (2 bytes) gets one space less than it looks.
      ["[s]", "a          = `x # y`", '`long=key` = " padded "', '"""b`"""   = """multi\nline"""', "n          = 1.5E+06", "t          = true", "ü         = 3", ""].join("\n"),
    )
  })

  it("should write key comments above their key and section comments above the header", () => {
    const tree = newMap([
      {
        key: "s",
        value: newMap([
          { key: new Comment(" spaced section"), value: null },
          { key: "k", value: "v" },
          { key: new Comment(" first"), value: null },
          { key: new Comment("# last wins"), value: null },
        ]),
      },
      { key: "DEFAULT", value: newMap([{ key: "d", value: "1" }]) },
    ])
    expect(text(store.emit([tree]))).toBe(";  spaced section\n[s]\n# last wins\nk = v\n\n[DEFAULT]\nd = 1\n")
  })

  it("should refuse values that are not sections", () => {
    expect(() => store.emit([newMap([{ key: "k", value: "v" }])])).toThrow("Section values should always be TreeBranches")
    expect(() => store.emit([newMap([{ key: "s", value: newMap([{ key: "k", value: newList() }]) }])])).toThrow(TsopsError)
  })

  it("should refuse a [sops] section next to the metadata", () => {
    const tree = newMap([{ key: "sops", value: newMap() }])
    expect(() => store.emit([tree], { metadata: newMap([{ key: "version", value: "3.13.2" }]) })).toThrow('Found key "sops" in encrypted data')
  })

  it("should print --extract values as JSON (spec §10.4)", () => {
    expect(text(store.emitValue("raw <s>"))).toBe("raw <s>")
    expect(text(store.emitValue(5n))).toBe("5")
    expect(text(store.emitValue(newList([{ value: "<a>" }, { value: 1.5 }])))).toBe('["\\u003ca\\u003e",1.5]')
  })
})

const sopsOutputs = [
  ...fixtureFiles("reference/dec").filter(name => name.endsWith(".ini")).map(name => `reference/dec/${name}`),
  ...fixtureFiles("reference/dec/random").filter(name => name.endsWith(".ini")).map(name => `reference/dec/random/${name}`),
]

describe("INI fresh output of sops's own output", () => {
  it.each(sopsOutputs)("should reproduce %s byte for byte", name => {
    const input = readFixture(name)
    expect(text(store.emit(store.parse(input).branches))).toBe(input.toString("utf8"))
  })

  it("should reproduce sops 3.13.2's format.enc.ini with its metadata byte for byte", () => {
    const input = readFixture("sops-upstream/functional-tests/res/format.enc.ini")
    const parsed = store.parse(input)
    expect(text(store.emit(parsed.branches, { metadata: parsed.metadata as TreeMap }))).toBe(input.toString("utf8"))
  })
})

const encryptedFixtures = [
  ...fixtureFiles("reference/enc").filter(name => name.endsWith(".ini")).map(name => `reference/enc/${name}`),
  ...fixtureFiles("reference/enc/random").filter(name => name.endsWith(".ini")).map(name => `reference/enc/random/${name}`),
  "sops-upstream/example.ini",
  "sops-upstream/functional-tests/res/format.enc.ini",
  "sops-upstream/functional-tests/res/format-2.enc.ini",
]

describe("INI metadata of encrypted fixtures", () => {
  it.each(encryptedFixtures)("should read the metadata of %s", name => {
    const parsed = store.parse(readFixture(name))
    const metadata = plain(parsed.metadata) as Record<string, unknown>
    expect(metadata.mac).toMatch(/^ENC\[AES256_GCM,data:/)
    expect(metadata.lastmodified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(metadata.version).toMatch(/^3\.\d+\.\d+$/)
    const keys = [...((metadata.age as unknown[]) ?? []), ...((metadata.pgp as unknown[]) ?? [])] as Record<string, string>[]
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) expect(key.enc).toMatch(/^-----BEGIN (AGE ENCRYPTED FILE|PGP MESSAGE)-----\n[^\\]*-----END (AGE ENCRYPTED FILE|PGP MESSAGE)-----\n?$/)
    expect(parsed.branches[0]!.items.some(item => item.key === "sops")).toBe(false)
  })

  it("should read the escaped and the triple-quoted metadata of format*.enc.ini alike", () => {
    const escaped = plain(store.parse(readFixture("sops-upstream/functional-tests/res/format.enc.ini")).metadata) as { pgp: { enc: string }[] }
    const quoted = plain(store.parse(readFixture("sops-upstream/functional-tests/res/format-2.enc.ini")).metadata) as { pgp: { enc: string }[] }
    expect(quoted.pgp[0]!.enc.split("\n").length).toBe(escaped.pgp[0]!.enc.split("\n").length)
    expect(quoted.pgp[0]!.enc).toMatch(/^-----BEGIN PGP MESSAGE-----\n\nwcBMAyUpShfNkFB\/AQf\/eLAAHlnmaYZGuitpb7FU3tarxgRLHKoRSYCXBWg1CSPJ\n/)
  })
})

interface Leaf {
  get(): unknown
  set(value: unknown): void
}

/** Every key value and comment of every section, in order, as leaves a test can swap in place. */
function leaves(branch: TreeMap): Leaf[] {
  return branch.items.flatMap(section =>
    (section.value as TreeMap).items.map((item: MapItem): Leaf =>
      item.key instanceof Comment
        ? { get: () => (item.key as Comment).value, set: value => void (item.key = new Comment(value as string)) }
        : { get: () => item.value, set: value => void (item.value = value as TreeValue) },
    ),
  )
}

const carrier = (i: number, type: string) => `ENC[AES256_GCM,data:${Buffer.from(`leaf ${i}`).toString("base64")},iv:AAAA,tag:BBBB==,type:${type}]`
const smallMetadata = () =>
  newMap([
    { key: "age", value: newList([{ value: newMap([{ key: "enc", value: "-----BEGIN AGE ENCRYPTED FILE-----\nabc\n-----END AGE ENCRYPTED FILE-----\n" }, { key: "recipient", value: "age1x" }]) }]) },
    { key: "lastmodified", value: "2024-01-01T00:00:00Z" },
    { key: "mac", value: carrier(0, "str") },
    { key: "version", value: "3.13.2" },
  ])

const plainInputs = [
  ...fixtureFiles("reference/plain").filter(name => name.endsWith(".ini")).map(name => `reference/plain/${name}`),
  ...fixtureFiles("reference/plain/random").filter(name => name.endsWith(".ini")).map(name => `reference/plain/random/${name}`),
]

describe("INI layout round trip", () => {
  it.each(plainInputs)("should keep %s byte for byte through an encrypt-like and a decrypt-like rewrite", name => {
    const original = readFixture(name)
    const parsed = store.parse(original)
    const originals: unknown[] = []
    const carriers: unknown[] = []
    leaves(parsed.branches[0]!).forEach((leaf, i) => {
      const value = leaf.get()
      originals.push(value)
      const next = value === "" ? "" : carrier(i + 1, "str")
      carriers.push(next)
      leaf.set(next)
    })
    const encrypted = text(store.emit(parsed.branches, { layout: parsed.layout, metadata: smallMetadata() }))
    const reparsed = store.parse(Buffer.from(encrypted))
    expect(leaves(reparsed.branches[0]!).map(leaf => leaf.get())).toEqual(carriers)
    expect(plain(reparsed.metadata)).toEqual(plain(smallMetadata()))
    expect(encrypted).toMatch(/\n\[sops\]\n(.*\n)*mac +=/)
    leaves(reparsed.branches[0]!).forEach((leaf, i) => leaf.set(originals[i]))
    const decrypted = Buffer.from(store.emit(reparsed.branches, { layout: reparsed.layout }))
    expect(decrypted.toString("utf8")).toBe(original.toString("utf8"))
    expect(decrypted.equals(original)).toBe(true)
  })

  it("should find the INI fixtures", () => {
    expect(plainInputs.length).toBeGreaterThan(10)
    expect(sopsOutputs.length).toBeGreaterThan(10)
  })
})

describe("INI layout output", () => {
  const rewrite = (input: string, change: (branch: TreeMap) => void, metadata?: TreeMap) => {
    const parsed = parseText(input)
    change(parsed.branches[0]!)
    return text(store.emit(parsed.branches, { layout: parsed.layout, ...(metadata && { metadata }) }))
  }
  const section = (branch: TreeMap, name: string) => branch.items.find(item => item.key === name)!.value as TreeMap
  const setKey = (branch: TreeMap, name: string, key: string, value: TreeValue) => {
    section(branch, name).items.find(item => item.key === key)!.value = value
  }

  it("should splice a value and keep the user's spacing, comments and blank lines", () => {
    const out = rewrite("[a]\n  x=1   ; note\n\n\n# c\ny  :  2\n", branch => setKey(branch, "a", "y", "ENC[x]"))
    expect(out).toBe("[a]\n  x=1   ; note\n\n\n# c\ny  :  ENC[x]\n")
  })

  it("should rewrite a one-line comment after its own marker", () => {
    const out = rewrite("[a]\n  #  old comment\nx = 1\n", branch => {
      section(branch, "a").items[1]!.key = new Comment("ENC[c]")
    })
    expect(out).toBe("[a]\n  #  ENC[c]\nx = 1\n")
  })

  it("should move a section comment cut from its header line above the header", () => {
    const out = rewrite("[a] ; about a\nx = 1\n", branch => {
      section(branch, "a").items[0]!.key = new Comment("ENC[c]")
    })
    expect(out).toBe("; ENC[c]\n[a]\nx = 1\n")
    expect(sections(parseText(out).branches[0]!)[1]).toEqual(["a", ["#ENC[c]", ["x", "1"]]])
  })

  it("should quote a new value as sops does and move an inline comment it would swallow", () => {
    const out = rewrite("[a]\nx = 1 ; note\n", branch => setKey(branch, "a", "x", "has;semicolon"))
    expect(out).toBe("[a]\n; note\nx = `has;semicolon`\n")
    expect(sections(parseText(out).branches[0]!)[1]).toEqual(["a", [["x", "has;semicolon"], "#note"]])
  })

  it("should replace the [sops] section in sops's layout and remove it again", () => {
    const input = "[a]\nx = 1\n\n[sops]\nversion = 3.0.0\n; old\nmac = y\n"
    const out = rewrite(input, () => {}, newMap([{ key: "mac", value: "ENC[m]" }, { key: "version", value: "3.13.2" }]))
    expect(out).toBe("[a]\nx = 1\n\n[sops]\nmac     = ENC[m]\nversion = 3.13.2\n")
    expect(rewrite(out, () => {})).toBe("[a]\nx = 1\n")
  })

  it("should keep a missing final newline through adding and removing metadata", () => {
    const metadata = newMap([{ key: "mac", value: "ENC[m]" }])
    const out = rewrite("[a]\nx = 1", () => {}, metadata)
    expect(out).toBe("[a]\nx = 1\n\n[sops]\nmac = ENC[m]")
    expect(rewrite(out, () => {})).toBe("[a]\nx = 1")
    expect(rewrite("", () => {}, metadata)).toBe("[sops]\nmac = ENC[m]\n")
  })

  it("should not copy text the tree does not hold: shadowed keys and trailing comments", () => {
    const out = rewrite("[a]\n; first\nk = hunter2\nk = 2\n; tail secret\n", branch => setKey(branch, "a", "k", "ENC[k]"))
    expect(out).toBe("[a]\nk = ENC[k]\n")
    expect(out).not.toContain("hunter2")
    expect(out).not.toContain("tail secret")
  })

  it("should not copy text the library skips (after a closing quote, after a header, inside a quoted key)", () => {
    const input = '[a] hunter1\n"k" hunter2 = 1\nb = `x` hunter3 ; c\nm = """x\ny""" hunter4 ; note\n'
    const out = rewrite(input, branch => setKey(branch, "a", "k", "ENC[k]"))
    for (const secret of ["hunter1", "hunter2", "hunter3", "hunter4"]) expect(out).not.toContain(secret)
    expect(sections(parseText(out).branches[0]!)).toEqual(sections(parseText(input).branches[0]!).map(([name, items]) =>
      name === "a" ? [name, (items as unknown[]).map(item => (Array.isArray(item) && item[0] === "k" ? ["k", "ENC[k]"] : item))] : [name, items]))
  })

  it("should drop removed keys and sections and add new ones in sops's style", () => {
    const out = rewrite("top = 1\n[a]\n; c\nx = 1\ny = 2\n\n[b]\nz = 3\n", branch => {
      const a = section(branch, "a")
      a.items.splice(0, 2)
      a.items.push({ key: "new", value: "v" })
      branch.items.splice(2, 1)
      branch.items.push({ key: "c", value: newMap([{ key: "k", value: "w" }]) })
    })
    expect(out).toBe("top = 1\n[a]\ny = 2\nnew = v\n\n[c]\nk = w\n")
  })
})

describe("INI layout output of an existing [sops] section (issue 3)", () => {
  /** The metadata as updateMetadataFields hands it back: the file's own tree, top-level fields replaced. */
  const withFields = (metadata: TreeMap, fields: Record<string, TreeValue>): TreeMap =>
    newMap(metadata.items.map(item => (typeof item.key === "string" && item.key in fields ? { ...item, value: fields[item.key]! } : item)))
  const reemit = (input: Buffer | string, fields: Record<string, TreeValue>) => {
    const parsed = typeof input === "string" ? parseText(input) : store.parse(input)
    return text(store.emit(parsed.branches, { layout: parsed.layout, metadata: withFields(parsed.metadata as TreeMap, fields) }))
  }
  /** Line numbers at which two texts differ (same line count required). */
  const changedLines = (before: string, after: string) => {
    const a = before.split("\n")
    const b = after.split("\n")
    expect(b).toHaveLength(a.length)
    return a.flatMap((line, i) => (line === b[i] ? [] : [i]))
  }
  const newMac = carrier(99, "str")

  it("should change only the lastmodified and mac lines of an older sops's unsorted [sops] section", () => {
    const input = readFixture("sops-upstream/example.ini")
    const before = input.toString("utf8")
    const after = reemit(input, { lastmodified: "2030-01-02T03:04:05Z", mac: newMac })
    const lines = before.split("\n")
    const at = (prefix: string) => lines.findIndex(line => line.startsWith(prefix))
    expect(changedLines(before, after)).toEqual([at("lastmodified "), at("mac ")].sort((x, y) => x - y))
    expect(after).toContain("\nlastmodified                = 2030-01-02T03:04:05Z\n")
    expect(after).toContain(`\nmac                         = ${newMac}\n`)
    expect(plain(store.parse(Buffer.from(after)).metadata)).toEqual({
      ...(plain(store.parse(input).metadata) as object), lastmodified: "2030-01-02T03:04:05Z", mac: newMac,
    })
  })

  it("should keep the file byte for byte when the metadata is the file's own", () => {
    for (const name of encryptedFixtures) {
      const input = readFixture(name)
      expect(reemit(input, {})).toBe(input.toString("utf8"))
    }
  })

  it("should change the version line too and keep the escaped enc as it was", () => {
    const input = readFixture("reference/enc/basic.ini")
    const before = input.toString("utf8")
    const after = reemit(input, { mac: newMac, version: "3.13.2" })
    const lines = before.split("\n")
    expect(changedLines(before, after)).toEqual([lines.findIndex(line => line.startsWith("version ")), lines.findIndex(line => line.startsWith("mac "))])
    expect(after).toContain("\nversion                    = 3.13.2\n")
  })

  it("should write a changed multi-line value as a \"\"\" block where the file has them (3.13.0/3.13.1)", () => {
    const input = readFixture("sops-upstream/functional-tests/res/format-2.enc.ini")
    const before = input.toString("utf8")
    const metadata = store.parse(input).metadata as TreeMap
    const pgp = metadata.items.find(item => item.key === "pgp")!.value as TreeMap
    const enc = "-----BEGIN PGP MESSAGE-----\n\nnew\n-----END PGP MESSAGE-----"
    const key = newMap([...(pgp.items[0]!.value as TreeMap).items.map(item => (item.key === "enc" ? { ...item, value: enc } : item))])
    const after = reemit(input, { mac: newMac, pgp: newList([{ value: key }]) })
    const start = before.indexOf("pgp__list_0__map_enc")
    const end = before.indexOf('"""\n', start) + 4
    expect(after).toBe(before.slice(0, start).replace(/^mac( +)= .*$/m, `mac$1= ${newMac}`)
      + `pgp__list_0__map_enc        = """${enc}"""\n` + before.slice(end))
    expect((plain(store.parse(Buffer.from(after)).metadata) as { pgp: { enc: string }[] }).pgp[0]!.enc).toBe(enc)
  })

  it("should write a changed multi-line value with \\n escapes where the file has them", () => {
    const input = "[a]\nx = 1\n\n[sops]\nversion = 3.8.1\nenc     = a\\nb\nmac = m\n"
    expect(reemit(input, { enc: "c\nd", mac: "ENC[m]" })).toBe("[a]\nx = 1\n\n[sops]\nversion = 3.8.1\nenc     = c\\nd\nmac = ENC[m]\n")
  })

  it("should quote a changed value as sops does and space an empty one", () => {
    const input = "[sops]\nversion =\nmac = m\n"
    expect(reemit(input, { version: "3.13.2", mac: " x;y" })).toBe("[sops]\nversion = 3.13.2\nmac = ` x;y`\n")
  })

  it("should write the section in sops's layout when it holds comments, which the tree does not", () => {
    expect(reemit("[sops]\nversion = 1\n; note\nmac = m\n", { mac: "ENC[m]" })).toBe("[sops]\nmac     = ENC[m]\nversion = 1\n")
    expect(reemit("; about\n[sops]\nversion = 1\nmac = m\n", { mac: "ENC[m]" })).toBe("[sops]\nmac     = ENC[m]\nversion = 1\n")
  })

  it("should drop a shadowed key and keep continuation lines and a missing final newline", () => {
    expect(reemit("[a]\nx = 1\n\n[sops]\nmac = old\nversion = 1\nmac = m", { mac: "ENC[m]" })).toBe("[a]\nx = 1\n\n[sops]\nversion = 1\nmac = ENC[m]")
    expect(reemit("[sops]\nversion = 1\\\n  2\nmac = m\n", { mac: "ENC[m]" })).toBe("[sops]\nversion = 1\\\n  2\nmac = ENC[m]\n")
    expect(reemit("[sops]\nversion = 1\\\n  2\nmac = m\n", { version: "3" })).toBe("[sops]\nversion = 3\nmac = m\n")
  })

  it("should write the section in sops's layout when keys come or go", () => {
    const input = readFixture("sops-upstream/example.ini")
    const parsed = store.parse(input)
    const metadata = parsed.metadata as TreeMap
    const sopsNames = (out: string) => out.slice(out.indexOf("[sops]\n")).split("\n").slice(1).filter(line => line !== "").map(line => line.split(" ")[0]!)
    const emitWith = (items: MapItem[]) => text(store.emit(parsed.branches, { layout: parsed.layout, metadata: newMap(items) }))
    const fewer = sopsNames(emitWith(metadata.items.filter(item => item.key !== "unencrypted_suffix")))
    expect(fewer).toEqual([...fewer].sort())
    expect(fewer).not.toContain("unencrypted_suffix")
    const more = sopsNames(emitWith([...metadata.items, { key: "mac_only_encrypted", value: true }].sort((a, b) => String(a.key).localeCompare(String(b.key)))))
    expect(more).toEqual([...more].sort())
    expect(more).toContain("mac_only_encrypted")
  })
})
