// `tsops flux build` interrupted by SIGINT or SIGTERM while kustomize runs: the private copy (with the
// decrypted sources and the imported keys) is removed, kustomize and the gpg-agent are stopped, the signal
// still ends the process, and the user's tree is untouched. `command` runs tsops (node + bin/tsops, or a
// self-contained binary).
import { execFileSync, spawn } from "node:child_process"
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { encrypt } from "../../../src/index.js"
import { cleanEnv, gnupgHomeWithTestKeys, tempDir } from "../../support/env.js"
import { readFixture } from "../../support/fixtures.js"
import { decryptionSecretManifest, pgpFingerprint, treeHash, writeTree } from "./flux-tree.js"

export function signalSuite(label: string, command: readonly string[]): void {
  const base = tempDir("tsops-flux-signals-")
  let gnupg: { home: string; dispose: () => void }
  let tree: string
  let keys: string
  const fakeKustomize = join(base, "kustomize-slow")

  beforeAll(async () => {
    gnupg = gnupgHomeWithTestKeys()
    tree = join(base, "tree")
    const pgpEnv = await encrypt("key=value-from-pgp\n", { inputType: "dotenv", outputType: "dotenv", pgp: pgpFingerprint, config: false, env: { GNUPGHOME: gnupg.home, PATH: process.env.PATH } })
    writeTree(tree, {
      "kustomization.yaml": "secretGenerator:\n  - name: a\n    envs:\n      - a.env\n  - name: p\n    envs:\n      - p.env\n",
      "a.env": readFixture("reference/enc/basic.env"),
      "p.env": pgpEnv,
    })
    keys = join(base, "keys.yaml")
    writeFileSync(keys, decryptionSecretManifest({ "age.agekey": readFixture("reference/keys/age-a.txt"), "pgp.asc": readFixture("reference/keys/pgp-functional-tests.asc") }))
    // Stands in for kustomize: says where it was asked to build, then waits to be killed.
    writeFileSync(fakeKustomize, "#!/bin/sh\necho \"$$ $4\" > \"$MARK\"\nexec sleep 60\n")
    chmodSync(fakeKustomize, 0o755)
  })
  afterAll(() => {
    gnupg.dispose()
    rmSync(base, { recursive: true, force: true })
  })

  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }

  async function waitFor(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 400; i++) {
      if (check()) return
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    throw new Error(`timed out waiting for ${what}`)
  }

  describe.each(["SIGINT", "SIGTERM"] as const)(`tsops flux build (${label}) on %s`, signal => {
    it("removes the private copy, stops kustomize and gpg-agent, and ends by the signal", async () => {
      const tmpRoot = join(base, `tmp-${signal}`)
      mkdirSync(tmpRoot)
      const mark = join(base, `mark-${signal}`)
      const before = treeHash(tree)
      const [program, ...prefix] = command
      const child = spawn(program!, [...prefix, "flux", "build", tree, "--decryption-secret", keys, "--kustomize", fakeKustomize], {
        env: cleanEnv(base, { TMPDIR: tmpRoot, MARK: mark }),
        stdio: ["ignore", "pipe", "pipe"],
      })
      let stderr = ""
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => child.on("exit", (code, sig) => resolve({ code, signal: sig })))
      await waitFor(() => {
        if (child.exitCode !== null) throw new Error(`tsops exited early (${child.exitCode}): ${stderr}`)
        return existsSync(mark) && readFileSync(mark, "utf8").includes("\n")
      }, "kustomize to start")
      const [pid, buildDir] = readFileSync(mark, "utf8").trim().split(" ") as [string, string]
      // Sources were decrypted in the private copy before kustomize was called.
      expect(buildDir.startsWith(tmpRoot)).toBe(true)
      expect(readFileSync(join(buildDir, "a.env"), "utf8")).toContain("WITH_EQUALS=a=b=c")
      expect(readFileSync(join(buildDir, "p.env"), "utf8")).toBe("key=value-from-pgp\n")
      expect(readdirSync(tmpRoot)).toHaveLength(1)
      const agentsBefore = execFileSync("ps", ["-eww", "-o", "args"], { encoding: "utf8" }).split("\n").filter(line => line.includes("gpg-agent") && line.includes(tmpRoot))
      expect(agentsBefore.length).toBe(1)

      child.kill(signal)
      const outcome = await exited
      expect(outcome.signal).toBe(signal)
      expect(stderr).toBe("")
      expect(readdirSync(tmpRoot)).toEqual([])
      await waitFor(() => !alive(Number(pid)), "kustomize to stop")
      await waitFor(() => !execFileSync("ps", ["-eww", "-o", "args"], { encoding: "utf8" }).split("\n").some(line => line.includes("gpg-agent") && line.includes(tmpRoot)), "gpg-agent to stop")
      expect(treeHash(tree)).toBe(before)
    })
  })
}
