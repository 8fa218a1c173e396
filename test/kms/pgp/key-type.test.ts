// keyType for pgp: keys from lists and metadata entries, entries written back (spec §5.3, §6.2).
import { build } from "esbuild"
import { describe, expect, it } from "vitest"
import { MetadataError, TsopsError } from "../../../src/core/errors.js"
import { keyType, PgpKeySource } from "../../../kms/pgp.js"
import { repoRoot } from "../../support/fixtures.js"
import { key1, key2 } from "./gnupg-home.js"

const rfc3339Seconds = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

describe("pgp keyType.fromList", () => {
  it("splits on commas and removes the spaces inside fingerprints", () => {
    const spaced = key1.replace(/(.{4})/g, "$1 ").trim()
    const keys = keyType.fromList(`${spaced}, ${key2}`)
    expect(keys.map(key => key.id)).toEqual([key1, key2])
    expect(keys.every(key => key.type === "pgp")).toBe(true)
  })

  it("keeps the fingerprint as given: case, long key ids, a trailing `!`", () => {
    expect(keyType.fromList(`${key1.toLowerCase()},3D16CEE4A27381B4,${key1}!`).map(key => key.id))
      .toEqual([key1.toLowerCase(), "3D16CEE4A27381B4", `${key1}!`])
  })

  it("gives no keys for an empty list and rejects what is not a fingerprint", () => {
    expect(keyType.fromList("")).toEqual([])
    expect(() => keyType.fromList(`${key1},alice@example.com`)).toThrow(TsopsError)
    expect(() => keyType.fromList("12345")).toThrow(/invalid PGP fingerprint "12345"/)
  })

  it("stamps a new key with the current time in UTC seconds", () => {
    const before = Math.floor(Date.now() / 1000) * 1000
    const [key] = keyType.fromList(key1) as [PgpKeySource]
    expect(key.createdAt).toMatch(rfc3339Seconds)
    const stamped = Date.parse(key.createdAt)
    expect(stamped).toBeGreaterThanOrEqual(before)
    expect(stamped).toBeLessThanOrEqual(Date.now())
  })
})

describe("pgp keyType.fromEntry and toEntry", () => {
  const entry = { created_at: "2019-12-10T22:45:52Z", enc: "-----BEGIN PGP MESSAGE-----\n…", fp: key1 }

  it("reads an entry and writes it back unchanged, fields in sops's order", () => {
    const { key, enc } = keyType.fromEntry(entry)
    expect(key.id).toBe(key1)
    expect(enc).toBe(entry.enc)
    const written = key.toEntry(enc)
    expect(written).toEqual(entry)
    expect(Object.keys(written)).toEqual(["created_at", "enc", "fp"])
  })

  it("matches field names case-insensitively", () => {
    const { key, enc } = keyType.fromEntry({ Created_At: entry.created_at, ENC: entry.enc, Fp: key1 })
    expect(key.toEntry(enc)).toEqual(entry)
  })

  it("writes created_at in UTC seconds, as sops re-formats it", () => {
    const { key } = keyType.fromEntry({ ...entry, created_at: "2019-12-10T23:45:52.987+01:00" })
    expect(key.toEntry("x")["created_at"]).toBe("2019-12-10T22:45:52Z")
  })

  it("requires created_at, with Go's time.Parse message", () => {
    const message = `parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006"`
    expect(() => keyType.fromEntry({ enc: entry.enc, fp: key1 })).toThrow(MetadataError)
    expect(() => keyType.fromEntry({ enc: entry.enc, fp: key1 })).toThrow(message)
    expect(() => keyType.fromEntry({ ...entry, created_at: "" })).toThrow(message)
    expect(() => keyType.fromEntry({ ...entry, created_at: "2019-12-10" })).toThrow(MetadataError)
  })

  it("takes a missing enc as not yet encrypted", () => {
    expect(keyType.fromEntry({ created_at: entry.created_at, fp: key1 }).enc).toBe("")
  })
})

describe("pgp module loading", () => {
  it("does not load openpgp.js until a key is used", async () => {
    const result = await build({
      entryPoints: [`${repoRoot}/kms/pgp.ts`],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      outdir: "/nonexistent",
      write: false,
      metafile: true,
      logLevel: "silent",
    })
    // Everything the entry loads at start-up: its own chunk and the chunks it imports statically.
    const outputs = result.metafile.outputs
    const startup = new Set([Object.keys(outputs).find(path => outputs[path]!.entryPoint !== undefined)!])
    for (const path of startup) {
      for (const imported of outputs[path]!.imports) if (imported.kind === "import-statement" && imported.path in outputs) startup.add(imported.path)
    }
    const inputs = [...startup].flatMap(path => Object.keys(outputs[path]!.inputs))
    expect(inputs.some(input => input.includes("kms/pgp/gpg.ts"))).toBe(true)
    expect(inputs.filter(input => input.includes("node_modules/openpgp"))).toEqual([])
    // …and openpgp.js is in the bundle, behind a dynamic import.
    expect(Object.values(outputs).some(output => Object.keys(output.inputs).some(input => input.includes("node_modules/openpgp")))).toBe(true)
  })
})
