// AgeKeySource and keyType: recipient syntaxes, metadata entries, wrap/unwrap round trips and known answers.
import { test as propTest, fc } from "@fast-check/vitest"
import { generateHybridIdentity, identityToRecipient } from "age-encryption"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { AgeKeySource, generateAgeIdentity, keyType } from "../../../kms/age.js"
import { KeySourceError, MetadataError, TsopsError } from "../../../src/core/errors.js"
import { hex, isolatedContext, katDataKey, run, sopsKeys, tempDir } from "./support.js"

const runs = Number(process.env.TSOPS_FUZZ_RUNS ?? 10)
const otherRecipient = "age1tmaae3ld5vpevmsh5yacsauzx8jetg300mpvc4ugp5zr5l6ssq9sla97ep"
const pluginRecipient = "age1yubikey1qwt50d05nh5vutpdzmlg5wn80xq5negm4uj9ghv0snvdd3yysf5yw3rhl3t"

// Spec §11.3: the `enc` of the YAML known-answer file; wraps bytes 0x00…0x1f for mockRecipient.
const katEnc = `-----BEGIN AGE ENCRYPTED FILE-----
YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBDMmtCaldvbk5LNnNnODFy
Qm9BWTdaWXRIZFk2dzFaRjdwNEhLMjRTeHpvCkIweFFSZ0JyVHdQL1RMbXdjU0lr
R2ZUUy9wZXhlMG5BSW9GZ3ZhTUwvazAKLS0tIFM5bUpXZHBGaFlLV0o1NmFOQ1dI
VCtMa2NWYmtyVVJEUExEeW5yNWNsSjAKKNcADz2pJZEwPbUIe+r55j+jK3OBYZS2
x49noRJynsioAdWBrGTSiH/gxabyQ5hO35X1efYTcVMEhwF8toD0pw==
-----END AGE ENCRYPTED FILE-----
`

/** Canonical age armor (spec §6.1): 64-character lines, the last one shorter or equal, a final newline. */
function expectCanonicalArmor(enc: string): void {
  const lines = enc.split("\n")
  expect(lines[0]).toBe("-----BEGIN AGE ENCRYPTED FILE-----")
  expect(lines.at(-2)).toBe("-----END AGE ENCRYPTED FILE-----")
  expect(lines.at(-1)).toBe("")
  const body = lines.slice(1, -2)
  for (const line of body.slice(0, -1)) expect(line).toMatch(/^[A-Za-z0-9+/]{64}$/)
  expect(body.at(-1)).toMatch(/^[A-Za-z0-9+/]+={0,2}$/)
  expect(body.at(-1)!.length).toBeLessThanOrEqual(64)
  expect(body.at(-1)!.length % 4).toBe(0)
}

describe("keyType.fromList", () => {
  it("should split on commas, trim, and drop empty items", () => {
    const keys = keyType.fromList(`  ${sopsKeys.mockRecipient}  , ${otherRecipient},,  ${sopsKeys.mockSshRecipient}   `)
    expect(keys.map(key => key.id)).toEqual([sopsKeys.mockRecipient, otherRecipient, sopsKeys.mockSshRecipient])
    expect(keys.every(key => key.type === "age")).toBe(true)
    expect(keyType.fromList("")).toEqual([])
    expect(keyType.fromList(" , ")).toEqual([])
  })

  it("should keep an SSH recipient whole, comment included", () => {
    const [key] = keyType.fromList(sopsKeys.mockSshRecipient)
    expect(key!.id).toBe("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID+Wi8WZw2bXfBpcs/WECttCzP39OkenS6pHWHWGFJvN Test")
  })

  it("should refuse an unknown recipient type with sops's message", () => {
    expect(() => keyType.fromList(`${sopsKeys.mockRecipient},foo`)).toThrowError(TsopsError)
    expect(() => keyType.fromList("foo")).toThrowError('failed to parse input, unknown recipient type: "foo"')
    expect(() => keyType.fromList("AGE1LZD99")).toThrowError("unknown recipient type")
  })

  it("should refuse plugin recipients with a clear error", () => {
    expect(() => keyType.fromList(pluginRecipient)).toThrowError(TsopsError)
    expect(() => keyType.fromList(pluginRecipient)).toThrowError(`age plugin recipients are not supported yet: ${pluginRecipient}`)
  })

  it("should refuse malformed X25519, hybrid and SSH recipients", () => {
    const badChecksum = `${sopsKeys.mockRecipient.slice(0, -1)}q`
    expect(() => keyType.fromList(badChecksum)).toThrowError("failed to parse input as Bech32-encoded age public key")
    expect(() => keyType.fromList("age1pq1qqqqqqqqqqqqqq")).toThrowError("failed to parse input as Bech32-encoded age public key")
    expect(() => keyType.fromList("ssh-ed25519 AAAA")).toThrowError("failed to parse input as age-ssh public key")
    expect(() => keyType.fromList("ssh-ed25519 not!base64")).toThrowError("malformed SSH recipient")
    // A DSA key blob: an SSH key type age has no recipient for.
    const dss = `ssh-dss ${Buffer.from([0, 0, 0, 7, ...Buffer.from("ssh-dss")]).toString("base64")}`
    expect(() => keyType.fromList(dss)).toThrowError('unknown SSH recipient type: "ssh-dss"')
  })

  it("should refuse RSA keys below 2048 bits, as age does", () => {
    const dir = tempDir()
    run("ssh-keygen", ["-q", "-t", "rsa", "-b", "1024", "-N", "", "-C", "", "-f", join(dir, "small")])
    const recipient = run("cat", [join(dir, "small.pub")]).toString().trim()
    expect(() => keyType.fromList(recipient)).toThrowError("RSA key size is too small")
  })

  it("should accept hybrid post-quantum recipients", async () => {
    const recipient = await identityToRecipient(sopsKeys.mockHybridIdentity)
    expect(recipient.startsWith("age1pq1")).toBe(true)
    expect(keyType.fromList(recipient).map(key => key.id)).toEqual([recipient])
  })
})

describe("keyType.fromEntry and toEntry", () => {
  it("should read an entry in any field order and case", () => {
    const { key, enc } = keyType.fromEntry({ Recipient: sopsKeys.mockRecipient, ENC: katEnc })
    expect(key.id).toBe(sopsKeys.mockRecipient)
    expect(enc).toBe(katEnc)
    expect(keyType.fromEntry({ enc: "x", recipient: otherRecipient }).key.id).toBe(otherRecipient)
  })

  it("should accept a missing enc as not yet encrypted", () => {
    expect(keyType.fromEntry({ recipient: sopsKeys.mockRecipient }).enc).toBe("")
  })

  it("should reject an entry without a string recipient or with a non-string enc", () => {
    expect(() => keyType.fromEntry({ enc: katEnc })).toThrowError(MetadataError)
    expect(() => keyType.fromEntry({ recipient: 42, enc: katEnc })).toThrowError(MetadataError)
    expect(() => keyType.fromEntry({ recipient: sopsKeys.mockRecipient, enc: 7 })).toThrowError(MetadataError)
  })

  it("should load a plugin recipient from a file but refuse to wrap for it", async () => {
    const { key } = keyType.fromEntry({ recipient: pluginRecipient, enc: "" })
    expect(key.id).toBe(pluginRecipient)
    const error: unknown = await key.wrap(katDataKey, isolatedContext()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeySourceError)
    expect((error as Error).message).toContain("age plugin recipients are not supported yet")
  })

  it("should write enc then recipient, and nothing else", () => {
    const entry = new AgeKeySource(sopsKeys.mockRecipient).toEntry("E")
    expect(Object.keys(entry)).toEqual(["enc", "recipient"])
    expect(entry).toEqual({ enc: "E", recipient: sopsKeys.mockRecipient })
  })
})

describe("wrap and unwrap", () => {
  it("should unwrap the spec §11.3 known-answer enc with mockIdentity", async () => {
    const key = new AgeKeySource(sopsKeys.mockRecipient)
    const dataKey = await key.unwrap(katEnc, isolatedContext({ SOPS_AGE_KEY: sopsKeys.mockIdentity }))
    expect(hex(dataKey!)).toBe(hex(katDataKey))
    expect(await key.unwrap(katEnc, isolatedContext({ SOPS_AGE_KEY: sopsKeys.mockOtherIdentity }))).toBeNull()
  })

  it("should unwrap sops's mockEncryptedKey with several identities on one line", async () => {
    const context = isolatedContext({ SOPS_AGE_KEY: `${sopsKeys.mockOtherIdentity} ${sopsKeys.mockIdentity}` })
    const plaintext = await new AgeKeySource(sopsKeys.mockRecipient).unwrap(sopsKeys.mockEncryptedKey, context)
    expect(new TextDecoder().decode(plaintext!)).toBe(sopsKeys.mockEncryptedKeyPlain)
  })

  it("should unwrap sops's mockEncryptedSshKey with mockSshIdentity", async () => {
    const path = join(tempDir(), "id")
    writeFileSync(path, sopsKeys.mockSshIdentity, { mode: 0o600 })
    const key = keyType.fromList(sopsKeys.mockSshRecipient)[0]!
    const plaintext = await key.unwrap(sopsKeys.mockEncryptedSshKey, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: path }))
    expect(new TextDecoder().decode(plaintext!)).toBe(sopsKeys.mockEncryptedKeyPlain)
  })

  it("should write canonical armor that round-trips for an X25519 recipient", async () => {
    const { identity, recipient } = await generateAgeIdentity()
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/)
    const [key] = keyType.fromList(recipient)
    const enc = await key!.wrap(katDataKey, isolatedContext())
    expectCanonicalArmor(enc)
    expect(hex((await key!.unwrap(enc, isolatedContext({ SOPS_AGE_KEY: identity })))!)).toBe(hex(katDataKey))
    expect(await key!.unwrap(enc, isolatedContext({ SOPS_AGE_KEY: sopsKeys.mockIdentity }))).toBeNull()
  })

  it("should wrap to a hybrid post-quantum recipient with an mlkem768x25519 stanza", async () => {
    const identity = await generateHybridIdentity()
    const [key] = keyType.fromList(await identityToRecipient(identity))
    const enc = await key!.wrap(katDataKey, isolatedContext())
    expectCanonicalArmor(enc)
    const header = Buffer.from(enc.split("\n").slice(1, -2).join(""), "base64").toString("latin1")
    expect(header).toMatch(/^age-encryption\.org\/v1\n-> mlkem768x25519 /)
    expect(hex((await key!.unwrap(enc, isolatedContext({ SOPS_AGE_KEY: identity })))!)).toBe(hex(katDataKey))
    // sops's mockHybridIdentity is a different key: no match, and an X25519 identity does not match either.
    const others = `${sopsKeys.mockHybridIdentity}\n${sopsKeys.mockIdentity}\n`
    expect(await key!.unwrap(enc, isolatedContext({ SOPS_AGE_KEY: others }))).toBeNull()
  })

  it("should use sops's mockHybridIdentity as an identity file entry", async () => {
    const [key] = keyType.fromList(await identityToRecipient(sopsKeys.mockHybridIdentity))
    const enc = await key!.wrap(katDataKey, isolatedContext())
    const path = join(tempDir(), "keys.txt")
    writeFileSync(path, `# hybrid\n${sopsKeys.mockHybridIdentity}\n`)
    expect(hex((await key!.unwrap(enc, isolatedContext({ SOPS_AGE_KEY_FILE: path })))!)).toBe(hex(katDataKey))
  })

  it("should wrap to an SSH recipient with an ssh-ed25519 stanza carrying the key's tag", async () => {
    const [key] = keyType.fromList(sopsKeys.mockSshRecipient)
    const enc = await key!.wrap(katDataKey, isolatedContext())
    const header = Buffer.from(enc.split("\n").slice(1, -2).join(""), "base64").toString("latin1")
    // The tag of mockSshRecipient, as it appears in sops's mockEncryptedSshKey.
    expect(header).toMatch(/^age-encryption\.org\/v1\n-> ssh-ed25519 2cwDxw [A-Za-z0-9+/]{43}\n/)
    const path = join(tempDir(), "id")
    writeFileSync(path, sopsKeys.mockSshIdentity, { mode: 0o600 })
    expect(hex((await key!.unwrap(enc, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: path })))!)).toBe(hex(katDataKey))
  })

  propTest.prop([fc.uint8Array({ minLength: 32, maxLength: 33 })], { numRuns: runs })(
    "unwrap inverts wrap for any data key or Shamir share", async secret => {
      const key = new AgeKeySource(sopsKeys.mockRecipient)
      const enc = await key.wrap(secret, isolatedContext())
      expect(hex((await key.unwrap(enc, isolatedContext({ SOPS_AGE_KEY: sopsKeys.mockIdentity })))!)).toBe(hex(secret))
    })

  it("should return null for an entry not yet encrypted", async () => {
    const context = isolatedContext({ SOPS_AGE_KEY: sopsKeys.mockIdentity })
    expect(await new AgeKeySource(sopsKeys.mockRecipient).unwrap("", context)).toBeNull()
  })

  it("should return null when no identity is configured at all", async () => {
    expect(await new AgeKeySource(sopsKeys.mockRecipient).unwrap(katEnc, isolatedContext())).toBeNull()
  })

  it("should throw KeySourceError for a corrupt enc when an identity exists, naming no identity", async () => {
    const key = new AgeKeySource(sopsKeys.mockRecipient)
    const context = isolatedContext({ SOPS_AGE_KEY: sopsKeys.mockIdentity })
    for (const enc of ["not armor", katEnc.replace("YWdl", "YWd"), katEnc.replace("KNcADz2p", "KNcADz2q")]) {
      const error: unknown = await key.unwrap(enc, context).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(KeySourceError)
      expect((error as Error).message).toContain("failed to create reader for decrypting sops data key with age")
      expect((error as Error).message).not.toContain(sopsKeys.mockIdentity)
      expect((error as KeySourceError).keyId).toBe(sopsKeys.mockRecipient)
    }
  })
})
