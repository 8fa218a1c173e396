// Isolated environments for tests: a temp HOME (no stray ~/.config/sops/age/keys.txt), age keys
// from the fixtures, a throw-away GNUPGHOME with the sops functional-test PGP keys.
import { execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fixturePath } from "./fixtures.js"

export function tempDir(prefix = "tsops-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A minimal environment: PATH only, HOME pointing at an empty temp dir. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_CONFIG_HOME: join(home, ".config"), ...extra }
}

export const ageKeyFile = (name: "a" | "b" | "c" | "all"): string => fixturePath("reference/keys", `age-${name}.txt`)

/** A GNUPGHOME holding the sops functional-test secret keys. Call `dispose` when done. */
export function gnupgHomeWithTestKeys(): { home: string; dispose: () => void } {
  const home = tempDir("tsops-gnupg-")
  execFileSync("gpg", ["--homedir", home, "--batch", "--quiet", "--import", fixturePath("sops-upstream/pgp/sops_functional_tests_key.asc")], { stdio: "ignore" })
  return {
    home,
    dispose: () => {
      try {
        execFileSync("gpgconf", ["--homedir", home, "--kill", "gpg-agent"], { stdio: "ignore" })
      } catch {
        // no agent running
      }
      rmSync(home, { recursive: true, force: true })
    },
  }
}
