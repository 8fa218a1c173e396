// Throw-away GNUPGHOMEs for the PGP tests: made per test (mode 0700), agent killed and removed when it ends.
import { execFileSync, spawnSync } from "node:child_process"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { onTestFinished } from "vitest"
import { fixturePath } from "../../support/fixtures.js"

export const functionalKeyFile = fixturePath("sops-upstream/pgp/sops_functional_tests_key.asc")
/** "SOPS Functional Tests Key 1" (RSA 2048) and its encryption subkey (spec §11.1). */
export const key1 = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4"
export const key1Subkey = "71D962851765394F76DB9CFC25294A17CD90507F"
/** "SOPS Functional Tests Key 2" (RSA 1024). */
export const key2 = "D7229043384BCC60326C6FB9D8720D957C3D3074"
/** Key 3: only its public key is in the functional-tests file. */
export const key3 = "B611A2F9F11D0FF82568805119F9B5DAEA91FF86"
/** The Flux test key of sops's pgp/testdata (legacy keyrings). */
export const fluxKey = "B59DAF469E8C948138901A649732075EA221A7EA"

/** A fresh, empty GNUPGHOME (also used as HOME), cleaned up after the current test. */
export function tempGnupgHome(): string {
  const home = mkdtempSync(join(tmpdir(), "tsops-gpg-"))
  chmodSync(home, 0o700)
  onTestFinished(() => {
    spawnSync("gpgconf", ["--homedir", home, "--kill", "gpg-agent"], { stdio: "ignore" })
    rmSync(home, { recursive: true, force: true })
  })
  return home
}

/** The environment a test hands to the key source: nothing from the developer's own keyrings. */
export function gpgEnv(home: string, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { PATH: process.env["PATH"], HOME: home, GNUPGHOME: home, ...extra }
}

/** Runs the real gpg in `home`; throws on a non-zero exit. */
export function gpg(home: string, args: readonly string[], input?: Uint8Array | string): Buffer {
  return execFileSync("gpg", ["--batch", ...args], {
    env: { PATH: process.env["PATH"], HOME: home, GNUPGHOME: home },
    input,
    stdio: ["pipe", "pipe", "pipe"],
  })
}

/** A GNUPGHOME holding both functional-test secret keys (and key 3's public key). */
export function functionalTestsHome(): string {
  const home = tempGnupgHome()
  gpg(home, ["--import", functionalKeyFile])
  return home
}
