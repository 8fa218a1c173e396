// The fast prefix reader (formats/yaml/fast-prefix.ts) must give exactly what the full yaml.v3
// parser gives: the same tree, the same `src` on every node, the same layout, the same errors.
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { fastPrefix } from "../../../formats/yaml/fast-prefix.js"
import { parseYaml, parseYamlFull } from "../../../formats/yaml/parse.js"
import { fixtureFiles, readFixture } from "../../support/fixtures.js"

const runs = Number(process.env.TSOPS_FUZZ_RUNS ?? 25) * 40

function outcome(parse: (input: Uint8Array) => unknown, text: string): unknown {
  try {
    return { parsed: parse(Buffer.from(text)) }
  } catch (error) {
    return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` }
  }
}

function expectSameAsFull(text: string): void {
  expect(outcome(parseYaml, text)).toEqual(outcome(parseYamlFull, text))
}

const yamlFixtures = ["reference/plain", "reference/enc", "reference/dec", "sops-upstream"].flatMap(dir =>
  fixtureFiles(dir).filter(name => /\.ya?ml$/.test(name)).map(name => `${dir}/${name}`))

describe("fast prefix", () => {
  it.each(yamlFixtures)("should read %s as the full parser does", name => {
    expectSameAsFull(readFixture(name).toString("utf8"))
  })

  it("should read the common shapes itself, and leave the rest to the full parser", () => {
    const encrypted = "a: ENC[AES256_GCM,data:AA==,iv:x,tag:y,type:str]\nb:\n    c: 1\nsops:\n    age:\n        - enc: |\n            x\n          recipient: r\n"
    expect(fastPrefix(encrypted)).toMatchObject({ end: encrypted.indexOf("sops:"), line: 3 })
    expectSameAsFull(encrypted)
    const simple = "x: 1\ny: 'two'\nz:\n  w: \"three\"\n"
    expect(fastPrefix(simple)).toMatchObject({ end: simple.length })
    expect(fastPrefix("# comment\na: 1\n")).toBeUndefined()
    expect(fastPrefix("a: 1\n---\nb: 2\n")).toBeUndefined()
  })

  it.each([
    "a: 1\na: 2\n", "a:\n  b: 1\n  b: 2\nc: 3\n", "a: 1\nb:\n- x\n", "a: 1\nb: x\n  y\n", "a: 1\n b: 2\n",
    "  a: 1\n  b: 2\nc: 3\n", "a: b: c\n", "a: 1\n1: x\n", "a: 1\nb: 18446744073709551615\n", "a: 1\nb: [1\n",
    "a: 1\nb: x # c\n", "a: 1\nb: 'x''y'\n", "a: 1\nb: \"x\\ty\"\n", "a: 1\nsops: 1\nsops: 2\n", "a:\n  b: 1\n c: 2\n",
    "a: 1\n? b\n: c\n", "a:\n\nb:\n", "a: x\n\n  \nb: y", "a: &x 1\nb: *x\n", "a: 1\nb: *x\n", "k:\n  a: 1\n  a:\n    b: 2\n",
    "a: 1\nb:\n  # foot\nc: 2\n", "a: 1\nb: 2\n# end\n", "a: 1\nb:\n  c: 1\n# foot\nd: 1\n", "a: -1\nb: -x\nc: -\n",
  ])("should agree with the full parser on %j", text => {
    expectSameAsFull(text)
  })
})

// Mostly what the fast reader takes, with enough of everything else to end its prefix anywhere.
const word = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("a", "b", "c", "key", "my key", "a:b", "x#y", "é", "😀", "y", "on", "sops") },
  { weight: 1, arbitrary: fc.constantFrom("true", "1", "null", "~", "<<", "-k", "'q'", "? k") },
)
const scalar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("v", "two words", "1", "-5", "1.5", "0x1F", "true", "False", "null", "~", "2001-01-01",
    "2001-12-14t21:59:43.10-05:00", "'q'", "\"dq\"", "\"\"", "''", "ENC[AES256_GCM,data:AA==,iv:x,tag:y,type:str]", "a#b", "v   ",
    "x,y", "\"a \"", "'b '", "'x\" y'", "\"x' y\"") },
  { weight: 1, arbitrary: fc.constantFrom("'it''s'", "\"a\\nb\"", "x # c", "a: b", "[1, 2]", "{a: 1}", "&anc v", "*anc", "!!str 1",
    "|\n  block\n", ">-\n  folded\n", "-", "- x", "'open", "18446744073709551615", ":x", "%x", "@x", "\"q\" x", "x:", "w\n  continued") },
)
const blank = fc.oneof(
  { weight: 8, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.constantFrom("\n", "  \n", "# comment\n", "  # indented comment\n", "\t\n", " \n\n") },
)
interface Entry { key: string; value: string | Entry[]; before: string }
const entries: fc.Arbitrary<Entry[]> = fc.letrec<{ entries: Entry[] }>(tie => ({
  entries: fc.array(fc.record({
    key: word,
    value: fc.oneof({ depthSize: "small" }, scalar, scalar, fc.constant(""), tie("entries")),
    before: blank,
  }), { minLength: 1, maxLength: 5 }),
})).entries as fc.Arbitrary<Entry[]>

function render(list: Entry[], indent: string, step: string): string {
  return list.map(({ key, value, before }) => {
    if (typeof value === "string") {
      const lines = value.split("\n")
      const body = lines.map((line, i) => (i === 0 || line === "" ? line : indent + step + line)).join("\n")
      return `${before}${indent}${key}:${value === "" ? "" : ` ${body}`}${value.endsWith("\n") ? "" : "\n"}`
    }
    return `${before}${indent}${key}:\n${render(value, indent + step, step)}`
  }).join("")
}

describe("fast prefix on random documents", () => {
  test.prop([entries, fc.constantFrom("", "  "), fc.constantFrom("  ", "    ", " "), fc.constantFrom("", "\n", "sops:\n  x: 1\n", "- x\n", "# tail\n")], { numRuns: runs })(
    "should agree with the full parser", (list, indent, step, tail) => {
      expectSameAsFull(render(list, indent, step) + tail)
    })
})
