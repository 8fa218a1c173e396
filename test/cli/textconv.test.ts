// tsops as a git textconv driver: a real `git diff` in a temporary repository shows plaintext changes
// of encrypted files (git runs `<textconv> <file>` and reads stdout; `tsops decrypt` is that command).
import { execFileSync } from "node:child_process"
import { copyFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { expect, it, onTestFinished } from "vitest"
import { ageKeyFile, cleanEnv, tempDir } from "../support/env.js"
import { fixturePath, repoRoot } from "../support/fixtures.js"
import { runCli } from "../support/cli.js"

it("should make git diff show the plaintext change of an encrypted file", async () => {
  const dir = tempDir()
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  const env = cleanEnv(dir, {
    SOPS_AGE_KEY_FILE: ageKeyFile("a"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.invalid", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.invalid",
  })
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, env }).toString()
  git("init", "-q")
  // The two lines the README documents.
  writeFileSync(join(dir, ".gitattributes"), "*.enc.yaml diff=sopsdiffer\n")
  git("config", "diff.sopsdiffer.textconv", `node ${join(repoRoot, "bin/tsops")} decrypt`)
  copyFileSync(fixturePath("reference/enc/basic.yaml"), join(dir, "secrets.enc.yaml"))
  git("add", ".")
  git("commit", "-q", "-m", "secrets")

  const r = await runCli(["set", "secrets.enc.yaml", '["app"]["name"]', '"renamed"'], { env, cwd: dir })
  expect(r.code).toBe(0)

  const diff = git("diff", "--no-color", "-U0")
  expect(diff).toContain("-    name: demo\n")
  expect(diff).toContain("+    name: renamed\n")
  expect(diff).not.toContain("ENC[")
  // Without the driver the same diff is ciphertext only.
  const raw = git("diff", "--no-color", "--no-textconv", "-U0")
  expect(raw).not.toContain("name: renamed")
  expect(raw).toContain("ENC[")
})
