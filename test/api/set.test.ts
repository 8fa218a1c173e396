// set / unset in the library: sops's typing of JSON values (spec §10.4), paths, the MAC after the
// change, minimal diffs, and the errors with their exit codes.
import { describe, expect, it } from "vitest"
import { decrypt } from "../../src/api/decrypt.js"
import { openEncrypted } from "../../src/api/load-encrypted.js"
import { KeyNotFoundError, parseSetArgument, parseSetValue, set, unset } from "../../src/api/set.js"
import { TsopsError } from "../../src/core/errors.js"
import { newList, newMap } from "../../src/core/tree.js"
import { loadStore } from "../../formats/index.js"
import { ageKeyFile } from "../support/env.js"
import { readFixture } from "../support/fixtures.js"
import { typed, valuesOf } from "../support/values.js"

const env = { SOPS_AGE_KEY_FILE: ageKeyFile("a") }
const basic = readFixture("reference/enc/basic.yaml")
const options = { filename: "basic.yaml", env }

async function decrypted(bytes: Uint8Array, name = "basic.yaml") {
  return (await valuesOf(await decrypt(bytes, { filename: name, env }), name))[0]
}

async function failure(promise: Promise<unknown>): Promise<TsopsError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(TsopsError)
  return error as TsopsError
}

const lineOf = (text: string, key: string) => text.split("\n").find(line => line.trimStart().startsWith(`${key}:`))

describe("parseSetValue", () => {
  it("should type JSON scalars like Go's generic decoding: every number is a float", async () => {
    expect(await parseSetValue("5")).toBe(5)
    expect(await parseSetValue("-0")).toBe(-0)
    expect(await parseSetValue('"text"')).toBe("text")
    expect(await parseSetValue("true")).toBe(true)
    expect(await parseSetValue("null")).toBe(null)
  })

  it("should decode objects with the JSON store: order kept, integers stay ints", async () => {
    const value = await parseSetValue('{"b": 1, "a": 2.5, "sops": {"nested": [1, "x"]}}')
    expect(typed(value)).toEqual({ map: [["b", { int: "1" }], ["a", { float: "2.5" }], ["sops", { map: [["nested", [{ int: "1" }, "x"]]] }]] })
  })

  it.each([
    ["[1, 2]", "Invalid --set value format"],
    ["{\"a\": ", "Value for --set is not valid JSON"],
    ["secret-not-json", "Value for --set is not valid JSON"],
    ["1e400", "Value for --set is not valid JSON"],
  ])("should refuse %s with exit 7", async (json, message) => {
    const error = await failure(parseSetValue(json))
    expect(error.exitCode).toBe(7)
    expect(error.message).toBe(message)
  })

  it("should split the legacy --set argument after the first '] '", async () => {
    expect(await parseSetArgument('["a"]["b c"] {"x": 1}')).toEqual({ path: ["a", "b c"], value: newMap([{ key: "x", value: 1n }]) })
    expect((await failure(parseSetArgument('["a"]"x"'))).message).toBe("Invalid --set format")
    expect((await failure(parseSetArgument('["a"]["b"] [1]'))).exitCode).toBe(7)
  })
})

describe("set", () => {
  it("should store a JSON number as type float, and change nothing else but lastmodified and mac", async () => {
    const { output, changed } = await set(basic, '["app"]["port"]', await parseSetValue("5"), options)
    expect(changed).toBe(true)
    const before = basic.toString().split("\n")
    const after = Buffer.from(output).toString().split("\n")
    expect(after).toHaveLength(before.length)
    const differing = before.flatMap((line, i) => (line === after[i] ? [] : [line.trim().split(":")[0]]))
    expect(differing).toEqual(["port", "lastmodified", "mac"])
    expect(lineOf(Buffer.from(output).toString(), "port")).toMatch(/type:float\]$/)
    // The decrypted tree (not a re-parse of its text, where `5` reads as an int) holds a float.
    const opened = await openEncrypted(await loadStore("yaml"), output, { env })
    expect(JSON.stringify(typed(opened.parsed.branches[0]!))).toContain('["port",{"float":"5"}]')
  })

  it("should create missing maps for a nested new path, appended at the end", async () => {
    const { output } = await set(basic, '["new"]["deep"]["key"]', "v", options)
    const plain = Buffer.from(await decrypt(output, { filename: "basic.yaml", env })).toString()
    expect(plain.endsWith("new:\n    deep:\n        key: v\n")).toBe(true)
  })

  it("should set a JSON object as a branch and append past the end of a list", async () => {
    const withObject = (await set(basic, '["app"]["db"]', await parseSetValue('{"host": "h", "port": 5432}'), options)).output
    const withElement = (await set(withObject, '["list"][99]', "appended", options)).output
    const values = JSON.stringify(await decrypted(withElement))
    expect(values).toContain('["db",{"map":[["host","h"],["port",{"int":"5432"}]]}]')
    expect(values).toContain('"appended"]')
  })

  it("should report an unchanged value (same type) as not changed, a retyped one as changed", async () => {
    expect((await set(basic, '["app"]["name"]', "demo", options)).changed).toBe(false)
    expect((await set(basic, '["app"]["port"]', 8080n, options)).changed).toBe(false)
    expect((await set(basic, '["app"]["port"]', 8080, options)).changed).toBe(true)
  })

  it("should refuse a top-level sops key (exit 203) and a bad index (exit 7)", async () => {
    expect((await failure(set(basic, '["sops"]', "x", options))).exitCode).toBe(203)
    const bad = await failure(set(basic, '["app"', "x", options))
    expect(bad.exitCode).toBe(7)
    expect(bad.message).toMatch(/^Invalid set index format/)
    expect((await failure(set(basic, "", "x", options))).exitCode).toBe(7)
  })

  it("should keep the other values' ciphertext in JSON, equal list elements included", async () => {
    const json = readFixture("reference/enc/basic.json")
    const { output } = await set(json, '["name"]', "changed", { filename: "basic.json", env })
    const before = json.toString().split("\n")
    const after = Buffer.from(output).toString().split("\n")
    expect(before.flatMap((line, i) => (line === after[i] ? [] : [line.trim().split(":")[0]]))).toEqual(['"name"', '"lastmodified"', '"mac"'])
  })

  it("should fail like decrypt when the key is wrong (exit 128), without touching anything", async () => {
    const error = await failure(set(basic, '["a"]', "x", { filename: "basic.yaml", env: { SOPS_AGE_KEY_FILE: ageKeyFile("b") } }))
    expect(error.exitCode).toBe(128)
  })
})

describe("unset", () => {
  it("should remove a key and keep the MAC valid", async () => {
    const { output, changed } = await unset(basic, '["app"]["port"]', options)
    expect(changed).toBe(true)
    expect(Buffer.from(output).toString()).not.toMatch(/^ {4}port:/m)
    const plain = Buffer.from(await decrypt(output, { filename: "basic.yaml", env })).toString()
    expect(plain).not.toContain("port:")
    expect(plain).toContain("name: demo\n")
  })

  it("should remove a list element", async () => {
    const { output } = await unset(basic, '["list"][0]', options)
    expect(JSON.stringify(await decrypted(output))).toContain('["list",[{"int":"2"}')
  })

  it.each([
    ['["nope"]', "Key not found: nope"],
    ['["app"]["nope"]', "Key not found: nope"],
    ['["list"][99]', "Index 99 out of bounds"],
  ])("should fail for %s with exit 1, or return the file unchanged with idempotent", async (path, message) => {
    const error = await failure(unset(basic, path, options))
    expect(error).toBeInstanceOf(KeyNotFoundError)
    expect(error.exitCode).toBe(1)
    expect(error.message).toBe(message)
    const { output, changed } = await unset(basic, path, { ...options, idempotent: true })
    expect(changed).toBe(false)
    expect(Buffer.from(output).equals(basic)).toBe(true)
  })

  it("should refuse a bad index with exit 7", async () => {
    const error = await failure(unset(basic, "app", options))
    expect(error.exitCode).toBe(7)
    expect(error.message).toMatch(/^Invalid unset index format/)
  })

  it("should leave a dotenv file decryptable after removing a line", async () => {
    const envFile = readFixture("reference/enc/basic.env")
    const { output } = await unset(envFile, '["EMPTY"]', { filename: "basic.env", env })
    const plain = Buffer.from(await decrypt(output, { filename: "basic.env", env })).toString()
    expect(plain).not.toContain("EMPTY=")
    expect(plain).toContain("WITH_EQUALS=a=b=c\n")
  })
})

describe("values the tree contract builds", () => {
  it("should accept tree values from library callers", async () => {
    const { output } = await set(basic, ["app", "list"], newList([{ value: 1n }, { value: "two" }]), options)
    expect(JSON.stringify(await decrypted(output))).toContain('["list",[{"int":"1"},"two"]]')
  })
})
