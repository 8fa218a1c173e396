// binary store (spec §9.5): raw bytes in, raw bytes out, never UTF-8-decoded; encrypted files are a
// JSON envelope written like the JSON store (§5.6, §11.3 KAT).
import { describe, expect, it } from "vitest"
import { store } from "../../formats/binary.js"
import { ExitCode, TsopsError } from "../../src/core/errors.js"
import { isList, isMap, newMap, type TreeMap, type TreeValue } from "../../src/core/tree.js"
import { readFixture } from "../support/fixtures.js"

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8")

function record(value: TreeValue | undefined): unknown {
  if (isMap(value)) return Object.fromEntries(value.items.flatMap(item => (typeof item.key === "string" ? [[item.key, record(item.value)]] : [])))
  if (isList(value)) return value.items.map(item => record(item.value as TreeValue))
  return value
}

// §11.3 binary KAT, copied from the spec: what `sops encrypt` writes for the bytes 68 65 6c 6c 6f ff 0a.
const katEncrypted = `{
	"data": "ENC[AES256_GCM,data:Y8e7pDt/eQ==,iv:MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=,tag:Jhxqqqqw5gN/UD8+v5SLOg==,type:str]",
	"sops": {
		"age": [
			{
				"enc": "-----BEGIN AGE ENCRYPTED FILE-----\\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBMQkY2enRFdVdkR1o3Ukts\\nRGo4c3NpSE93Rlh5N0ZrSVExNG15d1ppZGp3CjFjQ3hkTHF2MjBJaEUyVjliaGlL\\nZHZQU09wS0tibmk1dEFVWFpuNkIreUkKLS0tIFRmL3hzNHZRTkFDOTNUWVZZcHRC\\nSElBUnFhZWlnSGVMSS9oR0l4OUZBc0UKXKCvgYoZnVLWkJb86vidimYT1XBpK6tL\\n4ni4QAlIIfpDGjdvqSm+djhY5o2bQV6QuYrXdeFQ30JKZrSq/h+6JA==\\n-----END AGE ENCRYPTED FILE-----\\n",
				"recipient": "age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun"
			}
		],
		"lastmodified": "2024-01-01T00:00:00Z",
		"mac": "ENC[AES256_GCM,data:ApdC/OdqnudChGDmpbTcW0/l4AL+Ayjz+CZT4Yth3pgGI0mBoJeBFW0YCPYXkGB8B3dqvcjbHgg6127Pc71IkWXym3DPC8QwDQICPbdSwRlWEUeYsYqogSNTs1YPFfyOFfpRWVH/8Eu2eGAyk2niwNdn747bvpqoj3abiuChnRs=,iv:MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjI=,tag:+RsSpp4dw0Al9jxFXv7Jdg==,type:str]",
		"version": "3.13.2"
	}
}
`
const katPlaintext = Uint8Array.from([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xff, 0x0a])

describe("binary known answers (spec §11.3)", () => {
  it("should read the KAT envelope and re-emit it byte for byte", () => {
    const parsed = store.parse(Buffer.from(katEncrypted))
    expect(record(parsed.branches[0]!)).toEqual({
      data: "ENC[AES256_GCM,data:Y8e7pDt/eQ==,iv:MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=,tag:Jhxqqqqw5gN/UD8+v5SLOg==,type:str]",
    })
    expect(Object.keys(record(parsed.metadata) as object)).toEqual(["age", "lastmodified", "mac", "version"])
    expect(text(store.emit(parsed.branches, { metadata: parsed.metadata as TreeMap }))).toBe(katEncrypted)
  })

  it("should read the KAT payload as bytes and write them back unchanged", () => {
    const parsed = store.parse(katPlaintext)
    expect(parsed.metadata).toBeUndefined()
    const data = parsed.branches[0]!.items[0]!
    expect(data.key).toBe("data")
    expect(data.value).toEqual(katPlaintext)
    expect(store.emit(parsed.branches)).toEqual(katPlaintext)
  })

  it("should write an envelope around an encrypted payload: data, then sops", () => {
    const tree = newMap([{ key: "data", value: "ENC[x]" }])
    const metadata = newMap([{ key: "mac", value: "ENC[m]" }, { key: "version", value: "3.13.2" }])
    expect(text(store.emit([tree], { metadata }))).toBe('{\n\t"data": "ENC[x]",\n\t"sops": {\n\t\t"mac": "ENC[m]",\n\t\t"version": "3.13.2"\n\t}\n}\n')
    expect(text(store.emit([tree], { metadata, indent: 2 }))).toBe('{\n  "data": "ENC[x]",\n  "sops": {\n    "mac": "ENC[m]",\n    "version": "3.13.2"\n  }\n}\n')
  })
})

describe("binary payloads", () => {
  it.each(["reference/plain/random.bin", "reference/dec/random.bin", "reference/plain/notes.txt"])("should keep %s as raw bytes", name => {
    const input = readFixture(name)
    const parsed = store.parse(input)
    expect(parsed.metadata).toBeUndefined()
    expect(Buffer.from(parsed.branches[0]!.items[0]!.value as Uint8Array).equals(input)).toBe(true)
    expect(Buffer.from(store.emit(parsed.branches)).equals(input)).toBe(true)
  })

  it.each([
    ['{"data": "x"}', "no sops member"],
    ['{"data": 1, "sops": {}}', "data is not a string"],
    ['{"data": "x", "sops": "y"}', "sops is not an object"],
    ['{"data": "x", "sops": {}', "not valid JSON"],
    ['[{"data": "x", "sops": {}}]', "not an object"],
  ])("should take %j as a payload (%s)", input => {
    const parsed = store.parse(Buffer.from(input))
    expect(parsed.metadata).toBeUndefined()
    expect(text(parsed.branches[0]!.items[0]!.value as Uint8Array)).toBe(input)
  })

  it("should write a decrypted string payload as its UTF-8 bytes", () => {
    expect(text(store.emit([newMap([{ key: "data", value: "héllo\n" }])]))).toBe("héllo\n")
  })

  it("should refuse trees that hold no payload, with sops's messages", () => {
    const fail = (branches: TreeMap[], message: string) => {
      expect(() => store.emit(branches)).toThrow(`error emitting binary store: ${message}`)
    }
    fail([], "there must be exactly one tree branch")
    fail([newMap([{ key: "other", value: "x" }])], "no binary data found in tree")
    fail([newMap([{ key: "data", value: 1n }])], "'data' key in tree does not have a string value")
  })

  it("should refuse --extract of a single value (spec §9.5)", () => {
    let error: unknown
    try {
      store.emitValue(1n)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(TsopsError)
    expect((error as TsopsError).message).toBe("Binary files are not structured and extracting a single value is not possible")
    expect((error as TsopsError).exitCode).toBe(ExitCode.ErrorDumpingTree)
  })
})

const encryptedFixtures = ["reference/enc/notes.txt", "reference/enc/random.bin", "sops-upstream/example.txt"]

describe("binary metadata of encrypted fixtures", () => {
  it.each(encryptedFixtures)("should read %s as an envelope with its metadata", name => {
    const parsed = store.parse(readFixture(name))
    const metadata = record(parsed.metadata) as Record<string, unknown>
    expect(metadata.mac).toMatch(/^ENC\[AES256_GCM,data:/)
    expect(metadata.lastmodified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(metadata.version).toMatch(/^3\.\d+\.\d+$/)
    const keys = [...((metadata.age as unknown[] | null) ?? []), ...((metadata.pgp as unknown[] | null) ?? [])]
    expect(keys.length).toBeGreaterThan(0)
    const data = parsed.branches[0]!.items.find(item => item.key === "data")!.value
    expect(data).toMatch(/^ENC\[AES256_GCM,data:.*,type:str\]$/)
  })
})
