// The environment decryption runs with when keys come from a Flux decryption Secret: only those keys,
// as in the controller — age identities inline, PGP keys imported into a private GnuPG home (and
// offered to the openpgp.js fallback), cloud credentials as their SDKs' variables. Nothing of the
// user's own key setup (~/.gnupg, keys.txt, SOPS_AGE_KEY…) leaks in.
import { spawn, spawnSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { ExitCode, TsopsError } from "../../src/index.js"
import type { DecryptionKeys } from "./decryption-secret.js"
import type { PrivateDir } from "./private-dir.js"

type Env = Readonly<Record<string, string | undefined>>

/** sops's PGP key source reads this file when gpg is missing (kms/pgp.ts `privateKeyFileEnv`). */
const pgpKeyFileEnv = "TSOPS_PGP_PRIVATE_KEY_FILE"

/** Runs `gpg --import`; "missing" when no gpg can be started (the openpgp.js fallback then serves). */
function gpgImport(gpg: string, home: string, armored: Uint8Array, env: Env): Promise<"ok" | "failed" | "missing"> {
  return new Promise(resolve => {
    const child = spawn(gpg, ["--batch", "--quiet", "--no-tty", "--import"], {
      env: { ...env, GNUPGHOME: home },
      stdio: ["pipe", "ignore", "ignore"],
    })
    child.on("error", () => resolve("missing"))
    child.on("close", code => resolve(code === 0 ? "ok" : "failed"))
    child.stdin.on("error", () => undefined)
    child.stdin.end(armored)
  })
}

/**
 * Writes the keys under `dir` (inside the run's private directory) and returns the environment for
 * `decrypt`. The gpg-agent started for the private GnuPG home is stopped at cleanup.
 * @throws TsopsError (exit 5) when gpg rejects a `*.asc` entry, as Flux fails the import
 */
export async function keyEnvironment(keys: DecryptionKeys, scope: PrivateDir, baseEnv: Env): Promise<Record<string, string>> {
  const dir = join(scope.path, "keys")
  const home = join(dir, "home")
  const gnupgHome = join(dir, "gnupg")
  for (const d of [dir, home, gnupgHome]) mkdirSync(d, { recursive: true, mode: 0o700 })
  const env: Record<string, string> = {
    PATH: baseEnv.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    GNUPGHOME: gnupgHome,
  }
  if (baseEnv.SOPS_GPG_EXEC) env.SOPS_GPG_EXEC = baseEnv.SOPS_GPG_EXEC
  if (keys.ageIdentities.length > 0) env.SOPS_AGE_KEY = keys.ageIdentities.join("\n")
  if (keys.pgpKeys.length > 0) {
    const keyFile = join(dir, "pgp-keys.asc")
    writeFileSync(keyFile, Buffer.concat(keys.pgpKeys.map(k => Buffer.concat([Buffer.from(k.armored), Buffer.from("\n")]))), { mode: 0o600 })
    env[pgpKeyFileEnv] = keyFile
    const gpg = baseEnv.SOPS_GPG_EXEC || "gpg"
    scope.onCleanup(() => {
      spawnSync("gpgconf", ["--homedir", gnupgHome, "--kill", "gpg-agent"], { stdio: "ignore", env: { ...env } })
    })
    for (const key of keys.pgpKeys) {
      const outcome = await gpgImport(gpg, gnupgHome, key.armored, env)
      if (outcome === "missing") break
      if (outcome === "failed") {
        throw new TsopsError(`failed to import '${key.entry}' data from ${keys.source}: gpg could not import it`, ExitCode.ErrorReadingConfig)
      }
    }
  }
  for (const credentials of keys.cloud.values()) Object.assign(env, credentials.env)
  return env
}
