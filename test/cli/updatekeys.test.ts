// `tsops updatekeys`: the CI scenario of issue 3 (a person leaves: ≥200 files in nested directories,
// .sops.yaml now names B only, `updatekeys --rotate --yes DIR`), the confirmation, the progress bar
// and bad input. In-process (runCli / main with a fake Io) and concurrent, so it stays fast.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { Readable } from "node:stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { main } from "../../src/cli/main.js"
import type { Io } from "../../src/cli/io.js"
import { decrypt, encrypt, readMetadata, recoverDataKey, DataKeyRecoveryError } from "../../src/index.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { generateAgeIdentity, type GeneratedAgeIdentity } from "../../kms/age.js"
import { runCli } from "../support/cli.js"
import { cleanEnv, tempDir } from "../support/env.js"
import { valuesOf } from "../support/values.js"

const dirs: string[] = []
const newDir = () => {
  const dir = tempDir("tsops-updatekeys-cli-")
  dirs.push(dir)
  return dir
}
afterAll(() => dirs.forEach(dir => rmSync(dir, { recursive: true, force: true })))
const home = newDir()
const env = (...identities: string[]) => cleanEnv(home, { SOPS_AGE_KEY: identities.join("\n") })

let A: GeneratedAgeIdentity, B: GeneratedAgeIdentity
beforeAll(async () => {
  [A, B] = await Promise.all([generateAgeIdentity(), generateAgeIdentity()])
})

/** Plaintext of file `i` in its format: every file has its own values. */
function plaintextFor(name: string, i: number): string {
  if (name.endsWith(".json")) return JSON.stringify({ service: `svc-${i}`, password: `pw-${i}-json`, port: 1000 + i, nested: { on: i % 2 === 0 } })
  if (name.endsWith(".env")) return `SERVICE=svc-${i}\nPASSWORD=pw-${i}-env\n`
  if (name.endsWith(".ini")) return `[db]\nuser = svc-${i}\npassword = pw-${i}-ini\n`
  return `service: svc-${i}\npassword: pw-${i}-yaml\nlist:\n    - ${i}\n    - ${i / 2}\n`
}

async function metadataOf(path: string) {
  return readMetadata((await loadStore(selectFormat(undefined, path))).parse(readFileSync(path)))
}
async function dataKeyOf(path: string, identity: GeneratedAgeIdentity): Promise<string> {
  return Buffer.from(await recoverDataKey(await metadataOf(path), { env: env(identity.identity) })).toString("hex")
}

/** A project dir with .sops.yaml naming `recipients` and `names` encrypted for `encryptFor`. */
async function project(recipients: GeneratedAgeIdentity[], names: string[], encryptFor: GeneratedAgeIdentity[]): Promise<string> {
  const dir = newDir()
  writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: ""\n    age: ${recipients.map(r => r.recipient).join(",")}\n`)
  await Promise.all(names.map(async (name, i) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), await encrypt(plaintextFor(name, i), { filename: name, age: encryptFor.map(r => r.recipient).join(","), config: false, env: env() }))
  }))
  return dir
}

/** main() with a fake Io whose stdin/stderr claim to be terminals as asked. */
async function runTty(argv: string[], options: { cwd: string; env: Record<string, string>; answer?: string; stdinTty?: boolean; stderrTty?: boolean }) {
  const out: string[] = []
  const err: string[] = []
  const stdin = Object.assign(Readable.from(options.answer === undefined ? [] : [Buffer.from(options.answer)]), { isTTY: options.stdinTty ?? true })
  const io: Io = {
    stdin,
    stdout: { write: (chunk: string | Uint8Array) => out.push(Buffer.from(chunk).toString()) },
    stderr: { write: (chunk: string | Uint8Array) => err.push(Buffer.from(chunk).toString()), isTTY: options.stderrTty ?? false },
    env: options.env,
    cwd: options.cwd,
  }
  const code = await main(argv, io)
  return { code, stdout: out.join(""), stderr: err.join("") }
}

describe("updatekeys: the CI scenario (a person leaves the team)", () => {
  it("rotates ≥200 files in nested directories to B, reports the one broken file and exits 1", async () => {
    const formats = ["yaml", "json", "env", "ini"]
    const names = Array.from({ length: 204 }, (_, i) => `secrets/team-${i % 3}/svc-${i % 7}/file-${i}.${formats[i % 4]}`)
    const dir = await project([B], names, [A])
    // Not sops files: skipped silently. Inside .git / node_modules: never looked at.
    writeFileSync(join(dir, "secrets/README.md"), "# secrets\n")
    writeFileSync(join(dir, "secrets/team-0/settings.yaml"), "replicas: 3\n")
    mkdirSync(join(dir, "secrets/.git"), { recursive: true })
    writeFileSync(join(dir, "secrets/.git/stale.yaml"), readFileSync(join(dir, names[0]!)))
    const staleBytes = readFileSync(join(dir, "secrets/.git/stale.yaml"))
    // The broken one: its metadata mangled by a bad merge.
    const broken = join(dir, "secrets/team-1/broken.yaml")
    writeFileSync(broken, readFileSync(join(dir, names[0]!), "utf8").replace(/lastmodified: .*/, "lastmodified: <<<<<<< HEAD"))
    const brokenBytes = readFileSync(broken)
    const keysBefore = new Map(await Promise.all(names.map(async name => [name, await dataKeyOf(join(dir, name), A)] as const)))

    const started = performance.now()
    const r = await runCli(["updatekeys", "--rotate", "--yes", "secrets"], { env: env(A.identity), cwd: dir })
    const seconds = (performance.now() - started) / 1000
    console.log(`updatekeys --rotate of ${names.length} files: ${seconds.toFixed(1)} s`)

    expect(r.code).toBe(1)
    const lines = r.stderr.trimEnd().split("\n")
    expect(lines).toEqual([
      expect.stringMatching(/^secrets\/team-1\/broken\.yaml: parsing time "<<<<<<< HEAD"/),
      `updatekeys: updated ${names.length}, already up to date 0, failed 1`,
    ])
    expect(readFileSync(broken).equals(brokenBytes)).toBe(true)
    expect(readFileSync(join(dir, "secrets/.git/stale.yaml")).equals(staleBytes)).toBe(true)
    expect(r.stdout.toString()).toContain(`--- ${A.recipient}`)

    for (const [i, name] of names.entries()) {
      const path = join(dir, name)
      const out = await decrypt(readFileSync(path), { filename: name, env: env(B.identity), config: false })
      expect(await valuesOf(out, name)).toEqual(await valuesOf(Buffer.from(plaintextFor(name, i)), name))
      await expect(decrypt(readFileSync(path), { filename: name, env: env(A.identity), config: false })).rejects.toBeInstanceOf(DataKeyRecoveryError)
      expect(await dataKeyOf(path, B)).not.toBe(keysBefore.get(name))
    }
  })
})

describe("updatekeys: confirmation, progress and output", () => {
  it("prints the plan and refuses without --yes when stdin is not a terminal; nothing changes", async () => {
    const dir = await project([B], ["a.yaml", "b.json"], [A])
    const before = readFileSync(join(dir, "a.yaml"))
    const r = await runCli(["updatekeys", "."], { env: env(A.identity), cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/would change 2 file\(s\) but stdin is not a terminal.*--yes/)])
    const plan = r.stdout.toString()
    expect(plan).toContain("The following changes will be made to the groups of a.yaml:")
    expect(plan).toContain(`Group 1\n+++ ${B.recipient}\n--- ${A.recipient}\n`)
    expect(plan).not.toContain("\u001b[")
    expect(readFileSync(join(dir, "a.yaml")).equals(before)).toBe(true)
  })

  it("asks once on a terminal: n changes nothing, y applies to every file", async () => {
    const dir = await project([B], ["a.yaml", "b.yaml", "c.env"], [A])
    const before = readFileSync(join(dir, "a.yaml"))
    const keyBefore = await dataKeyOf(join(dir, "a.yaml"), A)
    const no = await runTty(["updatekeys", "."], { cwd: dir, env: env(A.identity), answer: "maybe\nn\n" })
    expect(no.code).toBe(0)
    expect(no.stdout.match(/Is this okay\? \(y\/n\):/g)).toHaveLength(2)
    expect(readFileSync(join(dir, "a.yaml")).equals(before)).toBe(true)

    const yes = await runTty(["updatekeys", "."], { cwd: dir, env: env(A.identity), answer: "y\n" })
    expect(yes.code).toBe(0)
    expect(yes.stdout.match(/Is this okay\? \(y\/n\):/g)).toHaveLength(1)
    expect(yes.stderr).toContain("updatekeys: updated 3, already up to date 0, failed 0")
    // Without --rotate the data key stays: B now unwraps the key A used to.
    expect(await dataKeyOf(join(dir, "a.yaml"), B)).toBe(keyBefore)
    await expect(decrypt(readFileSync(join(dir, "c.env")), { filename: "c.env", env: env(B.identity), config: false })).resolves.toBeDefined()
  })

  it("draws a progress bar on a terminal stderr, and none with --quiet", async () => {
    const dir = await project([B], ["a.yaml", "b.yaml"], [A])
    const r = await runTty(["updatekeys", "-y", "."], { cwd: dir, env: env(A.identity), stderrTty: true })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain("2/2 files")
    const dir2 = await project([B], ["a.yaml", "b.yaml"], [A])
    const quiet = await runTty(["updatekeys", "-y", "--quiet", "."], { cwd: dir2, env: env(A.identity), stderrTty: true })
    expect(quiet.code).toBe(0)
    expect(quiet.stderr).not.toContain("files")
    expect(quiet.stdout).toBe("")
    expect(quiet.stderr.trimEnd()).toBe("updatekeys: updated 2, already up to date 0, failed 0")
  })

  it("says which files are already up to date, unless --quiet", async () => {
    const dir = await project([A], ["a.yaml", "sub/b.yaml"], [A])
    const r = await runCli(["updatekeys", "."], { env: env(A.identity), cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      "File a.yaml already up to date",
      "File sub/b.yaml already up to date",
      "updatekeys: updated 0, already up to date 2, failed 0",
    ])
    const quiet = await runCli(["updatekeys", "-q", "."], { env: env(A.identity), cwd: dir })
    expect(quiet.stderr.trimEnd()).toBe("updatekeys: updated 0, already up to date 2, failed 0")
  })
})

describe("updatekeys: bad input", () => {
  it.each([
    [["updatekeys"], 100, /^Error: no file specified$/],
    [["updatekeys", "-y", "missing.yaml"], 100, /^Error: cannot operate on non-existent file ".*missing\.yaml"$/],
    [["updatekeys", "-y", "plain.yaml"], 1, /^sops metadata not found$/],
    [["updatekeys", "-y", "--shamir-secret-sharing-threshold", "-3", "a.yaml"], 1, /^Invalid Shamir threshold -3/],
    [["updatekeys", "-y", "--concurrency", "0", "a.yaml"], 1, /concurrency/],
  ])("%j: one line, exit %i", async (argv, code, message) => {
    const dir = await project([B], ["a.yaml"], [A])
    writeFileSync(join(dir, "plain.yaml"), "password: hunter2-SECRET\n")
    const before = readFileSync(join(dir, "a.yaml"))
    const r = await runCli(argv, { env: env(A.identity), cwd: dir })
    expect(r.code).toBe(code)
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(message)])
    expect(r.stderr).not.toContain("hunter2")
    expect(readFileSync(join(dir, "a.yaml")).equals(before)).toBe(true)
  })

  it("needs a .sops.yaml (found from the working directory): `config file not found`, exit 1", async () => {
    const dir = newDir()
    writeFileSync(join(dir, "a.yaml"), "x: 1\n")
    const r = await runCli(["updatekeys", "-y", "a.yaml"], { env: env(), cwd: dir })
    expect([r.code, r.stderr]).toEqual([1, "config file not found\n"])
  })

  it("one file named alone fails as sops fails: its own message and exit code (128: no identity)", async () => {
    const dir = await project([B], ["a.yaml"], [A])
    const before = readFileSync(join(dir, "a.yaml"))
    const r = await runCli(["updatekeys", "-y", "a.yaml"], { env: env(B.identity), cwd: dir })
    expect(r.code).toBe(128)
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^Failed to get the data key/)])
    expect(readFileSync(join(dir, "a.yaml")).equals(before)).toBe(true)
  })
})
