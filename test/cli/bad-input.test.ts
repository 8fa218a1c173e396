// Bad input: one clear line on stderr, sops's exit code, no stack trace, no secret, no partial output.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { readFixture } from "../support/fixtures.js"
import { cleanEnv, tempDir } from "../support/env.js"
import { runCli } from "../support/cli.js"

const dir = tempDir()
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const recipientA = "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7"
const env = cleanEnv(dir, { SOPS_AGE_KEY: readFixture("reference/keys/age-a.txt").toString() })
const secret = "hunter2-SECRET"

function expectOneCleanLine(stderr: string): void {
  const lines = stderr.trimEnd().split("\n")
  expect(lines).toHaveLength(1)
  expect(stderr).not.toMatch(/\n\s+at /)
  expect(stderr).not.toContain(secret)
}

async function cli(argv: string[], extraEnv: Record<string, string> = {}) {
  return runCli(argv, { env: { ...env, ...extraEnv }, cwd: dir })
}

describe("malformed plaintext input", () => {
  it.each([
    ["bad.yaml", `a: 1\nb: [unclosed, ${secret}\n`],
    ["dup.yaml", `password: ${secret}\npassword: again\n`],
    ["bad.json", `{"password": ${secret}}`],
    ["bad.env", `GOOD=1\n${secret}\n`],
    ["bad.ini", `[section\nkey = ${secret}\n`],
  ])("refuses %s with exit 2 and writes no output", async (name, text) => {
    writeFileSync(join(dir, name), text)
    const out = join(dir, `${name}.out`)
    const r = await cli(["encrypt", "--age", recipientA, "--output", out, name])
    expect(r.code).toBe(2)
    expectOneCleanLine(r.stderr)
    expect(existsSync(out)).toBe(false)
  })
})

describe("tampered encrypted files", () => {
  const original = readFixture("reference/enc/basic.yaml").toString()
  const valueLine = original.split("\n").find(l => l.includes("port: ENC["))!
  const macLine = original.split("\n").find(l => l.includes("mac: ENC["))!
  const positions = (line: string) => {
    const start = line.indexOf("ENC[")
    return Array.from({ length: line.length - start }, (_, i) => start + i)
  }
  const flip = (line: string, at: number) => line.slice(0, at) + (line[at] === "A" ? "B" : line[at] === "]" ? ")" : "A") + line.slice(at + 1)

  it("refuses every single-byte change of an encrypted value (exit 25) and leaves -i targets untouched", async () => {
    for (const at of positions(valueLine)) {
      const path = join(dir, "tampered.yaml")
      const text = original.replace(valueLine, flip(valueLine, at))
      writeFileSync(path, text)
      const r = await cli(["decrypt", "-i", "tampered.yaml"])
      expect(r.code, `byte ${at}: ${flip(valueLine, at).slice(at - 3, at + 3)}`).toBe(25)
      expectOneCleanLine(r.stderr)
      expect(readFileSync(path, "utf8")).toBe(text)
    }
  })

  it("refuses every single-byte change of the MAC (exit 51)", async () => {
    for (const at of positions(macLine)) {
      writeFileSync(join(dir, "mac.yaml"), original.replace(macLine, flip(macLine, at)))
      const r = await cli(["decrypt", "mac.yaml"])
      expect(r.code, `byte ${at}`).toBe(51)
      expectOneCleanLine(r.stderr)
    }
  })
})

describe("metadata problems", () => {
  const original = readFixture("reference/enc/basic.yaml").toString()
  it.each([
    ["missing sops block", original.slice(0, original.indexOf("sops:")), /sops metadata not found/],
    ["sops not a mapping", `${original.slice(0, original.indexOf("sops:"))}sops: 5\n`, /not a mapping/],
    ["missing lastmodified", original.replace(/ {4}lastmodified: .*\n/, ""), /parsing time/],
    ["non-semver version", original.replace("version: 3.8.1", "version: banana"), /version/i],
    ["empty version", original.replace("version: 3.8.1", 'version: ""'), /Version string empty/],
  ])("refuses a file with %s (exit 1)", async (_, text, message) => {
    writeFileSync(join(dir, "meta.yaml"), text)
    const r = await cli(["decrypt", "meta.yaml"])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(message)
    expectOneCleanLine(r.stderr)
  })
})

describe("keys", () => {
  it("exits 128 with the wrong key, naming the recipient", async () => {
    writeFileSync(join(dir, "b.yaml"), readFixture("reference/enc/basic.yaml"))
    const r = await cli(["decrypt", "b.yaml"], { SOPS_AGE_KEY: readFixture("reference/keys/age-c.txt").toString() })
    expect(r.code).toBe(128)
    expect(r.stderr).toContain(recipientA)
    expectOneCleanLine(r.stderr)
  })

  it("exits 128 with no key at all", async () => {
    const r = await runCli(["decrypt", "b.yaml"], { env: cleanEnv(dir), cwd: dir })
    expect(r.code).toBe(128)
  })

  it("refuses to encrypt without any key (exit 1)", async () => {
    writeFileSync(join(dir, "plain.yaml"), `password: ${secret}\n`)
    const r = await runCli(["encrypt", "plain.yaml"], { env: cleanEnv(dir), cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no keys provided/)
  })

  it("refuses to encrypt a file that is already encrypted (exit 203)", async () => {
    writeFileSync(join(dir, "again.yaml"), readFixture("reference/enc/basic.yaml"))
    const r = await cli(["encrypt", "--age", recipientA, "-i", "again.yaml"])
    expect(r.code).toBe(203)
    expectOneCleanLine(r.stderr)
    expect(readFileSync(join(dir, "again.yaml"))).toEqual(readFixture("reference/enc/basic.yaml"))
  })

  it("refuses an age plugin recipient with a clear error", async () => {
    writeFileSync(join(dir, "p.yaml"), "a: 1\n")
    const r = await cli(["encrypt", "--age", "age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t", "p.yaml"])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/plugin/)
    expectOneCleanLine(r.stderr)
  })
})
