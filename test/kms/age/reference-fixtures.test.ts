// Every age entry of the files real sops wrote (../shared/fixtures/reference/enc) unwraps with its identity file,
// through SOPS_AGE_KEY_FILE and SOPS_AGE_KEY, and not with another key. The data key is checked against the file's MAC.
import { createDecipheriv } from "node:crypto"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"
import { keyType } from "../../../kms/age.js"
import { fixtureFiles, fixturePath, readFixture } from "../../support/fixtures.js"
import { hex, isolatedContext } from "./support.js"

interface AgeEntry {
  readonly file: string
  readonly recipient: string
  readonly enc: string
  readonly shamir: boolean
  readonly lastmodified: string
  readonly mac: string
}

// recipients.txt: A=age1…, B=age1…, C=age1…; identities in keys/age-a.txt etc.
const keyFileByRecipient = new Map(
  readFixture("reference", "keys", "recipients.txt").toString().trim().split("\n")
    .map(line => line.split("="))
    .filter(([name]) => name !== "PGP")
    .map(([name, recipient]) => [recipient!, fixturePath("reference", "keys", `age-${name!.toLowerCase()}.txt`)]),
)

function sopsMetadataOf(file: string): Record<string, unknown>[] {
  const text = readFixture("reference", "enc", file).toString()
  const documents = file.endsWith(".json") ? [JSON.parse(text) as unknown] : parseAllDocuments(text).map(doc => doc.toJS() as unknown)
  return documents.map(document => (document as { sops: Record<string, unknown> }).sops)
}

function ageEntriesOf(file: string): AgeEntry[] {
  return sopsMetadataOf(file).flatMap(sops => {
    const groups = (sops.key_groups as { age?: Record<string, unknown>[] }[] | undefined) ?? [{ age: sops.age as Record<string, unknown>[] }]
    return groups.flatMap(group => (group.age ?? []).map(entry => {
      const { key, enc } = keyType.fromEntry(entry)
      return {
        file, recipient: key.id, enc, shamir: sops.key_groups !== undefined,
        lastmodified: String(sops.lastmodified), mac: String(sops.mac),
      }
    }))
  })
}

const files = [
  ...fixtureFiles("reference", "enc").filter(name => /\.(yaml|json)$/.test(name)),
  ...fixtureFiles("reference", "enc", "random").filter(name => /\.(yaml|json)$/.test(name)).map(name => `random/${name}`),
]
const entries = files.flatMap(ageEntriesOf)

/** sops's MAC value is an ENC[] string encrypted with the data key, AAD = lastmodified (spec §4). */
function macDecrypts(mac: string, dataKey: Uint8Array, lastmodified: string): boolean {
  const match = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:str\]$/.exec(mac)
  if (match === null) return false
  const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(match[2]!, "base64"))
  decipher.setAAD(Buffer.from(lastmodified))
  decipher.setAuthTag(Buffer.from(match[3]!, "base64"))
  try {
    Buffer.concat([decipher.update(Buffer.from(match[1]!, "base64")), decipher.final()])
    return true
  } catch {
    return false
  }
}

describe("reference fixtures written by real sops", () => {
  it("should find age entries for A, B and C in the fixtures", () => {
    expect(files.length).toBeGreaterThan(50)
    expect(new Set(entries.map(entry => entry.recipient))).toEqual(new Set(keyFileByRecipient.keys()))
    expect(entries.some(entry => entry.shamir)).toBe(true)
  })

  it.each(entries.map(entry => [entry.file, entry.recipient.slice(0, 12), entry] as const))(
    "%s: %s… unwraps with its identity, via SOPS_AGE_KEY_FILE and SOPS_AGE_KEY", async (_file, _recipient, entry) => {
      const [key] = keyType.fromList(entry.recipient)
      const keyFile = keyFileByRecipient.get(entry.recipient)!
      const viaFile = await key!.unwrap(entry.enc, isolatedContext({ SOPS_AGE_KEY_FILE: keyFile }))
      const viaEnv = await key!.unwrap(entry.enc, isolatedContext({ SOPS_AGE_KEY: readFileSync(keyFile, "utf8") }))
      const viaAll = await key!.unwrap(entry.enc, isolatedContext({ SOPS_AGE_KEY_FILE: fixturePath("reference", "keys", "age-all.txt") }))
      expect(viaFile).not.toBeNull()
      expect(hex(viaEnv!)).toBe(hex(viaFile!))
      expect(hex(viaAll!)).toBe(hex(viaFile!))
      if (entry.shamir) {
        expect(viaFile!.length).toBe(33) // a Shamir share: 32 bytes + the x coordinate (spec §7.2)
      } else {
        expect(viaFile!.length).toBe(32)
        expect(macDecrypts(entry.mac, viaFile!, entry.lastmodified)).toBe(true)
      }
      const otherKeyFile = [...keyFileByRecipient.values()].find(path => path !== keyFile)!
      expect(await key!.unwrap(entry.enc, isolatedContext({ SOPS_AGE_KEY_FILE: otherKeyFile }))).toBeNull()
    })
})
