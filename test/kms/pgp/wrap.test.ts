// wrap: the data key encrypted to a fingerprint, checked by decrypting with the real gpg.
import { randomBytes } from "node:crypto"
import { copyFileSync, existsSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { KeySourceError } from "../../../src/core/errors.js"
import { PgpKeySource } from "../../../kms/pgp.js"
import { fixturePath } from "../../support/fixtures.js"
import { fluxKey, functionalTestsHome, gpg, gpgEnv, key1, key1Subkey, key2, tempGnupgHome } from "./gnupg-home.js"

const newDataKey = (): Uint8Array => new Uint8Array(randomBytes(32))
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

/** The key ids an armored message is encrypted to, as gpg reports them. */
function recipientsOf(home: string, enc: string): string[] {
  const packets = gpg(home, ["--list-packets", "--list-only"], enc).toString("utf8")
  return [...packets.matchAll(/pubkey enc packet: .* keyid ([0-9A-F]{16})/g)].map(m => m[1]!)
}

describe("PGP wrap", () => {
  it("encrypts with openpgp.js to the key gpg exports from its keybox, and gpg decrypts it", async () => {
    const home = functionalTestsHome()
    expect(existsSync(join(home, "pubring.gpg"))).toBe(false) // only pubring.kbx: openpgp.js can't read it
    const dataKey = newDataKey()
    const enc = await new PgpKeySource(key1).wrap(dataKey, { env: gpgEnv(home) })
    expect(enc).toMatch(/^-----BEGIN PGP MESSAGE-----\n/)
    // openpgp.js's armor ends with a newline; sops's gpg path trims it (spec §6.2): this came from the library.
    expect(enc.endsWith("-----END PGP MESSAGE-----\n")).toBe(true)
    expect(recipientsOf(home, enc)).toEqual([key1Subkey.slice(-16)])
    expect(gpg(home, ["--decrypt"], enc)).toEqual(Buffer.from(dataKey))
  })

  it("accepts a long key id and a subkey fingerprint with `!`", async () => {
    const home = functionalTestsHome()
    for (const fingerprint of [key1.slice(-16), `${key1Subkey}!`, key1.toLowerCase()]) {
      const dataKey = newDataKey()
      const enc = await new PgpKeySource(fingerprint).wrap(dataKey, { env: gpgEnv(home) })
      expect(enc.endsWith("\n")).toBe(true)
      expect(recipientsOf(home, enc)).toEqual([key1Subkey.slice(-16)])
      expect(gpg(home, ["--decrypt"], enc)).toEqual(Buffer.from(dataKey))
    }
  })

  it("falls back to `gpg --encrypt` for a key openpgp.js refuses (RSA 1024), trimming its output", async () => {
    const home = functionalTestsHome()
    const dataKey = newDataKey()
    const enc = await new PgpKeySource(key2).wrap(dataKey, { env: gpgEnv(home) })
    expect(enc).toMatch(/^-----BEGIN PGP MESSAGE-----\n[\s\S]*\n-----END PGP MESSAGE-----$/)
    expect(gpg(home, ["--decrypt"], enc)).toEqual(Buffer.from(dataKey))
  })

  it("encrypts to a key of the legacy $GNUPGHOME/pubring.gpg without gpg", async () => {
    const home = tempGnupgHome()
    copyFileSync(fixturePath("sops-upstream/pgp/testdata/ring/pubring.gpg"), join(home, "pubring.gpg"))
    const dataKey = newDataKey()
    const env = gpgEnv(home, { SOPS_GPG_EXEC: join(home, "no-such-gpg") })
    const enc = await new PgpKeySource(fluxKey).wrap(dataKey, { env })
    expect(enc.endsWith("-----END PGP MESSAGE-----\n")).toBe(true)

    const decryptHome = tempGnupgHome()
    gpg(decryptHome, ["--import", fixturePath("sops-upstream/pgp/testdata/private.gpg")])
    expect(gpg(decryptHome, ["--decrypt"], enc)).toEqual(Buffer.from(dataKey))
  })

  it("round-trips through its own unwrap", async () => {
    const home = functionalTestsHome()
    const key = new PgpKeySource(key1)
    const dataKey = newDataKey()
    const enc = await key.wrap(dataKey, { env: gpgEnv(home) })
    expect(await key.unwrap(enc, { env: gpgEnv(home) })).toEqual(dataKey)
  })

  it("throws a KeySourceError naming an unknown fingerprint", async () => {
    const unknown = "E5297818703249D0C60E19E6824612478D1A4CCD"
    const dataKey = newDataKey()
    const withGpg = await new PgpKeySource(unknown).wrap(dataKey, { env: gpgEnv(functionalTestsHome()) }).catch((e: unknown) => e)
    expect(withGpg).toBeInstanceOf(KeySourceError)
    expect((withGpg as KeySourceError).keyId).toBe(unknown)
    expect((withGpg as Error).message).toMatch(new RegExp(`^${unknown}: could not encrypt the data key with PGP: gpg: .*No public key`))
    expect((withGpg as Error).message).not.toContain(hex(dataKey))

    const home = tempGnupgHome()
    const env = gpgEnv(home, { SOPS_GPG_EXEC: join(home, "no-such-gpg") })
    const withoutGpg = await new PgpKeySource(unknown).wrap(dataKey, { env }).catch((e: unknown) => e)
    expect(withoutGpg).toBeInstanceOf(KeySourceError)
    expect((withoutGpg as Error).message).toContain(`${unknown}: could not encrypt the data key with PGP: public key not found`)
  })
})
