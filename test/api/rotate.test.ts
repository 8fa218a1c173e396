// rotate: a new data key, every value re-encrypted (IVs reused, spec §2.4), keys added to group 0
// and removed from every group; who can decrypt afterwards is checked with real identities.
import { rmSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { decrypt, encrypt, readMetadata, recoverDataKey, rotate, DataKeyRecoveryError, TsopsError } from "../../src/index.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { generateAgeIdentity, type GeneratedAgeIdentity } from "../../kms/age.js"
import { readFixture } from "../support/fixtures.js"
import { cleanEnv, gnupgHomeWithTestKeys, tempDir } from "../support/env.js"
import { valuesOf } from "../support/values.js"

const home = tempDir()
afterAll(() => rmSync(home, { recursive: true, force: true }))
const env = (...identities: string[]) => cleanEnv(home, { SOPS_AGE_KEY: identities.join("\n") })
const fixtureIdentity = (name: "a" | "b" | "c") =>
  readFixture("reference/keys", `age-${name}.txt`).toString().split("\n").find(l => l.startsWith("AGE-SECRET-KEY-"))!
const recipients = Object.fromEntries(readFixture("reference/keys/recipients.txt").toString().trim().split("\n").map(l => l.split("=") as [string, string]))

async function dataKey(bytes: Uint8Array, filename: string, identities: string[]): Promise<Buffer> {
  const store = await loadStore(selectFormat(undefined, filename))
  return Buffer.from(await recoverDataKey(readMetadata(store.parse(bytes)), { env: env(...identities) }))
}

async function canDecrypt(bytes: Uint8Array, filename: string, identities: string[]): Promise<boolean> {
  try {
    await decrypt(bytes, { filename, env: env(...identities), config: false })
    return true
  } catch (error) {
    if (error instanceof DataKeyRecoveryError) return false
    throw error
  }
}

const plain = `# config
db:
    user: admin
    password: hunter2
    port: 5432
list:
    - a
    - 1.5
    - true
token_unencrypted: visible
`

let a: GeneratedAgeIdentity, b: GeneratedAgeIdentity, c: GeneratedAgeIdentity
let encrypted: Uint8Array
beforeAll(async () => {
  [a, b, c] = await Promise.all([generateAgeIdentity(), generateAgeIdentity(), generateAgeIdentity()])
  encrypted = await encrypt(plain, { filename: "s.yaml", age: `${a.recipient},${b.recipient}`, config: false, env: env() })
})

const encOf = (text: string, key: string) => new RegExp(`${key}: (ENC\\[[^\\]]*\\])`).exec(text)?.[1]
const partsOf = (enc: string) => Object.fromEntries(enc.slice(4, -1).split(",").slice(1).map(p => p.split(/:(.*)/s).slice(0, 2) as [string, string]))

describe("rotate", () => {
  it("generates a new data key and keeps every value, the version and the metadata order", async () => {
    const rotated = await rotate(encrypted, { filename: "s.yaml", env: env(a.identity), config: false })
    expect((await dataKey(rotated, "s.yaml", [a.identity])).equals(await dataKey(encrypted, "s.yaml", [a.identity]))).toBe(false)
    const out = await decrypt(rotated, { filename: "s.yaml", env: env(b.identity), config: false })
    expect(await valuesOf(out, "s.yaml")).toEqual(await valuesOf(Buffer.from(plain), "s.yaml"))
    const before = Buffer.from(encrypted).toString()
    const after = Buffer.from(rotated).toString()
    expect(after).toContain("token_unencrypted: visible")
    const fieldOrder = (text: string) => text.slice(text.indexOf("\nsops:")).split("\n").filter(l => /^ {4}\w/.test(l)).map(l => l.trim().split(":")[0])
    expect(fieldOrder(after)).toEqual(fieldOrder(before))
    expect(readMetadata((await loadStore("yaml")).parse(rotated)).version).toBe(readMetadata((await loadStore("yaml")).parse(encrypted)).version)
  })

  it("reuses each value's IV with the new key (spec §2.4), so only data and tag change", async () => {
    const rotated = Buffer.from(await rotate(encrypted, { filename: "s.yaml", env: env(a.identity), config: false })).toString()
    const before = Buffer.from(encrypted).toString()
    for (const key of ["user", "password", "port"]) {
      const [x, y] = [partsOf(encOf(before, key)!), partsOf(encOf(rotated, key)!)]
      expect(y.iv).toBe(x.iv)
      expect(y.tag).not.toBe(x.tag)
    }
  })

  it("removes keys from every group: a removed recipient can no longer decrypt, the others still can", async () => {
    const rotated = await rotate(encrypted, { filename: "s.yaml", remove: { age: a.recipient }, env: env(a.identity), config: false })
    expect(await canDecrypt(rotated, "s.yaml", [a.identity])).toBe(false)
    expect(await canDecrypt(rotated, "s.yaml", [b.identity])).toBe(true)
    expect(Buffer.from(rotated).toString()).not.toContain(a.recipient)
  })

  it("adds keys to the first group: an added recipient can decrypt", async () => {
    expect(await canDecrypt(encrypted, "s.yaml", [c.identity])).toBe(false)
    const rotated = await rotate(encrypted, { filename: "s.yaml", add: { age: c.recipient }, env: env(a.identity), config: false })
    expect(await canDecrypt(rotated, "s.yaml", [c.identity])).toBe(true)
    expect(await canDecrypt(rotated, "s.yaml", [a.identity])).toBe(true)
  })

  it("splits the new data key afresh for files with key groups (reference shamir.yaml: any two of A, B, C)", async () => {
    const input = readFixture("reference/enc/shamir.yaml")
    const [ka, kb, kc] = [fixtureIdentity("a"), fixtureIdentity("b"), fixtureIdentity("c")]
    const rotated = await rotate(input, { filename: "shamir.yaml", env: env(ka, kb), config: false })
    expect((await dataKey(rotated, "shamir.yaml", [kb, kc])).equals(await dataKey(input, "shamir.yaml", [ka, kb]))).toBe(false)
    expect(await canDecrypt(rotated, "shamir.yaml", [ka, kc])).toBe(true)
    expect(await canDecrypt(rotated, "shamir.yaml", [kc])).toBe(false)
    expect(readMetadata((await loadStore("yaml")).parse(rotated)).shamirThreshold).toBe(2)
  })

  it.each(["basic.json", "basic.env", "basic.ini", "notes.txt", "multidoc.yaml"])("rotates %s and it still decrypts to real sops's output", async name => {
    const input = readFixture("reference/enc", name)
    const ka = fixtureIdentity("a")
    const rotated = await rotate(input, { filename: name, env: env(ka), config: false })
    expect((await dataKey(rotated, name, [ka])).equals(await dataKey(input, name, [ka]))).toBe(false)
    const out = await decrypt(rotated, { filename: name, env: env(ka), config: false })
    const expected = readFixture("reference/dec", name)
    if (name.endsWith(".txt")) expect(Buffer.from(out).equals(expected)).toBe(true)
    else expect(await valuesOf(out, name)).toEqual(await valuesOf(expected, name))
  })

  it("removes a PGP key and adds one (flags exist for every key type)", async () => {
    const input = readFixture("reference/enc/multi-recipient.yaml")
    const ka = fixtureIdentity("a")
    const withoutPgp = await rotate(input, { filename: "m.yaml", remove: { pgp: recipients.PGP! }, env: env(ka), config: false })
    expect(readMetadata((await loadStore("yaml")).parse(withoutPgp)).keyGroups[0]!.map(k => k.type)).not.toContain("pgp")

    const gnupg = gnupgHomeWithTestKeys()
    try {
      const pgpEnv = cleanEnv(home, { GNUPGHOME: gnupg.home })
      const withPgp = await rotate(withoutPgp, { filename: "m.yaml", add: { pgp: recipients.PGP! }, env: { ...env(ka), GNUPGHOME: gnupg.home }, config: false })
      const out = await decrypt(withPgp, { filename: "m.yaml", env: pgpEnv, config: false })
      expect(await valuesOf(out, "m.yaml")).toEqual(await valuesOf(readFixture("reference/dec/multi-recipient.yaml"), "m.yaml"))
    } finally {
      gnupg.dispose()
    }
  })

  it("refuses to remove a key the file does not have, naming it", async () => {
    const error = await rotate(encrypted, { filename: "s.yaml", remove: { age: c.recipient }, env: env(a.identity), config: false }).catch(e => e)
    expect(error).toBeInstanceOf(TsopsError)
    expect(error.message).toContain(c.recipient)
    expect(error.exitCode).toBe(1)
  })

  it("refuses to leave a key group without master keys", async () => {
    const error = await rotate(encrypted, { filename: "s.yaml", remove: { age: `${a.recipient},${b.recipient}` }, env: env(a.identity), config: false }).catch(e => e)
    expect(error).toBeInstanceOf(TsopsError)
    expect(error.message).toMatch(/key group 0 would be left without master keys/)
  })

  it("refuses an invalid key to add", async () => {
    const error = await rotate(encrypted, { filename: "s.yaml", add: { age: "age1notarecipient" }, env: env(a.identity), config: false }).catch(e => e)
    expect(error).toBeInstanceOf(TsopsError)
  })

  it("refuses files with master keys it cannot wrap for (AWS KMS…), naming them", async () => {
    const arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    const withKms = Buffer.from(encrypted).toString().replace("\nsops:\n", `\nsops:\n    kms:\n        - arn: ${arn}\n          created_at: "2024-01-01T00:00:00Z"\n          enc: AQIDBA==\n          aws_profile: ""\n`)
    // The age key still opens the file…
    expect(await canDecrypt(Buffer.from(withKms), "s.yaml", [a.identity])).toBe(true)
    // …but the new data key cannot be wrapped for the KMS key.
    const error = await rotate(withKms, { filename: "s.yaml", env: env(a.identity), config: false }).catch(e => e)
    expect(error).toBeInstanceOf(TsopsError)
    expect(error.message).toContain(`kms ${arn}`)
  })
})
