// Every pgp `enc` real sops wrote in the fixtures unwraps through the real gpg to the file's data key.
import { execFileSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { keyType } from "../../../kms/pgp.js"
import { fixturesRoot } from "../../support/fixtures.js"
import { pgpEntriesOf } from "./fixture-encs.js"
import { functionalTestsHome, gpgEnv, key1, key2, tempGnupgHome } from "./gnupg-home.js"

/** Data keys listed in spec §11.2, in full or as first…last hex characters. */
const expectedDataKeys: Record<string, string | readonly [string, string]> = {
  "sops-upstream/example.yaml": "8c68886c50b5b72965a3cb99c5172e1d74a8aca27b39ee880b535d6907e59f68",
  "sops-upstream/functional-tests/res/comments.enc.yaml": "61bec946f5783fd4cea3d1b1ce407fce2b6e81fc301cc539c422015e27f6d1be",
  "sops-upstream/functional-tests/res/comments_unencrypted_comments.yaml": ["70f645ae", "85a0"],
  "sops-upstream/functional-tests/res/multiple_keys.yaml": ["1e1db61c", "e786"],
  "sops-upstream/functional-tests/res/no_mac.yaml": ["87f9ee7a", "461f"],
  "sops-upstream/functional-tests/res/format.enc.yaml": ["af5e68dd", "f4e4"],
}

/** Files and the fingerprints of their pgp entries, in order. */
const fixtures: Record<string, readonly string[]> = {
  "sops-upstream/example.yaml": [key1, key2],
  "sops-upstream/example.json": [key1, key2],
  "sops-upstream/example.ini": [key1, key2],
  "sops-upstream/example.txt": [key1, key2],
  "sops-upstream/functional-tests/res/multiple_keys.yaml": [key1, key2],
  "sops-upstream/functional-tests/res/no_mac.yaml": [key1],
  "sops-upstream/functional-tests/res/comments.enc.yaml": [key1],
  "sops-upstream/functional-tests/res/comments_unencrypted_comments.yaml": [key1],
  "sops-upstream/functional-tests/res/format.enc.yaml": [key1],
  "sops-upstream/functional-tests/res/format.enc.json": [key1],
  "sops-upstream/functional-tests/res/format.enc.ini": [key1],
  "sops-upstream/functional-tests/res/format-2.enc.ini": [key1],
  "sops-upstream/functional-tests/res/format.enc.env": [key1],
  "reference/enc/multi-recipient.yaml": [key1],
}

/** sops-1.13-era files whose private key (E529…) is not in the repo. */
const withoutPrivateKey = [
  "sops-upstream/stores/ini/test_resources/example.json",
  "sops-upstream/config/test_resources/sops-config-example.yaml",
]

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

describe("PGP fixtures written by real sops", () => {
  it("lists every fixture that holds a PGP message", () => {
    const found = execFileSync("grep", ["-rl", "BEGIN PGP MESSAGE", "."], { cwd: fixturesRoot, encoding: "utf8" })
      .split("\n")
      .filter(line => line !== "")
      .map(line => line.replace(/^\.\//, ""))
      .sort()
    expect(found).toEqual([...Object.keys(fixtures), ...withoutPrivateKey].sort())
  })

  it.each(Object.entries(fixtures))("unwraps every pgp enc of %s with gpg to one 32-byte data key", async (path, fingerprints) => {
    const entries = pgpEntriesOf(path)
    expect(entries.map(entry => entry.fp)).toEqual(fingerprints)
    const env = gpgEnv(functionalTestsHome())
    const dataKeys: string[] = []
    for (const entry of entries) {
      const { key, enc } = keyType.fromEntry({ created_at: "2019-12-10T22:45:52Z", enc: entry.enc, fp: entry.fp })
      const dataKey = await key.unwrap(enc, { env })
      expect(dataKey).toBeInstanceOf(Uint8Array)
      expect(dataKey!.length).toBe(32)
      dataKeys.push(hex(dataKey!))
    }
    // Every recipient of a file wraps the same data key.
    expect(new Set(dataKeys).size).toBe(1)
    const expected = expectedDataKeys[path]
    if (typeof expected === "string") expect(dataKeys[0]).toBe(expected)
    else if (expected !== undefined) {
      expect(dataKeys[0]!.startsWith(expected[0])).toBe(true)
      expect(dataKeys[0]!.endsWith(expected[1])).toBe(true)
    }
  })

  it.each(withoutPrivateKey)("unwraps %s to null: its secret key is in no keyring", async path => {
    const env = gpgEnv(functionalTestsHome())
    const [entry] = pgpEntriesOf(path)
    const { key, enc } = keyType.fromEntry({ created_at: "2016-08-04T23:30:35Z", enc: entry!.enc, fp: entry!.fp })
    await expect(key.unwrap(enc, { env })).resolves.toBeNull()
  })

  it("unwraps to null with an empty keyring", async () => {
    const env = gpgEnv(tempGnupgHome())
    const [entry] = pgpEntriesOf("sops-upstream/example.yaml")
    const { key, enc } = keyType.fromEntry({ created_at: "2019-12-10T22:45:52Z", enc: entry!.enc, fp: entry!.fp })
    await expect(key.unwrap(enc, { env })).resolves.toBeNull()
  })
})
