// updateKeys: plans in sops's diff form without touching keys, then re-wraps the same data key (or a
// new one with rotate) for the keys of the matching .sops.yaml rule; who can decrypt is checked with
// real identities.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  decrypt, describeFilePlan, encrypt, planKeyUpdates, readMetadata, recoverDataKey, updateKeys, DataKeyRecoveryError, TsopsError,
} from "../../src/index.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { generateAgeIdentity, type GeneratedAgeIdentity } from "../../kms/age.js"
import { cleanEnv, tempDir } from "../support/env.js"
import { valuesOf } from "../support/values.js"

const home = tempDir()
afterAll(() => rmSync(home, { recursive: true, force: true }))
const env = (...identities: string[]) => cleanEnv(home, { SOPS_AGE_KEY: identities.join("\n") })

let A: GeneratedAgeIdentity, B: GeneratedAgeIdentity, C: GeneratedAgeIdentity
beforeAll(async () => {
  [A, B, C] = await Promise.all([generateAgeIdentity(), generateAgeIdentity(), generateAgeIdentity()])
})

const plain = "db:\n    user: admin\n    password: hunter2\nport: 5432\n"
const jsonPlain = '{"db": {"user": "admin", "password": "hunter2"}, "port": 5432}'
const plainFor = (name: string) => (name.endsWith(".json") ? jsonPlain : plain)

/** A fresh project directory with a .sops.yaml and files encrypted for `recipients`. */
async function project(config: string, files: Record<string, string[]>): Promise<string> {
  const dir = tempDir("tsops-updatekeys-")
  writeFileSync(join(dir, ".sops.yaml"), config)
  for (const [name, recipients] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true })
    writeFileSync(join(dir, name), await encrypt(plainFor(name), { filename: name, age: recipients.join(","), config: false, env: env() }))
  }
  return dir
}
const cleanup: string[] = []
afterAll(() => cleanup.forEach(dir => rmSync(dir, { recursive: true, force: true })))
const rule = (recipients: GeneratedAgeIdentity[]) => `creation_rules:\n  - age: ${recipients.map(r => r.recipient).join(",")}\n`

async function metadataOf(path: string) {
  return readMetadata((await loadStore(selectFormat(undefined, path))).parse(readFileSync(path)))
}
async function dataKey(path: string, identity: GeneratedAgeIdentity): Promise<string> {
  return Buffer.from(await recoverDataKey(await metadataOf(path), { env: env(identity.identity) })).toString("hex")
}
async function opensWith(path: string, identity: GeneratedAgeIdentity): Promise<boolean> {
  try {
    const out = await decrypt(readFileSync(path), { filename: path, env: env(identity.identity), config: false })
    expect(await valuesOf(out, path)).toEqual(await valuesOf(Buffer.from(plainFor(path)), path))
    return true
  } catch (error) {
    if (error instanceof DataKeyRecoveryError) return false
    throw error
  }
}
const valuePart = (path: string) => readFileSync(path, "utf8").split("\nsops:\n")[0]

describe("planKeyUpdates", () => {
  it("describes the changes as sops does, reading no key", async () => {
    const dir = await project(rule([C, B]), { "s.yaml": [A.recipient, C.recipient] })
    cleanup.push(dir)
    const plan = await planKeyUpdates(["s.yaml"], { cwd: dir, env: env() })
    expect(plan.failed).toEqual([])
    expect(plan.files).toHaveLength(1)
    const [file] = plan.files
    expect(file!.willChange).toBe(true)
    expect(describeFilePlan(file!).map(l => l.text)).toEqual(["Group 1", `    ${C.recipient}`, `+++ ${B.recipient}`, `--- ${A.recipient}`])
  })

  it("needs a .sops.yaml, found from the working directory", async () => {
    const dir = tempDir()
    cleanup.push(dir)
    const error = await planKeyUpdates(["x.yaml"], { cwd: dir, env: env() }).catch(e => e)
    expect(error).toBeInstanceOf(TsopsError)
    expect([error.message, error.exitCode]).toEqual(["config file not found", 1])
  })

  it("walks directories: skips files that are not sops files, .git and node_modules; reports broken sops files", async () => {
    const dir = await project(rule([B]), {
      "tree/a.yaml": [A.recipient],
      "tree/sub/b.json": [A.recipient],
      "tree/.git/c.yaml": [A.recipient],
      "tree/node_modules/d.yaml": [A.recipient],
      "tree/sub/broken.yaml": [A.recipient],
    })
    cleanup.push(dir)
    writeFileSync(join(dir, "tree/README.md"), "# not a sops file\n")
    writeFileSync(join(dir, "tree/plain.yaml"), "just: config\n")
    writeFileSync(join(dir, "tree/bad-syntax.yaml"), "a: [unclosed\n")
    const broken = join(dir, "tree/sub/broken.yaml")
    writeFileSync(broken, readFileSync(broken, "utf8").split("\nsops:\n")[0]!)
    const plan = await planKeyUpdates(["tree"], { cwd: dir, env: env() })
    expect(plan.files.map(f => f.path)).toEqual([join(dir, "tree/a.yaml"), join(dir, "tree/sub/b.json")])
    expect(plan.failed.map(f => [f.path, f.error.message])).toEqual([[broken, "sops metadata not found"]])
  })

  it("reports a file no creation rule matches, and a file named explicitly that is not a sops file", async () => {
    const dir = await project(`creation_rules:\n  - path_regex: ^prod/\n    age: ${B.recipient}\n`, { "prod/a.yaml": [A.recipient], "dev/b.yaml": [A.recipient] })
    cleanup.push(dir)
    writeFileSync(join(dir, "plain.yaml"), "just: config\n")
    const plan = await planKeyUpdates(["prod", "dev", "plain.yaml", "missing.yaml"], { cwd: dir, env: env() })
    expect(plan.files.map(f => f.path)).toEqual([join(dir, "prod/a.yaml")])
    expect(plan.failed.map(f => f.error.message)).toEqual([
      "error loading config: no matching creation rules found",
      `Error: cannot operate on non-existent file "${join(dir, "missing.yaml")}"`,
      "sops metadata not found",
    ])
  })
})

describe("updateKeys", () => {
  it("re-wraps the same data key: values, MAC and lastmodified stay; kept keys keep their entry; removed keys can no longer unwrap", async () => {
    const dir = await project(rule([C, B]), { "s.yaml": [A.recipient, C.recipient] })
    cleanup.push(dir)
    const path = join(dir, "s.yaml")
    const [before, keyBefore, valuesBefore] = [await metadataOf(path), await dataKey(path, A), valuePart(path)]
    const encOfC = before.keyGroups[0]!.find(k => k.entry.recipient === C.recipient)!.entry.enc
    const result = await updateKeys(["s.yaml"], { cwd: dir, env: env(A.identity) })
    expect([result.updated, result.failed]).toEqual([[path], []])
    const after = await metadataOf(path)
    expect(await dataKey(path, B)).toBe(keyBefore)
    expect(valuePart(path)).toBe(valuesBefore)
    expect([after.mac, after.lastModified, after.version]).toEqual([before.mac, before.lastModified, before.version])
    expect(after.keyGroups[0]!.find(k => k.entry.recipient === C.recipient)!.entry.enc).toBe(encOfC)
    expect(await opensWith(path, B)).toBe(true)
    expect(await opensWith(path, A)).toBe(false)
  })

  it("with rotate generates a new data key and re-encrypts every value", async () => {
    const dir = await project(rule([B]), { "s.yaml": [A.recipient], "t.json": [A.recipient] })
    cleanup.push(dir)
    const paths = [join(dir, "s.yaml"), join(dir, "t.json")]
    const keysBefore = await Promise.all(paths.map(p => dataKey(p, A)))
    const result = await updateKeys(["."], { cwd: dir, env: env(A.identity), rotate: true })
    expect(result.updated).toEqual(paths)
    for (const [i, path] of paths.entries()) {
      expect(await dataKey(path, B)).not.toBe(keysBefore[i])
      expect(await opensWith(path, B)).toBe(true)
      expect(await opensWith(path, A)).toBe(false)
    }
  })

  it("leaves files already up to date untouched, and with rotate rotates them too", async () => {
    const dir = await project(rule([A]), { "s.yaml": [A.recipient] })
    cleanup.push(dir)
    const path = join(dir, "s.yaml")
    const [bytes, mtime] = [readFileSync(path), statSync(path).mtimeMs]
    const result = await updateKeys(["s.yaml"], { cwd: dir, env: env(A.identity) })
    expect([result.updated, result.upToDate]).toEqual([[], [path]])
    expect(readFileSync(path).equals(bytes)).toBe(true)
    expect(statSync(path).mtimeMs).toBe(mtime)
    const keyBefore = await dataKey(path, A)
    const rotated = await updateKeys(["s.yaml"], { cwd: dir, env: env(A.identity), rotate: true })
    expect(rotated.updated).toEqual([path])
    expect(await dataKey(path, A)).not.toBe(keyBefore)
  })

  it("asks once for the whole plan; declined, nothing is written", async () => {
    const dir = await project(rule([B]), { "a.yaml": [A.recipient], "b.yaml": [A.recipient] })
    cleanup.push(dir)
    const before = [readFileSync(join(dir, "a.yaml")), readFileSync(join(dir, "b.yaml"))]
    const asked: number[] = []
    const result = await updateKeys(["."], { cwd: dir, env: env(A.identity), confirm: plan => (asked.push(plan.files.length), false) })
    expect(asked).toEqual([2])
    expect(result.confirmed).toBe(false)
    expect(readFileSync(join(dir, "a.yaml")).equals(before[0]!)).toBe(true)
    expect(readFileSync(join(dir, "b.yaml")).equals(before[1]!)).toBe(true)
  })

  it("splits the data key for a rule with key groups and shows the threshold change", async () => {
    const dir = await project(`creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n      - age: [${B.recipient}]\n      - age: [${C.recipient}]\n`, { "s.yaml": [A.recipient] })
    cleanup.push(dir)
    const path = join(dir, "s.yaml")
    const plan = await planKeyUpdates(["s.yaml"], { cwd: dir, env: env() })
    expect(describeFilePlan(plan.files[0]!).map(l => l.text)).toEqual(["+++ shamir_threshold: 2", "Group 1", `+++ ${B.recipient}`, `--- ${A.recipient}`, "Group 2", `+++ ${C.recipient}`])
    await updateKeys(["s.yaml"], { cwd: dir, env: env(A.identity) })
    expect(await opensWith(path, B)).toBe(false)
    const out = await decrypt(readFileSync(path), { filename: path, env: env(B.identity, C.identity), config: false })
    expect(await valuesOf(out, path)).toEqual(await valuesOf(Buffer.from(plain), path))
  })

  it("keeps the entry of a key type tsops cannot use yet when the rule still names it", async () => {
    const arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    const dir = await project(`creation_rules:\n  - kms: ${arn}\n    age: ${B.recipient}\n`, { "s.yaml": [A.recipient] })
    cleanup.push(dir)
    const path = join(dir, "s.yaml")
    const kmsEntry = `    kms:\n        - arn: ${arn}\n          created_at: "2024-01-01T00:00:00Z"\n          enc: AQIDBA==\n          aws_profile: ""\n`
    writeFileSync(path, readFileSync(path, "utf8").replace("\nsops:\n", `\nsops:\n${kmsEntry}`))
    const result = await updateKeys(["s.yaml"], { cwd: dir, env: env(A.identity) })
    expect(result.failed).toEqual([])
    const entries = (await metadataOf(path)).keyGroups[0]!
    expect(entries.find(k => k.type === "kms")!.entry).toMatchObject({ arn, enc: "AQIDBA==" })
    expect(await opensWith(path, B)).toBe(true)
    // Rotating would need the KMS key to wrap the new data key: refused, naming it; the file is kept.
    const bytes = readFileSync(path)
    const rotated = await updateKeys(["s.yaml"], { cwd: dir, env: env(B.identity), rotate: true })
    expect(rotated.failed.map(f => f.error.message)).toEqual([expect.stringContaining(`kms ${arn}`)])
    expect(readFileSync(path).equals(bytes)).toBe(true)
  })

  it("one failing file does not stop the others", async () => {
    const dir = await project(rule([B]), { "a.yaml": [A.recipient], "c.yaml": [C.recipient], "d.yaml": [A.recipient] })
    cleanup.push(dir)
    const unreadable = readFileSync(join(dir, "c.yaml"))
    const result = await updateKeys(["."], { cwd: dir, env: env(A.identity), concurrency: 2 })
    expect(result.updated).toEqual([join(dir, "a.yaml"), join(dir, "d.yaml")])
    expect(result.failed.map(f => [f.path, f.error.exitCode])).toEqual([[join(dir, "c.yaml"), 128]])
    expect(readFileSync(join(dir, "c.yaml")).equals(unreadable)).toBe(true)
  })
})
