// Metadata flattening for dotenv and INI (spec §5.5): names, order, round trips and sops's errors.
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { flatten, unflatten } from "../../formats/flatten.js"
import { MetadataError, TsopsError } from "../../src/core/errors.js"
import { Comment, isList, isMap, newList, newMap, type TreeMap, type TreeValue } from "../../src/core/tree.js"

const runs = Number(process.env.TSOPS_FUZZ_RUNS ?? 100)

/** A tree as plain data (maps as [key, value] pairs, lists as arrays) for deep comparison. */
function plain(value: TreeValue): unknown {
  if (isMap(value)) return value.items.map(item => [item.key instanceof Comment ? `#${item.key.value}` : item.key, plain(item.value)])
  if (isList(value)) return value.items.map(item => (item.value instanceof Comment ? `#${item.value.value}` : plain(item.value)))
  return value
}

const metadata = (): TreeMap =>
  newMap([
    { key: "age", value: newList([{ value: newMap([{ key: "enc", value: "line1\nline2\n" }, { key: "recipient", value: "age1xyz" }]) }]) },
    {
      key: "key_groups",
      value: newList([
        { value: newMap([{ key: "age", value: newList([{ value: newMap([{ key: "recipient", value: "age1g" }]) }]) }, { key: "hc_vault", value: newList() }]) },
        {
          value: newMap([
            { key: "kms", value: newList([{ value: newMap([{ key: "context", value: newMap([{ key: "tenant", value: "a" }]) }]) }]) },
            { key: "pgp", value: newList([{ value: newMap([{ key: "fp", value: "FBC7" }]) }]) },
          ]),
        },
      ]),
    },
    { key: "lastmodified", value: "2024-01-01T00:00:00Z" },
    { key: "mac", value: "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]" },
    { key: "mac_only_encrypted", value: true },
    { key: "shamir_threshold", value: 2n },
    { key: "version", value: "3.13.2" },
  ])

describe("flatten", () => {
  it("should name entries like sops, depth first, dropping empty lists and maps", () => {
    expect(flatten(metadata(), "sops_").map(entry => [entry.key, entry.value])).toEqual([
      ["sops_age__list_0__map_enc", "line1\nline2\n"],
      ["sops_age__list_0__map_recipient", "age1xyz"],
      ["sops_key_groups__list_0__map_age__list_0__map_recipient", "age1g"],
      ["sops_key_groups__list_1__map_kms__list_0__map_context__map_tenant", "a"],
      ["sops_key_groups__list_1__map_pgp__list_0__map_fp", "FBC7"],
      ["sops_lastmodified", "2024-01-01T00:00:00Z"],
      ["sops_mac", "ENC[AES256_GCM,data:x,iv:y,tag:z,type:str]"],
      ["sops_mac_only_encrypted", true],
      ["sops_shamir_threshold", 2n],
      ["sops_version", "3.13.2"],
    ])
  })

  it("should skip comments and not count them as list elements", () => {
    const tree = newMap([
      { key: new Comment("c"), value: null },
      { key: "l", value: newList([{ value: new Comment("x") }, { value: "a" }, { value: "b" }]) },
    ])
    expect(flatten(tree).map(entry => entry.key)).toEqual(["l__list_0", "l__list_1"])
  })

  it("should refuse a key collision", () => {
    const tree = newMap([{ key: "a__map_b", value: "1" }, { key: "a", value: newMap([{ key: "b", value: "2" }]) }])
    expect(() => flatten(tree)).toThrow(TsopsError)
    expect(() => flatten(tree)).toThrow('Found key collision "a__map_b" while flattening')
  })
})

describe("unflatten", () => {
  it("should rebuild the metadata (minus the empty lists) from its flat form", () => {
    const rebuilt = plain(unflatten(flatten(metadata()))) as [string, unknown][]
    const expected = plain(metadata()) as [string, unknown][]
    expect(rebuilt.filter(([key]) => key !== "key_groups")).toEqual(expected.filter(([key]) => key !== "key_groups"))
    // The `hc_vault: []` of the first group has no flat form, so it does not come back (as in sops).
    expect(rebuilt.find(([key]) => key === "key_groups")![1]).toEqual([
      [["age", [[["recipient", "age1g"]]]]],
      [["kms", [[["context", [["tenant", "a"]]]]]], ["pgp", [[["fp", "FBC7"]]]]],
    ])
  })

  it("should fail like sops when a list's first element flattened to nothing", () => {
    const tree = newMap([{ key: "l", value: newList([{ value: newMap([{ key: "e", value: newList() }]) }, { value: "x" }]) }])
    expect(() => unflatten(flatten(tree))).toThrow("Incomplete list")
  })

  it("should sort map keys in byte order whatever the input order", () => {
    const tree = unflatten([{ key: "version", value: "1" }, { key: "age__list_0__map_recipient", value: "r" }, { key: "age__list_0__map_enc", value: "e" }])
    expect(plain(tree)).toEqual([["age", [[["enc", "e"], ["recipient", "r"]]]], ["version", "1"]])
  })

  it("should order list elements by index, not by input order", () => {
    const tree = unflatten([{ key: "l__list_1", value: "b" }, { key: "l__list_0", value: "a" }])
    expect(plain(tree)).toEqual([["l", ["a", "b"]]])
  })

  it("should refuse an incomplete list", () => {
    expect(() => unflatten([{ key: "l__list_0", value: "a" }, { key: "l__list_2", value: "c" }])).toThrow(MetadataError)
    expect(() => unflatten([{ key: "l__list_1", value: "b" }])).toThrow("Incomplete list")
  })

  it("should refuse a node that is both a value and a container", () => {
    expect(() => unflatten([{ key: "a", value: "1" }, { key: "a__map_b", value: "2" }])).toThrow("Type mismatch")
    expect(() => unflatten([{ key: "a__list_0", value: "1" }, { key: "a__map_b", value: "2" }])).toThrow("Type mismatch")
  })

  it("should refuse a duplicate path", () => {
    expect(() => unflatten([{ key: "a__map_b", value: "1" }, { key: "a__map_b", value: "2" }])).toThrow('Error while unflattening "a__map_b": Duplicate value')
  })

  it("should read a non-numeric list index as 0, as Go's ignored Atoi error does", () => {
    expect(plain(unflatten([{ key: "l__list_x", value: "a" }]))).toEqual([["l", ["a"]]])
  })
})

const segment = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/)
const leaf = fc.oneof(fc.string(), fc.boolean(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }))
const tree: fc.Arbitrary<TreeValue> = fc.letrec<{ value: TreeValue; map: TreeMap }>(tie => ({
  value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("map"), fc.array(tie("value"), { minLength: 1, maxLength: 3 }).map(values => newList(values.map(value => ({ value }))))),
  map: fc.uniqueArray(fc.tuple(segment, tie("value")), { minLength: 1, maxLength: 4, selector: ([key]) => key })
    .map(pairs => newMap(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value })))),
})).map

test.prop([tree], { numRuns: runs })("unflatten inverts flatten for sorted maps without empty containers", map => {
  const rebuilt = unflatten(flatten(map as TreeMap))
  expect(plain(rebuilt)).toEqual(plain(map))
})
