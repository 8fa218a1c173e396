// Large binary files (spec §9.5): a `data` value of a megabyte or more is kept as EncryptedBytes and
// decrypted/encrypted a chunk at a time. Everything must come out as the string path gives it.
import { randomBytes } from "node:crypto"
import { describe, expect, it } from "vitest"
import { store } from "../../formats/binary.js"
import { extractSops, parseTopObject, plainTree } from "../../formats/json-tree.js"
import { decodeLossless } from "../../formats/lossless-text.js"
import { Cipher } from "../../src/core/cipher.js"
import { EncryptedBytes, largeValue } from "../../src/core/encrypted-bytes.js"
import { isMap, newMap, type TreeMap, type TreeValue } from "../../src/core/tree.js"
import { decrypt, encrypt } from "../../src/index.js"

const dataKey = Uint8Array.from({ length: 32 }, (_, i) => i * 7)
const recipient = "age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun"
const identity = "AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7"
const env = { HOME: "/nonexistent", SOPS_AGE_KEY: identity }
const fixedIvs = (plaintext: Uint8Array) => new Uint8Array(32).fill(plaintext.length % 251)
const options = { filename: "big.bin", age: recipient, env, config: false as const, dataKey, ivSource: fixedIvs, now: new Date("2024-01-01T00:00:00Z") }

/** A tree with every EncryptedBytes turned into the string it spells. */
function asStrings(value: TreeValue | undefined): TreeValue | undefined {
  if (value instanceof EncryptedBytes) return Buffer.from(value).toString("latin1")
  if (isMap(value)) return newMap(value.items.map(item => ({ key: item.key, value: asStrings(item.value) as TreeValue })))
  return value
}

/** For comparisons: byte values as base64 text (toEqual walks a typed array element by element). */
function comparable(value: unknown): unknown {
  if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString("base64")}`
  if (Array.isArray(value)) return value.map(comparable)
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, comparable(v)]))
  return value
}

/** What the binary store gave before large values: the whole text parsed as a string. */
function referenceParse(input: Uint8Array): unknown {
  try {
    const { node } = parseTopObject(decodeLossless(input))
    const sops = node.members.find(m => m.key === "sops")
    const data = node.members.find(m => m.key === "data")
    if (sops?.value.kind === "object" && data?.value.kind === "scalar" && typeof data.value.value === "string") {
      const branch = plainTree(node) as TreeMap
      const sopsItem = extractSops(branch)
      return { branches: [branch], metadata: sopsItem?.value }
    }
  } catch {
    // a payload
  }
  return { branches: [newMap([{ key: "data", value: Uint8Array.from(input) }])], metadata: undefined }
}

function parsedAsStrings(input: Uint8Array): unknown {
  const parsed = store.parse(input)
  return { branches: parsed.branches.map(b => asStrings(b)), metadata: parsed.metadata }
}

const errorOf = (f: () => unknown): string => {
  try {
    f()
    return "no error"
  } catch (error) {
    return `${(error as Error).constructor.name}: ${(error as Error).message}`
  }
}

const payloads: [string, () => Buffer][] = [
  ["random, 1.5 MiB", () => randomBytes(1.5 * largeValue)],
  ["text, 1.2 MiB", () => Buffer.from("line of text é\n".repeat(80_000))],
  ["random, the threshold - 1", () => randomBytes(largeValue - 1)],
  ["random, the threshold", () => randomBytes(largeValue)],
]

describe("large binary files", () => {
  it.each(payloads)("should encrypt and decrypt %s as the string path does", async (_, make) => {
    const plaintext = make()
    const encrypted = Buffer.from(await encrypt(plaintext, options))
    const parsed = store.parse(encrypted)
    const data = parsed.branches[0]!.items.find(item => item.key === "data")!.value
    expect(data instanceof EncryptedBytes).toBe(encrypted.length > largeValue)
    // the value the string path writes with the same key and IV, in the envelope the string path renders
    const expected = new Cipher(dataKey, fixedIvs).encrypt(plaintext, "data:", "str")
    expect(Buffer.from(data as Uint8Array | string).toString("latin1")).toBe(expected)
    const reference = store.emit([newMap([{ key: "data", value: expected }])], { metadata: parsed.metadata as TreeMap })
    expect(Buffer.from(reference).equals(encrypted)).toBe(true)
    expect(comparable(parsedAsStrings(encrypted))).toEqual(comparable(referenceParse(encrypted)))
    expect(Buffer.from(await decrypt(encrypted, { filename: "big.bin", env })).equals(plaintext)).toBe(true)
  })

  it("should refuse every kind of changed byte with the string path's error", async () => {
    const plaintext = randomBytes(largeValue + 5)
    const enc = new Cipher(dataKey, fixedIvs).encrypt(plaintext, "data:", "str")
    const dataEnd = enc.indexOf(",iv:")
    const positions = [0, 5, 20, 21, 1000, dataEnd - 3, dataEnd - 2, dataEnd - 1, dataEnd, dataEnd + 5, enc.length - 30, enc.length - 8, enc.length - 2, enc.length - 1]
    for (let i = 0; i < 12; i++) positions.push(20 + Math.floor(Math.random() * (dataEnd - 20)))
    const replacements = ["A", "=", "-", "_", ",", "]", "\u0001", "é", "*", " ", "Q", "/"]
    for (const at of positions) {
      for (const ch of replacements) {
        const changed = enc.slice(0, at) + ch + enc.slice(at + 1)
        const bytes = Buffer.from(changed, "latin1")
        const asBytes = new EncryptedBytes(bytes.buffer, bytes.byteOffset, bytes.length)
        const viaString = errorOf(() => new Cipher(dataKey).decrypt(changed, "data:"))
        expect(errorOf(() => new Cipher(dataKey).decryptValue(asBytes, "data:")), `${ch} at ${at}`).toBe(viaString)
      }
    }
    // a bad IV and bad data at once: the data is reported, as in the string path
    const both = `${enc.slice(0, 30)}*${enc.slice(31, dataEnd)},iv:*${enc.slice(dataEnd + 5)}`
    const bytes = Buffer.from(both, "latin1")
    expect(errorOf(() => new Cipher(dataKey).decryptValue(new EncryptedBytes(bytes.buffer, bytes.byteOffset, bytes.length), "data:")))
      .toBe(errorOf(() => new Cipher(dataKey).decrypt(both, "data:")))
    expect(errorOf(() => new Cipher(dataKey).decryptValue(new EncryptedBytes(Buffer.from(enc, "latin1")), "other:")))
      .toBe(errorOf(() => new Cipher(dataKey).decrypt(enc, "other:")))
  })

  it("should write the envelope around a fresh value in place once, and copy after that", () => {
    const value = new Cipher(dataKey, fixedIvs).encryptValue(randomBytes(largeValue), "data:", "str")
    expect(value).toBeInstanceOf(EncryptedBytes)
    const tree = newMap([{ key: "data", value }])
    const metadata = newMap([{ key: "mac", value: "m" }, { key: "version", value: "3.13.2" }])
    const asString = newMap([{ key: "data", value: Buffer.from(value as Uint8Array).toString("latin1") }])
    const first = store.emit([tree], { metadata })
    const kept = Buffer.from(first)
    const second = store.emit([tree], { metadata, indent: 2 })
    expect(first.buffer).toBe((value as Uint8Array).buffer)
    expect(second.buffer).not.toBe(first.buffer)
    expect(Buffer.from(first).equals(kept)).toBe(true)
    expect(kept.equals(Buffer.from(store.emit([asString], { metadata })))).toBe(true)
    expect(Buffer.from(second).equals(Buffer.from(store.emit([asString], { metadata, indent: 2 })))).toBe(true)
  })

  it("should read any large envelope as the whole-text parse does", () => {
    const big = new Cipher(dataKey, fixedIvs).encrypt(randomBytes(largeValue), "data:", "str")
    const sops = '{"mac": "m", "version": "3.13.2"}'
    const inputs = [
      `{"data": "${big}", "sops": ${sops}}`,
      `  {\n\t"sops": ${sops},\n\t"data" :  "${big}"\n}\n`,
      `{"x": {"y": ["data", "}"]}, "data": "${big}", "sops": ${sops}}`,
      `{"data": "${big}", "data": "second", "sops": ${sops}}`,
      `{"d\\u0061ta": "${big}", "sops": ${sops}}`,
      `{"data": "${big.slice(0, 100)}\\n${big.slice(100)}", "sops": ${sops}}`,
      `{"data": "${big.slice(0, 100)}\u0001${big.slice(100)}", "sops": ${sops}}`,
      `{"data": "${big.slice(0, 100)}é${big.slice(100)}", "sops": ${sops}}`,
      `{"data": "${big.slice(0, 100)}<&>${big.slice(100)}", "sops": ${sops}}`,
      `{"data": "${big}", "sops": ${sops}} trailing`,
      `{"data": "${big}", "sops": ${sops}`,
      `{"data": "${big}", "sops": "not an object"}`,
      `{"data": {"inner": "${big}"}, "sops": ${sops}}`,
      `{"other": "${big}", "data": "small", "sops": ${sops}}`,
      `{"data": "${big}" "sops": ${sops}}`,
      `{"data": "${big}", "sops": ${sops}, "x": [1, 2}`,
    ]
    for (const text of inputs) {
      const input = Buffer.from(text)
      expect(comparable(parsedAsStrings(input)), text.slice(0, 40)).toEqual(comparable(referenceParse(input)))
    }
    // and re-emitted without decrypting (updatekeys), byte for byte as from strings
    for (const text of [inputs[0]!, inputs[8]!]) {
      const parsed = store.parse(Buffer.from(text))
      const fromStrings = store.emit([asStrings(parsed.branches[0]) as TreeMap], { metadata: parsed.metadata as TreeMap })
      expect(Buffer.from(store.emit(parsed.branches, { metadata: parsed.metadata as TreeMap })).equals(Buffer.from(fromStrings))).toBe(true)
    }
  })
})
