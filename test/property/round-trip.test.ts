// Property-based round trips: random trees in every format, under every key-selection rule,
// survive encrypt → emit → parse → decrypt with their values, types and MAC intact.
import { fc, test } from "@fast-check/vitest"
import { describe, expect } from "vitest"
import { Cipher } from "../../src/core/cipher.js"
import { decryptTree } from "../../src/core/decrypt-tree.js"
import { encryptTree } from "../../src/core/encrypt-tree.js"
import type { CryptRules } from "../../src/core/rules.js"
import type { FormatName } from "../../src/core/store.js"
import { Comment, newList, newMap, type MapItem, type TreeMap, type TreeValue } from "../../src/core/tree.js"
import { loadStore } from "../../formats/index.js"
import { typed } from "../support/values.js"

const runs = Number(process.env.TSOPS_FUZZ_RUNS ?? 25)
const dataKey = new Uint8Array(32).fill(9)

const keyChars = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz_0123456789-".split(""))
const key = fc.string({ unit: keyChars, minLength: 1, maxLength: 8 }).filter(k => !/^\d/.test(k) && !k.startsWith("sops"))
const suffixKey = fc.tuple(key, fc.constantFrom("", "_unencrypted", "_enc")).map(([k, s]) => k + s)
const text = fc.string({ unit: "grapheme", maxLength: 20 })
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
const float = fc.double({ noNaN: true, noDefaultInfinity: true }).filter(x => !Number.isInteger(x) || Math.abs(x) > 2 ** 60)
const commentText = fc.string({ unit: fc.constantFrom(..." abcxyz:-sops".split("")), maxLength: 12 }).map(s => ` ${s.trim()}`)

function uniqueItems(entries: [string, TreeValue][]): MapItem[] {
  const seen = new Set<string>()
  return entries.filter(([k]) => !seen.has(k) && seen.add(k)).map(([k, v]) => ({ key: k, value: v }))
}

// A YAML/JSON tree: nested maps and lists of typed scalars (YAML also gets comments).
function nestedTree(withComments: boolean): fc.Arbitrary<TreeMap> {
  const scalar = fc.oneof(text, int64, float, fc.boolean(), fc.constant(null))
  const { map } = fc.letrec<{ value: TreeValue; map: TreeMap; list: TreeValue }>(tie => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("map"), tie("list")),
    map: fc.tuple(
      fc.array(fc.tuple(suffixKey, tie("value")), { maxLength: 5 }),
      withComments ? fc.option(commentText, { nil: undefined }) : fc.constant(undefined),
    ).map(([entries, comment]) => {
      const items = uniqueItems(entries as [string, TreeValue][])
      if (comment !== undefined && items.length > 0) items.splice(0, 0, { key: new Comment(comment), value: null })
      return newMap(items)
    }),
    list: fc.array(tie("value"), { minLength: 1, maxLength: 4 }).map(values => newList(values.map(v => ({ value: v as TreeValue })))),
  }))
  return map.filter(m => m.items.length > 0)
}

const flatValue = fc.string({ unit: fc.constantFrom(..."abc XYZ=:#;\"'é😀\t-_.\n".split("")), maxLength: 16 })
const dotenvTree = fc.array(fc.tuple(suffixKey.map(k => k.toUpperCase()), flatValue.filter(v => !v.includes("\\"))), { minLength: 1, maxLength: 6 })
  .map(entries => newMap(uniqueItems(entries)))
const iniValue = fc.string({ unit: fc.constantFrom(..."abcXYZ:=.é-_ ".split("")), maxLength: 12 }).map(s => s.trim())
const iniTree = fc.array(fc.tuple(key, fc.array(fc.tuple(suffixKey, iniValue), { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 3 })
  .map(sections => newMap([{ key: "DEFAULT", value: newMap() }, ...uniqueItems(sections.map(([name, entries]) => [name, newMap(uniqueItems(entries))]))]))
const binaryTree = fc.uint8Array({ maxLength: 300 }).map(bytes => newMap([{ key: "data", value: bytes }]))

const ruleSets: [string, CryptRules][] = [
  ["default suffix", {}],
  ["unencrypted_suffix", { unencryptedSuffix: "_enc" }],
  ["encrypted_suffix", { encryptedSuffix: "_enc" }],
  ["unencrypted_regex", { unencryptedRegex: "^[a-f]" }],
  ["encrypted_regex", { encryptedRegex: "[0-4]" }],
  ["unencrypted_comment_regex", { unencryptedCommentRegex: "sops" }],
  ["encrypted_comment_regex", { encryptedCommentRegex: "sops" }],
  ["mac_only_encrypted", { macOnlyEncrypted: true }],
]

const cases: [FormatName, fc.Arbitrary<TreeMap>, CryptRules[]][] = [
  ["yaml", nestedTree(true), ruleSets.map(([, r]) => r)],
  ["json", nestedTree(false), ruleSets.map(([, r]) => r)],
  ["dotenv", dotenvTree, ruleSets.map(([, r]) => r)],
  ["ini", iniTree, ruleSets.map(([, r]) => r)],
  ["binary", binaryTree, [{}]],
]

describe.each(cases)("%s", (format, tree, rules) => {
  test.prop([tree, fc.constantFrom(...rules)], { numRuns: runs })(
    "round-trips values and types through encrypt, emit, parse and decrypt under every rule",
    async (original, rule) => {
      const store = await loadStore(format)
      // Emit the random tree as a plaintext file and read it back: the tree as this format holds it.
      const plain = store.parse(store.emit([original]))
      const expected = plain.branches.map(b => typed(b))
      const mac = encryptTree(plain.branches, new Cipher(dataKey), rule)
      const metadata = newMap([{ key: "mac", value: "x" }, { key: "version", value: "3.13.2" }])
      const encrypted = store.emit(plain.branches, { metadata, layout: plain.layout })
      const reparsed = store.parse(encrypted)
      expect(reparsed.metadata).toBeDefined()
      expect(decryptTree(reparsed.branches, new Cipher(dataKey), rule)).toBe(mac)
      expect(reparsed.branches.map(b => typed(b))).toEqual(expected)
      const decrypted = store.parse(store.emit(reparsed.branches, { layout: reparsed.layout }))
      expect(decrypted.metadata).toBeUndefined()
      expect(decrypted.branches.map(b => typed(b))).toEqual(expected)
    },
  )
})
