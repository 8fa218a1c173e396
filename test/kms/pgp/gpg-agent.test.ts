// unwrap goes through gpg-agent: a passphrase-protected key decrypts once the agent holds its passphrase.
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { KeySourceError } from "../../../src/core/errors.js"
import { PgpKeySource } from "../../../kms/pgp.js"
import { gpg, gpgEnv, tempGnupgHome } from "./gnupg-home.js"

const passphrase = "correct horse battery staple"

/** A home with a fresh passphrase-protected key (ed25519 + cv25519) and no agent running. */
function homeWithProtectedKey(): { home: string; fingerprint: string; keygrip: string } {
  const home = tempGnupgHome()
  gpg(home, ["--pinentry-mode", "loopback", "--passphrase", passphrase,
    "--quick-gen-key", "Agent Test <agent@test.invalid>", "future-default", "default", "never"])
  const colons = gpg(home, ["--with-colons", "--with-keygrip", "--list-secret-keys"]).toString("utf8").split("\n")
  const fingerprint = colons.find(line => line.startsWith("fpr:"))!.split(":")[9]!
  // The keygrip after the `ssb` line: the encryption subkey, the one that decrypts.
  const ssb = colons.findIndex(line => line.startsWith("ssb:"))
  const keygrip = colons.slice(ssb).find(line => line.startsWith("grp:"))!.split(":")[9]!
  // Key generation left the passphrase in the agent's cache: restart it with pinentry disabled, so
  // that only a preset passphrase can unlock the key.
  execFileSync("gpgconf", ["--homedir", home, "--kill", "gpg-agent"])
  writeFileSync(join(home, "gpg-agent.conf"), "allow-preset-passphrase\npinentry-program /bin/false\n")
  return { home, fingerprint, keygrip }
}

function presetPassphrase(home: string, keygrip: string): void {
  const env = { PATH: process.env["PATH"], GNUPGHOME: home, HOME: home }
  execFileSync("gpg-connect-agent", ["/bye"], { env, stdio: "ignore" })
  const libexec = execFileSync("gpgconf", ["--list-dirs", "libexecdir"], { env, encoding: "utf8" }).trim()
  execFileSync(join(libexec, "gpg-preset-passphrase"), ["--preset", "-P", passphrase, keygrip], { env })
}

describe("PGP unwrap through gpg-agent", () => {
  it("fails while the agent lacks the passphrase and succeeds once it is preset, without a terminal", async () => {
    const { home, fingerprint, keygrip } = homeWithProtectedKey()
    const dataKey = new Uint8Array(randomBytes(32))
    const enc = gpg(home, ["--trust-model", "always", "--encrypt", "--armor", "--recipient", fingerprint], dataKey).toString("utf8")
    const key = new PgpKeySource(fingerprint)
    const env = gpgEnv(home)

    // The key is there but locked and pinentry can't run: a failure, not "not my key".
    const locked = await key.unwrap(enc, { env }).then(() => undefined, (error: unknown) => error)
    expect(locked).toBeInstanceOf(KeySourceError)
    expect((locked as KeySourceError).keyId).toBe(fingerprint)
    expect((locked as Error).message).toMatch(/gpg: .*pinentry/i)

    presetPassphrase(home, keygrip)
    expect(await key.unwrap(enc, { env })).toEqual(dataKey)
  })
})
