// yaml.v3 scalar typing (spec §1.4) as real sops applied it to reference/plain/typing.yaml.
import { describe, expect, it } from "vitest"
import { store } from "../../../formats/yaml/index.js"
import { plaintextOf } from "../../../src/core/scalar.js"
import { isList, isMap, SopsTime, type Scalar, type TreeMap, type TreeValue } from "../../../src/core/tree.js"
import { readFixture } from "../../support/fixtures.js"

/** key → list of scalars of a flat `key: [..]` / `key:\n  - ..` document */
function lists(branch: TreeMap): Map<string, TreeValue[]> {
  const out = new Map<string, TreeValue[]>()
  for (const item of branch.items) {
    if (typeof item.key === "string" && isList(item.value)) {
      out.set(item.key, item.value.items.map(element => element.value as TreeValue))
    }
  }
  return out
}

const parse = (name: string): TreeMap => store.parse(readFixture(name)).branches[0]!

describe("YAML typing", () => {
  const plain = lists(parse("reference/plain/typing.yaml"))
  const encrypted = lists(parse("reference/enc/typing.yaml"))
  const decrypted = lists(parse("reference/dec/typing.yaml"))

  it("reads the same keys and list lengths as the encrypted file", () => {
    expect([...plain.keys()]).toEqual([...encrypted.keys()])
    for (const [key, values] of plain) expect(values.length, key).toBe(encrypted.get(key)!.length)
  })

  it("gives every value the type real sops gave it (the type: tag of its ENC value)", () => {
    for (const [key, values] of plain) {
      values.forEach((value, i) => {
        const enc = encrypted.get(key)![i]
        if (value === null || value === "") {
          // nulls are never encrypted; empty strings stay empty (spec §2.3)
          expect(enc, `${key}[${i}]`).toBe(value)
          return
        }
        const tag = /type:(\w+)\]$/.exec(enc as string)?.[1]
        expect(plaintextOf(value as Scalar).type, `${key}[${i}]`).toBe(tag)
      })
    }
  })

  it("parses the values sops printed when decrypting", () => {
    for (const [key, values] of plain) {
      values.forEach((value, i) => {
        const printed = decrypted.get(key)![i]
        // sops printed floats in %g form; read back, integral ones (1, -0, 1000) are ints
        if (typeof value === "number" && typeof printed === "bigint") {
          expect(Number(printed), `${key}[${i}]`).toBe(value === 0 ? 0 : value)
          return
        }
        if (typeof value === "number" && Number.isNaN(value)) {
          expect(Number.isNaN(printed as number)).toBe(true)
          return
        }
        expect(printed, `${key}[${i}]`).toEqual(value)
      })
    }
  })

  it("resolves the awkward forms like yaml.v3", () => {
    const parsed = store.parse(Buffer.from([
      "a: 0o17", "b: 012", "c: 0x1F", "d: 0b101", "e: 1_000", "f: +5", "g: 08", "h: 1e3", "i: .5", "j: 1e400",
      "k: yes", "l: True", "m: ~", "n: 2001-12-14", "o: 2001-12-14t21:59:43.10-05:00", "p: 2001-12-14 21:59:43.10",
      "q: 2001-12-14 21:59:43.10 -5", "r: !!str 12", "s: !!float 1", "t: !custom val", "u: !!binary aGVsbG8=",
      "v: '12'", "w: -0", "x: .Inf", "y: .iNf", "z: 2024-02-30",
    ].join("\n"))).branches[0]!
    const value = (key: string) => parsed.items.find(item => item.key === key)!.value
    expect(value("a")).toBe(15n)
    expect(value("b")).toBe(10n)
    expect(value("c")).toBe(31n)
    expect(value("d")).toBe(5n)
    expect(value("e")).toBe(1000n)
    expect(value("f")).toBe(5n)
    expect(value("g")).toBe(8) // not octal, so Go's ParseInt fails and the float rule applies
    expect(value("h")).toBe(1000)
    expect(value("i")).toBe(0.5)
    expect(value("j")).toBe("1e400") // out of range for ParseFloat: a string
    expect(value("k")).toBe("yes")
    expect(value("l")).toBe(true)
    expect(value("m")).toBe(null)
    expect(value("n")).toEqual(new SopsTime("2001-12-14T00:00:00Z"))
    expect(value("o")).toEqual(new SopsTime("2001-12-14T21:59:43.1-05:00"))
    expect(value("p")).toEqual(new SopsTime("2001-12-14T21:59:43.1Z"))
    expect(value("q")).toBe("2001-12-14 21:59:43.10 -5") // no Go layout takes a zone after a space
    expect(value("r")).toBe("12")
    expect(value("s")).toBe(1)
    expect(value("t")).toBe("val")
    expect(value("u")).toEqual(new Uint8Array(Buffer.from("hello")))
    expect(value("v")).toBe("12")
    expect(value("w")).toBe(0n)
    expect(value("x")).toBe(Infinity)
    expect(value("y")).toBe(".iNf")
    expect(value("z")).toBe("2024-02-30")
  })

  it("keeps merge keys as literal keys and expands aliases into copies", () => {
    const parsed = store.parse(Buffer.from("base: &b\n  x: 1\nother:\n  <<: *b\n  y: *b\n")).branches[0]!
    const other = parsed.items[1]!.value as TreeMap
    expect(other.items.map(item => item.key)).toEqual(["<<", "y"])
    expect(isMap(other.items[0]!.value)).toBe(true)
    expect((other.items[0]!.value as TreeMap).items[0]).toMatchObject({ key: "x", value: 1n })
    expect(other.items[0]!.value).not.toBe(parsed.items[0]!.value)
  })
})
