// dotenv store: sops's parsing rules (spec §1.3), its byte-exact output (§9.3, §11.3 KAT) and the
// layout-keeping output used when tsops re-writes a file.
import { readdirSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { store } from "../../formats/dotenv.js"
import { ExitCode, InputParseError, TsopsError } from "../../src/core/errors.js"
import { Comment, isList, isMap, newList, newMap, type MapItem, type TreeMap, type TreeValue } from "../../src/core/tree.js"
import { fixturePath, fixtureFiles, readFixture } from "../support/fixtures.js"

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8")
const parseText = (input: string) => store.parse(Buffer.from(input, "utf8"))

/** Map items as [key, value] pairs (comments as `#text`), for comparing trees. */
const pairs = (map: TreeMap) => map.items.map(item => (item.key instanceof Comment ? `#${item.key.value}` : [item.key, item.value]))

/** A metadata tree as plain nested data, for comparisons. */
function plain(value: TreeValue | undefined): unknown {
  if (isMap(value)) return Object.fromEntries(value.items.flatMap(item => (typeof item.key === "string" ? [[item.key, plain(item.value)]] : [])))
  if (isList(value)) return value.items.map(item => plain(item.value as TreeValue))
  return value
}

// §11.3 dotenv KAT, copied from the spec: what sops 3.13 writes for that tree, byte for byte.
const katEncrypted = `#ENC[AES256_GCM,data:kWvuHrDjUtvIJw==,iv:ERERERERERERERERERERERERERERERERERERERERERE=,tag:EN0ayPhaIPLLlJYtcJJnsg==,type:comment]
FOO=ENC[AES256_GCM,data:SeJSR3A=,iv:EhISEhISEhISEhISEhISEhISEhISEhISEhISEhISEhI=,tag:UEO9So8vEO/1zv4ktLyE8A==,type:str]
MULTI=ENC[AES256_GCM,data:qsETOzrq2akvw0s=,iv:ExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTExM=,tag:mFnttTA+Z0OQT8X7vN05ug==,type:str]
EMPTY=
X_unencrypted=plain
sops_age__list_0__map_enc=-----BEGIN AGE ENCRYPTED FILE-----\\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBKNjVIZUdPOG1hYTFSKzRq\\nOTBSbWV0anNjRmZvV0VjNlZhN3NKZjBMcUJFCm5sWnNJTzRIcnhSSUpCcFR0L3Rv\\nMFlBcFpYZ0xYQWg1RFJrZEswcUpzNHcKLS0tIGVNdUpjUnVJVjlKVjRmMHJoRmNM\\nb0ZsK25OU1czYjJqY0pwT2IwSkcwU1kKFJqREogUSfRzhFZG/KRO35n7heqGXk7K\\nHeuPplrmZPj5w9hqfo6LHB+mKy0nUDOKOIrr/bTpJslDr6uIbAfDDg==\\n-----END AGE ENCRYPTED FILE-----\\n
sops_age__list_0__map_recipient=age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun
sops_lastmodified=2024-01-01T00:00:00Z
sops_mac=ENC[AES256_GCM,data:di/QfhZnwaQiZFBAuYy7z2VJIRWHWZ4VSFJur4uR2CtLyibYJcattK2HMztHgArBER64ZvsoV6RUIQr9s2aU39M3ymMiQaV3uBitUl3To9nBwytWK5+aTueCAv0I72dGsosPwtCoFHiU0qYGwQDv7tGEwKElIa2jFEw17vV7kmI=,iv:FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQ=,tag:wu4RrmIPV5j/0gdsX0EVKw==,type:str]
sops_unencrypted_suffix=_unencrypted
sops_version=3.13.2
`

const katDecrypted = `# a comment
FOO=hello
MULTI=line1\\nline2
EMPTY=
X_unencrypted=plain
`

describe("dotenv known answers (spec §11.3)", () => {
  it("should re-emit the encrypted KAT byte for byte from its parsed tree and metadata", () => {
    const parsed = parseText(katEncrypted)
    expect(isMap(parsed.metadata)).toBe(true)
    expect(text(store.emit(parsed.branches, { metadata: parsed.metadata as TreeMap }))).toBe(katEncrypted)
  })

  it("should read the KAT's metadata unflattened, with real newlines in the age enc", () => {
    const metadata = plain(parseText(katEncrypted).metadata) as Record<string, unknown>
    expect(Object.keys(metadata)).toEqual(["age", "lastmodified", "mac", "unencrypted_suffix", "version"])
    const [age] = metadata.age as { enc: string; recipient: string }[]
    expect(age!.recipient).toBe("age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun")
    expect(age!.enc.startsWith("-----BEGIN AGE ENCRYPTED FILE-----\nYWdl")).toBe(true)
    expect(age!.enc.endsWith("\n-----END AGE ENCRYPTED FILE-----\n")).toBe(true)
  })

  it("should write the KAT's decrypted tree as sops printed it", () => {
    const tree = newMap([
      { key: new Comment(" a comment"), value: null },
      { key: "FOO", value: "hello" },
      { key: "MULTI", value: "line1\nline2" },
      { key: "EMPTY", value: "" },
      { key: "X_unencrypted", value: "plain" },
    ])
    expect(text(store.emit([tree]))).toBe(katDecrypted)
  })
})

describe("dotenv known answers in layout mode", () => {
  it("should turn the encrypted KAT into sops's decrypted output when only the values change", () => {
    const parsed = parseText(katEncrypted)
    const plaintexts = [" a comment", "hello", "line1\nline2", "", "plain"]
    leaves(parsed.branches[0]!).forEach((leaf, i) => leaf.set(plaintexts[i]))
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe(katDecrypted)
  })
})

describe("dotenv parsing (spec §1.3)", () => {
  it("should keep keys and values verbatim and split at the first =", () => {
    const { branches } = parseText("foo = bar\nexport X=1\nA=b=c\nQ=\"quoted\" \n")
    expect(pairs(branches[0]!)).toEqual([["foo ", " bar"], ["export X", "1"], ["A", "b=c"], ["Q", '"quoted" ']])
  })

  it("should turn the two characters \\n into a newline, keep CR and skip blank lines", () => {
    const { branches } = parseText("A=x\\ny\r\n\n#c\r\nB=\n")
    expect(pairs(branches[0]!)).toEqual([["A", "x\ny\r"], "#c\r", ["B", ""]])
  })

  it("should keep bytes that are not UTF-8 as a byte value", () => {
    const { branches } = store.parse(Uint8Array.from([0x41, 0x3d, 0x61, 0xff, 0x0a]))
    expect(branches[0]!.items[0]!.value).toEqual(Uint8Array.from([0x61, 0xff]))
    expect(store.emit(branches)).toEqual(Uint8Array.from([0x41, 0x3d, 0x61, 0xff, 0x0a]))
  })

  it("should refuse a line without = and not show the line", () => {
    const run = () => parseText("A=1\nhunter2-secret\n")
    expect(run).toThrow(InputParseError)
    expect(run).toThrow("invalid dotenv input at line 2")
    try {
      run()
    } catch (error) {
      expect(String((error as Error).message)).not.toContain("hunter2")
      expect((error as TsopsError).exitCode).toBe(ExitCode.CouldNotReadInputFile)
    }
  })

  it("should pull sops_ keys out as unflattened metadata", () => {
    const parsed = parseText("A=1\nsops_version=3.13.2\nsops_mac=\nB=2\n")
    expect(pairs(parsed.branches[0]!)).toEqual([["A", "1"], ["B", "2"]])
    expect(plain(parsed.metadata)).toEqual({ mac: "", version: "3.13.2" })
    expect(parseText("A=1\n").metadata).toBeUndefined()
  })
})

describe("dotenv output (spec §9.3)", () => {
  it("should stringify other scalars like sops's ValToString", () => {
    const tree = newMap([
      { key: "i", value: 42n },
      { key: "f", value: 1 },
      { key: "g", value: 1e6 },
      { key: "b", value: false },
      { key: "n", value: null },
    ])
    expect(text(store.emit([tree]))).toBe("i=42\nf=1.0\ng=1E+06\nb=false\nn=<nil>\n")
  })

  it("should refuse a nested value", () => {
    const tree = newMap([{ key: "k", value: newMap([{ key: "a", value: "b" }]) }])
    expect(() => store.emit([tree])).toThrow("cannot use complex value in dotenv file; offending key k")
  })

  it("should refuse a sops_ key next to the metadata", () => {
    const tree = newMap([{ key: "sops_x", value: "1" }])
    expect(() => store.emit([tree], { metadata: newMap([{ key: "version", value: "3.13.2" }]) })).toThrow('Found key "sops_x" in encrypted data')
  })

  it("should print strings as they are and refuse other values for --extract (spec §10.4)", () => {
    expect(text(store.emitValue("a\nb"))).toBe("a\nb")
    expect(() => store.emitValue(5n)).toThrow("the dotenv store only supports emitting strings, got int")
    expect(() => store.emitValue(newList([{ value: "a" }]))).toThrow("got []interface {}")
  })
})

const sopsOutputs = [
  ...fixtureFiles("reference/dec").filter(name => name.endsWith(".env")).map(name => `reference/dec/${name}`),
  ...fixtureFiles("reference/dec/random").filter(name => name.endsWith(".env")).map(name => `reference/dec/random/${name}`),
]

describe("dotenv fresh output of sops's own output", () => {
  it.each(sopsOutputs)("should reproduce %s byte for byte", name => {
    const input = readFixture(name)
    expect(Buffer.from(store.emit(store.parse(input).branches)).equals(input)).toBe(true)
  })
})

const encryptedFixtures = [
  ...fixtureFiles("reference/enc").filter(name => name.endsWith(".env")).map(name => `reference/enc/${name}`),
  ...fixtureFiles("reference/enc/random").filter(name => name.endsWith(".env")).map(name => `reference/enc/random/${name}`),
  "sops-upstream/functional-tests/res/format.enc.env",
]

describe("dotenv metadata of encrypted fixtures", () => {
  it.each(encryptedFixtures)("should read the metadata of %s", name => {
    const parsed = store.parse(readFixture(name))
    const metadata = plain(parsed.metadata) as Record<string, unknown>
    expect(metadata.mac).toMatch(/^ENC\[AES256_GCM,data:/)
    expect(metadata.lastmodified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(metadata.version).toMatch(/^3\.\d+\.\d+$/)
    const keys = [...((metadata.age as unknown[]) ?? []), ...((metadata.pgp as unknown[]) ?? [])] as Record<string, string>[]
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) expect(key.enc).toMatch(/^-----BEGIN (AGE ENCRYPTED FILE|PGP MESSAGE)-----\n/)
    expect(parsed.branches[0]!.items.some(item => typeof item.key === "string" && item.key.startsWith("sops_"))).toBe(false)
  })
})

interface Leaf {
  get(): unknown
  set(value: unknown): void
}

/** Every item of the (flat) branch in order, as a leaf a test can read and replace in place. */
function leaves(map: TreeMap): Leaf[] {
  return map.items.map((item: MapItem): Leaf =>
    item.key instanceof Comment
      ? { get: () => (item.key as Comment).value, set: value => void (item.key = new Comment(value as string)) }
      : { get: () => item.value, set: value => void (item.value = value as TreeValue) },
  )
}

const carrier = (i: number, type: string) => `ENC[AES256_GCM,data:${Buffer.from(`leaf ${i}`).toString("base64")},iv:AAAA,tag:BBBB==,type:${type}]`
const smallMetadata = () => newMap([{ key: "lastmodified", value: "2024-01-01T00:00:00Z" }, { key: "mac", value: carrier(0, "str") }, { key: "version", value: "3.13.2" }])

const plainInputs = [
  ...fixtureFiles("reference/plain").filter(name => name.endsWith(".env")).map(name => `reference/plain/${name}`),
  ...fixtureFiles("reference/plain/random").filter(name => name.endsWith(".env")).map(name => `reference/plain/random/${name}`),
]

describe("dotenv layout round trip", () => {
  it.each(plainInputs)("should keep %s byte for byte through an encrypt-like and a decrypt-like rewrite", name => {
    const original = readFixture(name)
    const parsed = store.parse(original)
    // Encrypt-like: every non-empty leaf and comment becomes a distinct ENC carrier (empty strings stay, §2.3).
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
    expect(encrypted).toContain("sops_mac=ENC[")
    const reparsed = store.parse(Buffer.from(encrypted))
    expect(leaves(reparsed.branches[0]!).map(leaf => leaf.get())).toEqual(carriers)
    expect(plain(reparsed.metadata)).toEqual(plain(smallMetadata()))
    // Decrypt-like: the original values go back, the metadata goes away.
    leaves(reparsed.branches[0]!).forEach((leaf, i) => leaf.set(originals[i]))
    const decrypted = Buffer.from(store.emit(reparsed.branches, { layout: reparsed.layout }))
    expect(decrypted.toString("utf8")).toBe(original.toString("utf8"))
    expect(decrypted.equals(original)).toBe(true)
  })
})

describe("dotenv layout output", () => {
  const layoutOf = (input: string) => parseText(input)

  it("should rewrite only changed lines and keep blank lines", () => {
    const parsed = layoutOf("# top\n\nA = 1\n\nB=2\n")
    parsed.branches[0]!.items[2]!.value = "x\ny"
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe("# top\n\nA = 1\n\nB=x\\ny\n")
  })

  it("should keep a missing final newline when metadata is added and removed again", () => {
    const parsed = layoutOf("A=1")
    const encrypted = text(store.emit(parsed.branches, { layout: parsed.layout, metadata: smallMetadata() }))
    expect(encrypted).toBe(`A=1\nsops_lastmodified=2024-01-01T00:00:00Z\nsops_mac=${carrier(0, "str")}\nsops_version=3.13.2`)
    const again = layoutOf(encrypted)
    expect(text(store.emit(again.branches, { layout: again.layout }))).toBe("A=1")
  })

  it("should replace old metadata lines where they were and put new items before them", () => {
    const parsed = layoutOf("A=1\nsops_version=3.0.0\nsops_mac=x\n# after\n")
    parsed.branches[0]!.items.push({ key: "NEW", value: "v" })
    const out = text(store.emit(parsed.branches, { layout: parsed.layout, metadata: newMap([{ key: "version", value: "3.13.2" }]) }))
    expect(out).toBe("A=1\nNEW=v\nsops_version=3.13.2\n# after\n")
  })

  it("should drop removed items", () => {
    const parsed = layoutOf("A=1\n#c\nB=2\n")
    parsed.branches[0]!.items.splice(0, 2)
    expect(text(store.emit(parsed.branches, { layout: parsed.layout }))).toBe("B=2\n")
  })

  it("should use sops's layout when an indent is given", () => {
    const parsed = layoutOf("A=1\n\n\nB=2")
    expect(text(store.emit(parsed.branches, { layout: parsed.layout, indent: 2 }))).toBe("A=1\nB=2\n")
  })
})

describe("dotenv layout output of existing sops_ lines (issue 3)", () => {
  /** example.ini's unsorted [sops] block (written by sops 3.5) as the sops_ lines of a dotenv file. */
  const unsortedInput = () => {
    const ini = readFixture("sops-upstream/example.ini").toString("utf8")
    const metadataLines = ini.slice(ini.indexOf("[sops]\n") + 7).trimEnd().split("\n").map(line => line.replace(/^(\S+) +=? /, "sops_$1="))
    return ["# ENC[comment]", "A=ENC[a]", "", ...metadataLines, "B=ENC[b]", ""].join("\n")
  }
  /** The metadata as updateMetadataFields hands it back: the file's own tree, top-level fields replaced. */
  const reemit = (input: string, fields: Record<string, TreeValue>, change: (branch: TreeMap) => void = () => {}) => {
    const parsed = parseText(input)
    change(parsed.branches[0]!)
    const metadata = newMap((parsed.metadata as TreeMap).items.map(item => (typeof item.key === "string" && item.key in fields ? { ...item, value: fields[item.key]! } : item)))
    return text(store.emit(parsed.branches, { layout: parsed.layout, metadata }))
  }
  const newMac = carrier(99, "str")

  it("should change only the lastmodified and mac lines of an unsorted block", () => {
    const input = unsortedInput()
    expect(input).toMatch(/\nsops_pgp__list_1__map_fp=D722.*\nsops_lastmodified=2019-12-10T22:45:52Z\n/)
    const after = reemit(input, { lastmodified: "2030-01-02T03:04:05Z", mac: newMac })
    const before = input.split("\n")
    const lines = after.split("\n")
    expect(lines).toHaveLength(before.length)
    expect(before.flatMap((line, i) => (line === lines[i] ? [] : [line.split("=")[0]]))).toEqual(["sops_lastmodified", "sops_mac"])
    expect(after).toContain("\nsops_lastmodified=2030-01-02T03:04:05Z\n")
    expect(after).toContain(`\nsops_mac=${newMac}\n`)
    expect(plain(parseText(after).metadata)).toEqual({ ...(plain(parseText(input).metadata) as object), lastmodified: "2030-01-02T03:04:05Z", mac: newMac })
  })

  it("should keep sops's own files byte for byte when the metadata is the file's own", () => {
    for (const name of ["reference/enc/basic.env", "sops-upstream/functional-tests/res/format.enc.env"]) {
      const input = readFixture(name).toString("utf8")
      expect(reemit(input, {})).toBe(input)
    }
    expect(reemit(unsortedInput(), {})).toBe(unsortedInput())
  })

  it("should write a changed value with \\n escapes and put new items before the first sops_ line", () => {
    const input = "A=1\nsops_version=3.0.0\nsops_enc=a\\nb\nsops_mac=x\n# after\n"
    const out = reemit(input, { enc: "c\nd", mac: "ENC[m]" }, branch => void branch.items.push({ key: "NEW", value: "v" }))
    expect(out).toBe("A=1\nNEW=v\nsops_version=3.0.0\nsops_enc=c\\nd\nsops_mac=ENC[m]\n# after\n")
  })

  it("should write the sops_ lines in sops's layout when keys come or go", () => {
    const parsed = parseText(unsortedInput())
    const metadata = parsed.metadata as TreeMap
    const namesOf = (out: string) => out.split("\n").filter(line => line.startsWith("sops_")).map(line => line.split("=")[0]!)
    const fewer = namesOf(text(store.emit(parsed.branches, { layout: parsed.layout, metadata: newMap(metadata.items.filter(item => item.key !== "unencrypted_suffix")) })))
    expect(fewer).toEqual([...fewer].sort())
    expect(fewer).not.toContain("sops_unencrypted_suffix")
    expect(fewer.length).toBeGreaterThan(5)
  })
})

// The fixture folders must exist: an empty list would make the loops above vacuous.
it("should find the dotenv fixtures", () => {
  expect(sopsOutputs.length).toBeGreaterThan(10)
  expect(plainInputs.length).toBeGreaterThan(10)
  expect(readdirSync(fixturePath("reference/enc/random")).length).toBeGreaterThan(0)
})
