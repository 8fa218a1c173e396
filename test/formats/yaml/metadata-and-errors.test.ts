// Reading the `sops` entry (spec §5.4, §5.6) and refusing bad input without echoing it.
import { readdirSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"
import { store } from "../../../formats/yaml/index.js"
import { InputParseError } from "../../../src/core/errors.js"
import { isMap, type TreeMap } from "../../../src/core/tree.js"
import { fixturePath, fixturesRoot, readFixture } from "../../support/fixtures.js"

function yamlFiles(dir: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) out.push(...yamlFiles(path))
    else if (/\.ya?ml$/.test(name)) out.push(relative(fixturesRoot, path))
  }
  return out.sort()
}

const encrypted = [...yamlFiles(fixturePath("reference/enc")), ...yamlFiles(fixturePath("reference/tampered")),
  ...yamlFiles(fixturePath("sops-upstream"))].filter(name => /(^|\n)sops:/.test(readFixture(name).toString("utf8")))

const keysOf = (map: TreeMap): unknown[] => map.items.map(item => item.key)

describe("YAML metadata", () => {
  it("finds encrypted fixtures to read", () => {
    expect(encrypted.length).toBeGreaterThan(40)
  })

  it.each(encrypted)("reads the metadata of %s and removes it from every document", name => {
    const source = readFixture(name).toString("utf8")
    const parsed = store.parse(readFixture(name))
    expect(isMap(parsed.metadata)).toBe(true)
    const metadata = parsed.metadata as TreeMap
    // every writer puts lastmodified and (except no_mac.yaml) mac in it; comments are not items here
    expect(keysOf(metadata)).toContain("lastmodified")
    if (!name.endsWith("no_mac.yaml")) expect(keysOf(metadata)).toContain("mac")
    for (const branch of parsed.branches) expect(keysOf(branch)).not.toContain("sops")
    expect(parsed.branches.length).toBe(source.split(/^---$/m).length)
  })

  it("takes the first document's copy and drops the others", () => {
    const parsed = store.parse(Buffer.from("a: 1\nsops:\n    version: first\n---\nb: 2\nsops:\n    version: second\n"))
    expect((parsed.metadata as TreeMap).items[0]).toMatchObject({ key: "version", value: "first" })
    expect(parsed.branches.map(keysOf)).toEqual([["a"], ["b"]])
  })

  it("refuses two sops entries in the first document, and ignores them in later ones", () => {
    // in document 0 yaml.v3's duplicate-key check (sops's pre-pass) fires first
    expect(() => store.parse(Buffer.from("sops:\n  a: 1\nb: 1\n\"sops\":\n  c: 1\n"))).toThrow(/mapping key "sops" already defined/)
    expect(() => store.parse(Buffer.from("a: 1\n---\nsops: 1\nsops: 2\n"))).not.toThrow()
  })

  it("gives zero documents for an empty file and an empty branch for `---`", () => {
    expect(store.parse(new Uint8Array()).branches).toEqual([])
    const parsed = store.parse(Buffer.from("---\n"))
    expect(parsed.branches.length).toBe(1)
    expect(parsed.branches[0]!.items).toEqual([])
  })
})

describe("YAML errors", () => {
  const secret = "hunter2-s3cr3t"
  const cases: [string, string, RegExp][] = [
    ["malformed", `a: "${secret}\nb: [1, 2\n`, /^yaml: line \d+: /],
    ["bad indentation", `a:\n  b: ${secret}\n c: 2\n`, /^yaml: line \d+: /],
    ["top-level sequence", `- ${secret}\n`, /cannot unmarshal !!seq into map/],
    ["top-level sequence in a later document", `a: 1\n---\n- ${secret}\n`, /YAML documents that are sequences are not supported/],
    ["top-level scalar", `${secret}\n`, /YAML documents that are values are not supported/],
    ["duplicate key", `a: ${secret}\nb: 2\na: 3\n`, /mapping key "a" already defined at line 1/],
    ["uint64 integer", `big: 12345678901234567890\nx: ${secret}\n`, /Cannot walk value, unknown type: uint64/],
    ["int key", `1: ${secret}\n`, /non-string key \(type int\): %!s\(int=1\)\. Only string keys are supported/],
    ["bool key", `true: ${secret}\n`, /non-string key \(type bool\)/],
    ["unknown alias", `a: *nope\nb: ${secret}\n`, /unknown anchor 'nope' referenced/],
    ["control character", `a: ${secret}\u0001\n`, /control characters are not allowed/],
    ["bad tag value", `a: !!int ${secret}\n`, /cannot decode/],
  ]
  it.each(cases)("rejects %s with InputParseError and no source text", (_, source, message) => {
    let error: unknown
    try {
      store.parse(Buffer.from(source))
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputParseError)
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toContain(secret)
    expect((error as InputParseError).exitCode).toBe(2)
  })

  it("rejects invalid UTF-8", () => {
    expect(() => store.parse(new Uint8Array([0x61, 0x3a, 0x20, 0xff, 0x0a]))).toThrow(InputParseError)
  })
})
