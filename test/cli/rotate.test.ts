// `tsops rotate` and the legacy `tsops -r`: flags to library options, output to stdout / -i /
// --output, --add-*/--rm-* for every key type, and bad input (one line, sops's exit code, the
// original never lost).
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { decrypt, encrypt, readMetadata, recoverDataKey, DataKeyRecoveryError } from "../../src/index.js"
import { loadStore } from "../../formats/index.js"
import { keyTypes } from "../../kms/index.js"
import { fixturePath, readFixture } from "../support/fixtures.js"
import { cleanEnv, tempDir } from "../support/env.js"
import { runCli } from "../support/cli.js"
import { valuesOf } from "../support/values.js"

const dir = tempDir()
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const identity = (name: "a" | "b" | "c") =>
  readFixture("reference/keys", `age-${name}.txt`).toString().split("\n").find(l => l.startsWith("AGE-SECRET-KEY-"))!
const recipients = Object.fromEntries(readFixture("reference/keys/recipients.txt").toString().trim().split("\n").map(l => l.split("=") as [string, string]))
const env = (...names: ("a" | "b" | "c")[]) => cleanEnv(dir, { SOPS_AGE_KEY: names.map(identity).join("\n") })
const cli = (argv: string[], ...names: ("a" | "b" | "c")[]) => runCli(argv, { env: env(...names), cwd: dir })

// multi-recipient's plaintext encrypted for A and B (the fixture also has a PGP key, whose public key
// rotating would need); the fixture itself is used where the PGP key is removed.
const file = join(dir, "secrets.yaml")
let encrypted: Uint8Array
beforeAll(async () => {
  encrypted = await encrypt(readFixture("reference/plain/multi-recipient.yaml"), {
    filename: "secrets.yaml", age: `${recipients.A},${recipients.B}`, config: false, env: env(),
  })
})
beforeEach(() => writeFileSync(file, encrypted))

const dataKey = async (bytes: Uint8Array, ...names: ("a" | "b" | "c")[]) =>
  Buffer.from(await recoverDataKey(readMetadata((await loadStore("yaml")).parse(bytes)), { env: env(...names) })).toString("hex")
async function opens(bytes: Uint8Array, ...names: ("a" | "b" | "c")[]): Promise<boolean> {
  try {
    const out = await decrypt(bytes, { filename: "x.yaml", env: env(...names), config: false })
    expect(await valuesOf(out, "x.yaml")).toEqual(await valuesOf(readFixture("reference/dec/multi-recipient.yaml"), "x.yaml"))
    return true
  } catch (error) {
    if (error instanceof DataKeyRecoveryError) return false
    throw error
  }
}

describe("tsops rotate", () => {
  it("prints the rotated file on stdout: a new data key, same values; the file itself is untouched", async () => {
    const original = readFileSync(file)
    const r = await cli(["rotate", "secrets.yaml"], "a")
    expect([r.code, r.stderr]).toEqual([0, ""])
    expect(readFileSync(file).equals(original)).toBe(true)
    expect(await dataKey(r.stdout, "a")).not.toBe(await dataKey(original, "a"))
    expect(await opens(r.stdout, "b")).toBe(true)
  })

  it("-i --rm-age A --add-age C: A can no longer decrypt, C can", async () => {
    expect(await opens(readFileSync(file), "c")).toBe(false)
    const r = await cli(["rotate", "-i", "--rm-age", recipients.A!, "--add-age", recipients.C!, "secrets.yaml"], "a")
    expect([r.code, r.stderr, r.stdout.length]).toEqual([0, "", 0])
    const rotated = readFileSync(file)
    expect(await opens(rotated, "a")).toBe(false)
    expect(await opens(rotated, "c")).toBe(true)
    expect(await opens(rotated, "b")).toBe(true)
  })

  it("legacy `tsops -r`: --output writes the rotated file, --rm-pgp drops the PGP key", async () => {
    copyFileSync(fixturePath("reference/enc/multi-recipient.yaml"), join(dir, "with-pgp.yaml"))
    const r = await cli(["-r", "--rm-pgp", recipients.PGP!, "--output", "out.yaml", "with-pgp.yaml"], "b")
    expect([r.code, r.stderr]).toEqual([0, ""])
    const out = readFileSync(join(dir, "out.yaml"))
    expect(Buffer.from(out).toString()).not.toContain(recipients.PGP!)
    expect(await dataKey(out, "b")).not.toBe(await dataKey(readFileSync(join(dir, "with-pgp.yaml")), "b"))
    expect(await opens(out, "a")).toBe(true)
  })

  it("has --add-… and --rm-… flags for every key type of the key-type table", async () => {
    const help = (await cli(["rotate", "--help"])).stdout.toString()
    const rootHelp = (await cli(["--help"])).stdout.toString()
    for (const entry of Object.values(keyTypes)) {
      for (const text of [help, rootHelp]) {
        expect(text).toContain(`--add-${entry.flag} <list>`)
        expect(text).toContain(`--rm-${entry.flag} <list>`)
      }
    }
  })
})

describe("tsops rotate: bad input", () => {
  const secret = "hunter2"
  it.each([
    [["rotate", "--add-age", "AGE", "missing.yaml"], 49, /^Error: cannot add or remove keys on non-existent file ".*missing\.yaml", use the `edit` subcommand instead\.$/],
    [["-r", "--rm-age", "AGE", "missing.yaml"], 49, /^Error: cannot add or remove keys on non-existent file ".*missing\.yaml", use `--kms` and `--pgp` instead\.$/],
    [["rotate", "missing.yaml"], 100, /^Error: cannot operate on non-existent file ".*missing\.yaml"$/],
    [["rotate"], 100, /^Error: no file specified$/],
    [["rotate", "-i", "--output", "o.yaml", "secrets.yaml"], 8, /^Error: cannot operate on both --output and --in-place$/],
    [["rotate", "-i", "--rm-age", "UNKNOWN", "secrets.yaml"], 1, /^Cannot remove age key age1lm7y06e.*: the file has no such master key$/],
    [["rotate", "-i", "--add-age", "not-a-recipient", "secrets.yaml"], 1, /not-a-recipient/],
    [["rotate", "--output", "secrets.yaml/sub/out.yaml", "secrets.yaml"], 3, /^Could not open output file for writing: ENOTDIR: /],
    [["rotate", "-i", "plain.yaml"], 1, /^sops metadata not found$/],
  ])("%j: one line, exit %i, the file kept", async (argv, code, message) => {
    writeFileSync(join(dir, "plain.yaml"), `password: ${secret}\n`)
    const args = argv.map(a => (a === "AGE" ? recipients.A! : a === "UNKNOWN" ? recipients.C! : a))
    const before = readFileSync(file)
    const r = await cli(args, "a")
    expect(r.code).toBe(code)
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(message)])
    expect(r.stderr).not.toContain(secret)
    expect(r.stdout.length).toBe(0)
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(existsSync(join(dir, "missing.yaml"))).toBe(false)
  })

  it("without an identity for the file: exit 128, the file kept", async () => {
    const before = readFileSync(file)
    const r = await cli(["rotate", "-i", "secrets.yaml"], "c")
    expect(r.code).toBe(128)
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(readFileSync(file).equals(before)).toBe(true)
  })
})
