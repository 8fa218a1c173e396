// `tsops groups add` / `groups delete` on a copy of reference/enc/shamir.yaml (groups A, B, C;
// threshold 2): repeatable key flags, -i, --shamir-secret-sharing-threshold, bad input.
import { copyFileSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { decrypt, readMetadata, DataKeyRecoveryError } from "../../src/index.js"
import { loadStore } from "../../formats/index.js"
import { generateAgeIdentity, type GeneratedAgeIdentity } from "../../kms/age.js"
import { fixturePath, readFixture } from "../support/fixtures.js"
import { cleanEnv, tempDir } from "../support/env.js"
import { runCli } from "../support/cli.js"
import { valuesOf } from "../support/values.js"

const dir = tempDir()
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const identity = (name: "a" | "b" | "c") =>
  readFixture("reference/keys", `age-${name}.txt`).toString().split("\n").find(l => l.startsWith("AGE-SECRET-KEY-"))!
const [A, B, C] = [identity("a"), identity("b"), identity("c")]
const env = (...identities: string[]) => cleanEnv(dir, { SOPS_AGE_KEY: identities.join("\n") })
const cli = (argv: string[], ...identities: string[]) => runCli(argv, { env: env(...identities), cwd: dir })

const file = join(dir, "shamir.yaml")
beforeEach(() => copyFileSync(fixturePath("reference/enc/shamir.yaml"), file))
let D: GeneratedAgeIdentity, E: GeneratedAgeIdentity
beforeAll(async () => {
  [D, E] = await Promise.all([generateAgeIdentity(), generateAgeIdentity()])
})

async function opens(bytes: Uint8Array, ...identities: string[]): Promise<boolean> {
  try {
    const out = await decrypt(bytes, { filename: "shamir.yaml", env: env(...identities), config: false })
    expect(await valuesOf(out, "x.yaml")).toEqual(await valuesOf(readFixture("reference/dec/shamir.yaml"), "x.yaml"))
    return true
  } catch (error) {
    if (error instanceof DataKeyRecoveryError) return false
    throw error
  }
}
const groupsOf = async (bytes: Uint8Array) => readMetadata((await loadStore("yaml")).parse(bytes)).keyGroups

describe("tsops groups", () => {
  it("add -i with repeated --age: one new group holding both keys; D with A decrypts, D alone does not", async () => {
    const r = await cli(["groups", "add", "-i", "-f", "shamir.yaml", "--age", D.recipient, "--age", E.recipient, "--shamir-secret-sharing-threshold", "2"], A, B)
    expect([r.code, r.stderr, r.stdout.length]).toEqual([0, "", 0])
    const out = readFileSync(file)
    const groups = await groupsOf(out)
    expect(groups).toHaveLength(4)
    expect(groups[3]!.map(k => k.entry.recipient)).toEqual([D.recipient, E.recipient])
    expect(await opens(out, D.identity, A)).toBe(true)
    expect(await opens(out, E.identity, C)).toBe(true)
    expect(await opens(out, D.identity, E.identity)).toBe(false)
  })

  it("delete prints to stdout without -i: group 0 gone, so A no longer counts; the file is untouched", async () => {
    const before = readFileSync(file)
    const r = await cli(["groups", "delete", "-f", "shamir.yaml", "0"], B, C)
    expect([r.code, r.stderr]).toEqual([0, ""])
    expect(readFileSync(file).equals(before)).toBe(true)
    expect(await groupsOf(r.stdout)).toHaveLength(2)
    expect(await opens(r.stdout, A, B)).toBe(false)
    expect(await opens(r.stdout, B, C)).toBe(true)
  })
})

describe("tsops groups: bad input", () => {
  it.each([
    [["groups", "add", "--age", "D"], 100, /^Error: no file specified/],
    [["groups", "add", "-f", "missing.yaml", "--age", "D"], 100, /^Error: cannot operate on non-existent file ".*missing\.yaml"$/],
    [["groups", "add", "-i", "-f", "shamir.yaml"], 1, /^no master keys given for the new key group/],
    [["groups", "add", "-i", "-f", "shamir.yaml", "--age", "not-a-recipient"], 1, /not-a-recipient/],
    [["groups", "add", "-i", "-f", "shamir.yaml", "--age", "D", "--shamir-secret-sharing-threshold", "9"], 1, /^Invalid Shamir threshold 9: the file would have only 4 key groups$/],
    [["groups", "add", "-i", "-f", "shamir.yaml", "--age", "D", "--shamir-secret-sharing-threshold", "1"], 1, /^Invalid Shamir threshold 1/],
    [["groups", "delete", "-i", "-f", "shamir.yaml", "7"], 1, /^Invalid key group index 7: the file has 3 key group/],
    [["groups", "delete", "-i", "-f", "shamir.yaml", "first"], 1, /^failed to parse \[index\] argument/],
    [["groups", "delete", "-i", "-f", "shamir.yaml"], 1, /^error: exactly one positional argument \(index\) required$/],
    [["groups", "delete", "-i", "-f", "shamir.yaml", "--shamir-secret-sharing-threshold", "3", "0"], 1, /^removing this key group will make the Shamir threshold impossible to satisfy/],
  ])("%j: one line, exit %i, the file kept", async (argv, code, message) => {
    const before = readFileSync(file)
    const r = await cli(argv.map(a => (a === "D" ? D.recipient : a)), A, B)
    expect(r.code).toBe(code)
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(message)])
    expect(r.stdout.length).toBe(0)
    expect(readFileSync(file).equals(before)).toBe(true)
  })

  it("without enough identities for the data key: exit 128, the file kept", async () => {
    const before = readFileSync(file)
    const r = await cli(["groups", "delete", "-i", "-f", "shamir.yaml", "0"], A)
    expect(r.code).toBe(128)
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(readFileSync(file).equals(before)).toBe(true)
  })
})
