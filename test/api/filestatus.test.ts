// filestatus: every file real sops encrypted is encrypted, every plaintext input is not, and so are
// files whose metadata lacks a version or a MAC (spec §10.1).
import { readdirSync, statSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { fileStatus, TsopsError } from "../../src/index.js"
import { fixturePath, readFixture } from "../support/fixtures.js"

const filesIn = (dir: string) => readdirSync(fixturePath(dir)).filter(n => statSync(fixturePath(dir, n)).isFile()).sort()

describe("fileStatus", () => {
  it.each(filesIn("reference/enc"))("reports reference/enc/%s as encrypted", async name => {
    expect(await fileStatus(readFixture("reference/enc", name), { filename: name })).toEqual({ encrypted: true })
  })

  it.each(filesIn("reference/plain"))("reports reference/plain/%s as not encrypted", async name => {
    expect(await fileStatus(readFixture("reference/plain", name), { filename: name })).toEqual({ encrypted: false })
  })

  const basic = readFixture("reference/enc/basic.yaml").toString()
  it.each([
    ["an empty mac", basic.replace(/\n {4}mac: ENC\[[^\]]*\]/, "\n    mac: \"\"")],
    ["no mac", basic.replace(/\n {4}mac: ENC\[[^\]]*\]/, "")],
    ["no version", basic.replace(/\n {4}version: .*/, "")],
  ])("reports a file with %s as not encrypted", async (_, text) => {
    expect(text).not.toBe(basic)
    expect(await fileStatus(text, { filename: "x.yaml" })).toEqual({ encrypted: false })
  })

  it("uses --input-type over the extension", async () => {
    expect(await fileStatus(readFixture("reference/enc/basic.json"), { filename: "x.txt", inputType: "json" })).toEqual({ encrypted: true })
  })

  it("fails with exit 1 and sops's prefix for input that does not parse", async () => {
    const error = await fileStatus('{"a": ', { filename: "x.json" }).catch(e => e)
    expect(error).toBeInstanceOf(TsopsError)
    expect(error.exitCode).toBe(1)
    expect(error.message).toMatch(/^cannot check file status: /)
  })

  it("fails for metadata that is present but malformed", async () => {
    const error = await fileStatus(basic.replace(/lastmodified: .*/, 'lastmodified: "yesterday"'), { filename: "x.yaml" }).catch(e => e)
    expect(error).toBeInstanceOf(TsopsError)
    expect(error.message).toMatch(/^cannot check file status: /)
  })
})
