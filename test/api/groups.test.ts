// groups add / delete on reference/enc/shamir.yaml (three groups: age A, B, C; threshold 2): who can
// decrypt afterwards, checked with the real identities; the data key, values and MAC stay.
import { rmSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { addKeyGroup, decrypt, deleteKeyGroup, encrypt, readMetadata, recoverDataKey, DataKeyRecoveryError, TsopsError } from "../../src/index.js"
import { loadStore } from "../../formats/index.js"
import { generateAgeIdentity, type GeneratedAgeIdentity } from "../../kms/age.js"
import { readFixture } from "../support/fixtures.js"
import { cleanEnv, tempDir } from "../support/env.js"
import { valuesOf } from "../support/values.js"

const home = tempDir()
afterAll(() => rmSync(home, { recursive: true, force: true }))
const env = (...identities: string[]) => cleanEnv(home, { SOPS_AGE_KEY: identities.join("\n") })
const identity = (name: "a" | "b" | "c") =>
  readFixture("reference/keys", `age-${name}.txt`).toString().split("\n").find(l => l.startsWith("AGE-SECRET-KEY-"))!
const [A, B, C] = [identity("a"), identity("b"), identity("c")]
const shamir = readFixture("reference/enc/shamir.yaml")
const name = "shamir.yaml"

async function canDecrypt(bytes: Uint8Array, identities: string[]): Promise<boolean> {
  try {
    const out = await decrypt(bytes, { filename: name, env: env(...identities), config: false })
    expect(await valuesOf(out, name)).toEqual(await valuesOf(readFixture("reference/dec/shamir.yaml"), name))
    return true
  } catch (error) {
    if (error instanceof DataKeyRecoveryError) return false
    throw error
  }
}

const metadataOf = async (bytes: Uint8Array) => readMetadata((await loadStore("yaml")).parse(bytes))
const dataKeyOf = async (bytes: Uint8Array, identities: string[]) =>
  Buffer.from(await recoverDataKey(await metadataOf(bytes), { env: env(...identities) })).toString("hex")
// Everything above the metadata block: the values with their exact ciphertext.
const values = (bytes: Uint8Array) => Buffer.from(bytes).toString().split("\nsops:\n")[0]

let d: GeneratedAgeIdentity
beforeAll(async () => {
  d = await generateAgeIdentity()
})

describe("groups add", () => {
  it("appends a group with a new key; with threshold 2, D and A together decrypt, D alone does not", async () => {
    expect(await canDecrypt(shamir, [d.identity, A])).toBe(false)
    const out = await addKeyGroup(shamir, { filename: name, keys: { age: d.recipient }, shamirThreshold: 2, env: env(A, B), config: false })
    const metadata = await metadataOf(out)
    expect(metadata.keyGroups).toHaveLength(4)
    expect(metadata.shamirThreshold).toBe(2)
    expect(await canDecrypt(out, [d.identity, A])).toBe(true)
    expect(await canDecrypt(out, [d.identity])).toBe(false)
    // Same data key, values byte for byte, same MAC and lastmodified.
    expect(await dataKeyOf(out, [d.identity, C])).toBe(await dataKeyOf(shamir, [A, B]))
    expect(values(out)).toBe(values(shamir))
    const before = await metadataOf(shamir)
    expect([metadata.mac, metadata.lastModified]).toEqual([before.mac, before.lastModified])
  })

  it("raising the threshold to the number of groups makes every group necessary", async () => {
    const out = await addKeyGroup(shamir, { filename: name, keys: { age: d.recipient }, shamirThreshold: 4, env: env(A, B), config: false })
    expect(await canDecrypt(out, [A, B, C])).toBe(false)
    expect(await canDecrypt(out, [A, B, C, d.identity])).toBe(true)
  })

  it("turns a one-group file into a Shamir file (threshold = number of groups by default)", async () => {
    const x = await generateAgeIdentity()
    const single = { x, bytes: await encrypt("secret: value\n", { filename: "one.yaml", age: x.recipient, config: false, env: env() }) }
    const out = await addKeyGroup(single.bytes, { filename: "one.yaml", keys: { age: d.recipient }, env: env(single.x.identity), config: false })
    expect((await metadataOf(out)).shamirThreshold).toBe(2)
    const open = (ids: string[]) => decrypt(out, { filename: "one.yaml", env: env(...ids), config: false })
    await expect(open([single.x.identity])).rejects.toBeInstanceOf(DataKeyRecoveryError)
    await expect(open([d.identity])).rejects.toBeInstanceOf(DataKeyRecoveryError)
    expect(Buffer.from(await open([single.x.identity, d.identity])).toString()).toBe("secret: value\n")
  })

  it("refuses a group without keys, and a threshold above the number of groups", async () => {
    await expect(addKeyGroup(shamir, { filename: name, keys: {}, env: env(A, B), config: false })).rejects.toThrow(/no master keys given/)
    await expect(addKeyGroup(shamir, { filename: name, keys: { age: d.recipient }, shamirThreshold: 5, env: env(A, B), config: false }))
      .rejects.toThrow(/Invalid Shamir threshold 5/)
    await expect(addKeyGroup(shamir, { filename: name, keys: { age: d.recipient }, shamirThreshold: -1, env: env(A, B), config: false }))
      .rejects.toBeInstanceOf(TsopsError)
  })

  it("needs the data key: without enough identities it fails with exit 128", async () => {
    const error = await addKeyGroup(shamir, { filename: name, keys: { age: d.recipient }, env: env(A), config: false }).catch(e => e)
    expect(error).toBeInstanceOf(DataKeyRecoveryError)
    expect(error.exitCode).toBe(128)
  })
})

describe("groups delete", () => {
  it("removes group 0: A no longer counts towards the threshold, B and C still decrypt", async () => {
    expect(await canDecrypt(shamir, [A, B])).toBe(true)
    const out = await deleteKeyGroup(shamir, 0, { filename: name, env: env(A, B), config: false })
    const metadata = await metadataOf(out)
    expect(metadata.keyGroups).toHaveLength(2)
    expect(Buffer.from(out).toString()).not.toContain("age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7")
    expect(await canDecrypt(out, [A, B])).toBe(false)
    expect(await canDecrypt(out, [B, C])).toBe(true)
    expect(await dataKeyOf(out, [B, C])).toBe(await dataKeyOf(shamir, [A, B]))
    expect(values(out)).toBe(values(shamir))
  })

  it("refuses when fewer groups than the threshold would remain (sops's message)", async () => {
    const error = await deleteKeyGroup(shamir, 1, { filename: name, shamirThreshold: 3, env: env(A, B), config: false }).catch(e => e)
    expect(error).toBeInstanceOf(TsopsError)
    expect(error.message).toBe("removing this key group will make the Shamir threshold impossible to satisfy: Shamir threshold is 3, but we only have 2 key groups")
  })

  it("goes down to one group (no Shamir) when the threshold allows it", async () => {
    const two = await deleteKeyGroup(shamir, 2, { filename: name, env: env(A, B), config: false })
    await expect(deleteKeyGroup(two, 0, { filename: name, env: env(A, B), config: false })).rejects.toThrow(/impossible to satisfy/)
    const one = await deleteKeyGroup(two, 0, { filename: name, shamirThreshold: 1, env: env(A, B), config: false })
    const metadata = await metadataOf(one)
    expect([metadata.keyGroups.length, metadata.shamirThreshold]).toEqual([1, 0])
    expect(await canDecrypt(one, [B])).toBe(true)
    expect(await canDecrypt(one, [A, C])).toBe(false)
    await expect(deleteKeyGroup(one, 0, { filename: name, env: env(B), config: false })).rejects.toThrow(/only key group/)
  })

  it("refuses an index that is not a group", async () => {
    await expect(deleteKeyGroup(shamir, 3, { filename: name, env: env(A, B), config: false })).rejects.toThrow(/Invalid key group index 3: the file has 3 key group/)
    await expect(deleteKeyGroup(shamir, -1, { filename: name, env: env(A, B), config: false })).rejects.toBeInstanceOf(TsopsError)
  })
})
