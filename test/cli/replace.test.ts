// `tsops replace FILE --from PLAINTEXT`: in place by default, --output, stdin, untouched when nothing
// changed, and bad input (one line, sops's exit code, original never lost).
import { spawnSync } from "node:child_process"
import { chmodSync, copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { decrypt } from "../../src/api/decrypt.js"
import { ageKeyFile, cleanEnv, tempDir } from "../support/env.js"
import { fixturePath, repoRoot } from "../support/fixtures.js"
import { runCli } from "../support/cli.js"

function setup() {
  const dir = tempDir()
  onTestFinished(() => {
    chmodSync(dir, 0o700)
    rmSync(dir, { recursive: true, force: true })
  })
  const file = join(dir, "secrets.enc.yaml")
  copyFileSync(fixturePath("reference/enc/basic.yaml"), file)
  const env = cleanEnv(dir, { SOPS_AGE_KEY_FILE: ageKeyFile("a") })
  const run = (argv: string[], stdin?: string) => runCli(argv, { env, cwd: dir, ...(stdin !== undefined ? { stdin } : {}) })
  const plainOf = async (path: string) => Buffer.from(await decrypt(readFileSync(path), { filename: "x.yaml", env })).toString()
  return { dir, file, env, run, plainOf, original: readFileSync(file) }
}

describe("tsops replace", () => {
  it("should re-encrypt the plaintext into the file in place, keeping the other ciphertexts", async () => {
    const c = setup()
    const plain = await c.plainOf(c.file)
    writeFileSync(join(c.dir, "secrets.yaml"), plain.replace("name: demo", "name: regenerated"))
    const r = await c.run(["replace", "secrets.enc.yaml", "--from", "secrets.yaml"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const before = c.original.toString().split("\n")
    const after = readFileSync(c.file, "utf8").split("\n")
    expect(before.flatMap((line, i) => (line === after[i] ? [] : [line.trim().split(":")[0]]))).toEqual(["name", "lastmodified", "mac", "version"])
    expect(await c.plainOf(c.file)).toContain("name: regenerated\n")
  })

  it("should leave the file untouched (same inode, same bytes) when the values did not change", async () => {
    const c = setup()
    writeFileSync(join(c.dir, "secrets.yaml"), await c.plainOf(c.file))
    const inode = statSync(c.file).ino
    const r = await c.run(["replace", "secrets.enc.yaml", "--from", "secrets.yaml"])
    expect(r.code).toBe(0)
    expect(statSync(c.file).ino).toBe(inode)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })

  it("should read the plaintext from stdin with --from - and write elsewhere with --output", async () => {
    const c = setup()
    const plain = (await c.plainOf(c.file)).replace("port: 8080", "port: 9999")
    const r = await c.run(["replace", "secrets.enc.yaml", "--from", "-", "--output", "out.enc.yaml"], plain)
    expect(r.code).toBe(0)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expect(await c.plainOf(join(c.dir, "out.enc.yaml"))).toContain("port: 9999\n")
  })

  it("should be documented in --help, in place by default", async () => {
    const c = setup()
    expect((await c.run(["--help"])).stdout.toString()).toMatch(/\breplace\b/)
    const help = (await c.run(["replace", "--help"])).stdout.toString()
    expect(help).toContain("--from <plaintext>")
    expect(help).toMatch(/in\s+place/)
    expect(help).toContain("--output <file>")
  })

  it.each([
    [["replace", "missing.enc.yaml", "--from", "secrets.yaml"], 2, /^Error reading file: open .*missing\.enc\.yaml: no such file or directory$/],
    [["replace", "secrets.enc.yaml", "--from", "missing.yaml"], 2, /^Error reading file: open .*missing\.yaml: no such file or directory$/],
    [["replace", "secrets.enc.yaml", "--from", "broken.yaml"], 2, /^Error unmarshalling input|line|column|position|yaml/i],
    [["replace", "secrets.enc.yaml", "--from", "secrets.enc.yaml"], 203, /top-level entry called 'sops'/],
    [["replace", "secrets.enc.yaml"], 1, /required option '--from <plaintext>' not specified/],
    [["replace", "secrets.enc.yaml", "--from", "secrets.yaml", "--output", "blocker/out.yaml"], 3, /^Could not open output file for writing: ENOTDIR: /],
  ] as [string[], number, RegExp][])("should refuse %j with exit %i, one line, original untouched", async (argv, code, message) => {
    const c = setup()
    writeFileSync(join(c.dir, "secrets.yaml"), (await c.plainOf(c.file)).replace("name: demo", "name: x"))
    writeFileSync(join(c.dir, "broken.yaml"), "a: [hunter2-SECRET\n")
    writeFileSync(join(c.dir, "blocker"), "")
    const r = await c.run(argv)
    expect(r.code).toBe(code)
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(r.stderr.trimEnd()).toMatch(message)
    expect(r.stderr).not.toContain("hunter2")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })
})

describe("no permission to write", () => {
  it("should exit 3 with the original intact when FILE's directory is read-only", async () => {
    const c = setup()
    writeFileSync(join(c.dir, "secrets.yaml"), (await c.plainOf(c.file)).replace("name: demo", "name: x"))
    chmodSync(c.file, 0o644)
    chmodSync(join(c.dir, "secrets.yaml"), 0o644)
    chmodSync(c.dir, 0o555)
    // Root ignores file modes: the real CLI runs as `nobody` (setpriv); as another user it simply runs.
    const command = [process.execPath, join(repoRoot, "bin/tsops"), "replace", "secrets.enc.yaml", "--from", "secrets.yaml"]
    const r = process.getuid?.() === 0
      ? spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", ...command], { env: c.env, cwd: c.dir })
      : spawnSync(command[0]!, command.slice(1), { env: c.env, cwd: c.dir })
    expect(r.stderr.toString()).toMatch(/^Could not open in-place file for writing: EACCES: .*secrets\.enc\.yaml\n$/)
    expect(r.status).toBe(3)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })
})
