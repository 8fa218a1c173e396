// unwrap without a gpg secret key: openpgp.js with TSOPS_PGP_PRIVATE_KEY_FILE or the legacy secring.gpg.
import { randomBytes } from "node:crypto"
import { copyFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { KeySourceError } from "../../../src/core/errors.js"
import { keyType, PgpKeySource, privateKeyFileEnv } from "../../../kms/pgp.js"
import { fixturePath } from "../../support/fixtures.js"
import { pgpEntriesOf } from "./fixture-encs.js"
import { fluxKey, functionalKeyFile, gpg, gpgEnv, key1, key2, tempGnupgHome } from "./gnupg-home.js"

/** spec §11.2: the data key of sops-upstream/example.yaml. */
const exampleYamlDataKey = "8c68886c50b5b72965a3cb99c5172e1d74a8aca27b39ee880b535d6907e59f68"
const hex = (bytes: Uint8Array | null): string | null => (bytes === null ? null : Buffer.from(bytes).toString("hex"))
const exampleEntries = () => pgpEntriesOf("sops-upstream/example.yaml")
const noGpg = (home: string): Record<string, string> => ({ SOPS_GPG_EXEC: join(home, "no-such-gpg") })

function keyFor(entry: { fp: string; enc: string }) {
  return keyType.fromEntry({ created_at: "2019-12-10T22:45:52Z", enc: entry.enc, fp: entry.fp })
}

describe("PGP unwrap with openpgp.js", () => {
  it("uses the TSOPS_PGP_PRIVATE_KEY_FILE keys when gpg has no secret key (RSA 2048 and 1024)", async () => {
    const env = gpgEnv(tempGnupgHome(), { [privateKeyFileEnv]: functionalKeyFile })
    const entries = exampleEntries()
    expect(entries.map(entry => entry.fp)).toEqual([key1, key2])
    for (const entry of entries) {
      const { key, enc } = keyFor(entry)
      expect(hex(await key.unwrap(enc, { env }))).toBe(exampleYamlDataKey)
    }
  })

  it("uses the key file when gpg is not installed", async () => {
    const home = tempGnupgHome()
    const env = gpgEnv(home, { ...noGpg(home), [privateKeyFileEnv]: functionalKeyFile })
    const { key, enc } = keyFor(exampleEntries()[0]!)
    expect(hex(await key.unwrap(enc, { env }))).toBe(exampleYamlDataKey)
  })

  it("returns null when neither gpg nor any key file has the key", async () => {
    const home = tempGnupgHome()
    const { key, enc } = keyFor(exampleEntries()[0]!)
    await expect(key.unwrap(enc, { env: gpgEnv(home) })).resolves.toBeNull()
    await expect(key.unwrap(enc, { env: gpgEnv(home, noGpg(home)) })).resolves.toBeNull()
    // A key file without the recipient's secret key: still not ours.
    const other = gpgEnv(home, { [privateKeyFileEnv]: fixturePath("sops-upstream/pgp/testdata/private.gpg") })
    await expect(key.unwrap(enc, { env: other })).resolves.toBeNull()
  })

  it("warns about a key file that does not exist and returns null", async () => {
    const home = tempGnupgHome()
    const warnings: string[] = []
    const { key, enc } = keyFor(exampleEntries()[0]!)
    const env = gpgEnv(home, { [privateKeyFileEnv]: join(home, "missing.asc") })
    await expect(key.unwrap(enc, { env, warn: message => warnings.push(message) })).resolves.toBeNull()
    expect(warnings.join("\n")).toContain("missing.asc does not exist")
  })

  it("reads the legacy $GNUPGHOME/secring.gpg (Flux test key), gpg absent", async () => {
    // Encrypted by the real gpg to the Flux public key…
    const encryptHome = tempGnupgHome()
    gpg(encryptHome, ["--import", fixturePath("sops-upstream/pgp/testdata/public.gpg")])
    const dataKey = new Uint8Array(randomBytes(32))
    const enc = gpg(encryptHome, ["--trust-model", "always", "--encrypt", "--armor", "--recipient", fluxKey], dataKey).toString("utf8")
    // …and decrypted from a home that has only the old keyring file.
    const home = tempGnupgHome()
    copyFileSync(fixturePath("sops-upstream/pgp/testdata/ring/secring.gpg"), join(home, "secring.gpg"))
    const key = new PgpKeySource(fluxKey)
    expect(await key.unwrap(enc, { env: gpgEnv(home, noGpg(home)) })).toEqual(dataKey)
    const empty = tempGnupgHome()
    await expect(key.unwrap(enc, { env: gpgEnv(empty, noGpg(empty)) })).resolves.toBeNull()
  })

  it("unlocks a passphrase-protected key file with askPassphrase, and skips it without one", async () => {
    const passphrase = "hunter2 but longer"
    const keyHome = tempGnupgHome()
    gpg(keyHome, ["--pinentry-mode", "loopback", "--passphrase", passphrase,
      "--quick-gen-key", "File Test <file@test.invalid>", "future-default", "default", "never"])
    const fingerprint = gpg(keyHome, ["--with-colons", "--list-secret-keys"]).toString("utf8").split("\n")
      .find(line => line.startsWith("fpr:"))!.split(":")[9]!
    const keyFile = join(keyHome, "exported.asc")
    writeFileSync(keyFile, gpg(keyHome, ["--pinentry-mode", "loopback", "--passphrase", passphrase, "--armor", "--export-secret-keys", fingerprint]))
    const dataKey = new Uint8Array(randomBytes(32))
    const enc = gpg(keyHome, ["--trust-model", "always", "--encrypt", "--armor", "--recipient", fingerprint], dataKey).toString("utf8")

    const home = tempGnupgHome()
    const env = gpgEnv(home, { [privateKeyFileEnv]: keyFile })
    const key = new PgpKeySource(fingerprint)
    const prompts: string[] = []
    const askPassphrase = async (prompt: string) => (prompts.push(prompt), passphrase)
    expect(await key.unwrap(enc, { env, askPassphrase })).toEqual(dataKey)
    expect(prompts).toEqual([`Passphrase for PGP key ${fingerprint}: `])

    const warnings: string[] = []
    await expect(key.unwrap(enc, { env, warn: message => warnings.push(message) })).resolves.toBeNull()
    expect(warnings.join("\n")).toContain(`PGP key ${fingerprint} is protected by a passphrase`)

    const wrong = await key.unwrap(enc, { env, askPassphrase: async () => "wrong" }).catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(KeySourceError)
    expect((wrong as Error).message).not.toContain(passphrase)
  })

  it("throws a KeySourceError for an enc that is not an OpenPGP message", async () => {
    const home = tempGnupgHome()
    const key = new PgpKeySource(key1)
    const corrupt = "-----BEGIN PGP MESSAGE-----\n\nnot base64 at all!\n-----END PGP MESSAGE-----\n"
    for (const env of [gpgEnv(home), gpgEnv(home, { ...noGpg(home), [privateKeyFileEnv]: functionalKeyFile })]) {
      const error = await key.unwrap(corrupt, { env }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(KeySourceError)
      expect((error as KeySourceError).keyId).toBe(key1)
      expect((error as Error).message).toMatch(/^FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4: failed to decrypt the data key with PGP: /)
    }
  })
})
