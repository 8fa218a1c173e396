// `tsops set` / `tsops unset` / legacy `--set` on the command line: in-place writes, --value-file,
// --value-stdin, --idempotent, and bad input (one line, sops's exit code, original never lost).
import { spawnSync } from "node:child_process"
import { chmodSync, copyFileSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { decrypt } from "../../src/api/decrypt.js"
import { ageKeyFile, cleanEnv, tempDir } from "../support/env.js"
import { fixturePath, repoRoot } from "../support/fixtures.js"
import { runCli } from "../support/cli.js"

function setup(fixture = "reference/enc/basic.yaml", name = "secrets.yaml") {
  const dir = tempDir()
  onTestFinished(() => {
    chmodSync(dir, 0o700)
    rmSync(dir, { recursive: true, force: true })
  })
  const file = join(dir, name)
  copyFileSync(fixturePath(fixture), file)
  const env = cleanEnv(dir, { SOPS_AGE_KEY_FILE: ageKeyFile("a") })
  const run = (argv: string[], stdin?: string) => runCli(argv, { env, cwd: dir, ...(stdin !== undefined ? { stdin } : {}) })
  const plain = async () => Buffer.from(await decrypt(readFileSync(file), { filename: name, env })).toString()
  return { dir, file, env, run, plain, original: readFileSync(file) }
}

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split("\n")).toHaveLength(1)
  expect(stderr).not.toMatch(/\n\s+at /)
}

describe("tsops set", () => {
  it("should store a JSON number as type float, in place", async () => {
    const c = setup()
    const r = await c.run(["set", "secrets.yaml", '["n"]', "5"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(readFileSync(c.file, "utf8")).toMatch(/^"n": ENC\[AES256_GCM,data:[^\]]*,type:float\]$/m)
    expect(await c.plain()).toContain(`\n"n": 5\n`)
  })

  it("should read the value from a file with --value-file, and from stdin with --value-stdin", async () => {
    const c = setup()
    writeFileSync(join(c.dir, "value.json"), '"from-a-file"\n')
    expect((await c.run(["set", "--value-file", "secrets.yaml", '["app"]["name"]', "value.json"])).code).toBe(0)
    expect(await c.plain()).toContain("name: from-a-file\n")
    expect((await c.run(["set", "--value-stdin", "secrets.yaml", '["app"]["ratio"]'], '{"a": 1}')).code).toBe(0)
    expect(await c.plain()).toContain("ratio:\n        a: 1\n")
  })

  it("should not write the file at all with --idempotent when the value is the same", async () => {
    const c = setup()
    const inode = statSync(c.file).ino
    expect((await c.run(["set", "--idempotent", "secrets.yaml", '["app"]["name"]', '"demo"'])).code).toBe(0)
    expect(statSync(c.file).ino).toBe(inode)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    // Without it, sops rewrites the file anyway.
    expect((await c.run(["set", "secrets.yaml", '["app"]["name"]', '"demo"'])).code).toBe(0)
    expect(statSync(c.file).ino).not.toBe(inode)
  })

  it("should be the root command's --set mode", async () => {
    const c = setup()
    const r = await c.run(["--set", '["app"]["name"] "legacy"', "secrets.yaml"])
    expect(r.code).toBe(0)
    expect(await c.plain()).toContain("name: legacy\n")
  })

  it.each([
    [["set", "secrets.yaml", '["a"]', "[1, 2]"], 7, "Invalid --set value format"],
    [["set", "secrets.yaml", '["a"]', "not json"], 7, "Value for --set is not valid JSON"],
    [["set", "secrets.yaml", '["a"', '"x"'], 7, "Invalid set index format: component \"a\" doesn't end with ]"],
    [["set", "secrets.yaml", '["a"]'], 100, "Error: no file specified, or index and value are missing. Need precisely 3 positional arguments."],
    [["set", "--value-stdin", "secrets.yaml", '["a"]', '"x"'], 100, "Error: file specified, or index and value are missing. Need precisely 2 positional arguments since --value-stdin is used."],
    [["set", "--value-file", "--value-stdin", "secrets.yaml", '["a"]'], 1, "Error: cannot use both --value-file and --value-stdin"],
    [["set", "--value-file", "secrets.yaml", '["a"]', "missing.json"], 1, /^Error reading value file: open .*missing\.json: no such file or directory$/],
    [["set", "missing.yaml", '["a"]', '"x"'], 2, /^Error reading file: open .*missing\.yaml: no such file or directory$/],
    [["set", "secrets.yaml", '["sops"]', '"x"'], 203, /top-level entry called 'sops'/],
    [["--set", '["a"]"x"', "secrets.yaml"], 7, "Invalid --set format"],
  ] as [string[], number, string | RegExp][])("should refuse %j with exit %i and one line, file untouched", async (argv, code, message) => {
    const c = setup()
    const r = await c.run(argv)
    expect(r.code).toBe(code)
    expectOneLine(r.stderr)
    if (typeof message === "string") expect(r.stderr).toBe(`${message}\n`)
    else expect(r.stderr.trimEnd()).toMatch(message)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })

  it("should refuse to write a file that is not encrypted (exit 1), file untouched", async () => {
    const c = setup("reference/plain/basic.yaml")
    const r = await c.run(["set", "secrets.yaml", '["a"]', '"x"'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("sops metadata not found\n")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })
})

describe("tsops unset", () => {
  it("should remove a key in place and keep the MAC valid", async () => {
    const c = setup()
    const r = await c.run(["unset", "secrets.yaml", '["app"]["port"]'])
    expect(r.code).toBe(0)
    const plain = await c.plain()
    expect(plain).not.toContain("port:")
    expect(plain).toContain("ratio: 0.25\n")
  })

  it("should fail for a missing key (exit 1), and succeed without writing with --idempotent", async () => {
    const c = setup()
    const r = await c.run(["unset", "secrets.yaml", '["app"]["nope"]'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("Key not found: nope\n")
    const inode = statSync(c.file).ino
    const again = await c.run(["unset", "--idempotent", "secrets.yaml", '["app"]["nope"]'])
    expect(again.code).toBe(0)
    expect(again.stderr).toBe("")
    expect(statSync(c.file).ino).toBe(inode)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })

  it.each([
    [["unset", "secrets.yaml"], 100, "Error: no file specified, or index is missing"],
    [["unset", "secrets.yaml", "app"], 7, "Invalid unset index format: component app doesn't end with ]"],
    [["unset", "missing.yaml", '["a"]'], 2, /^Error reading file: open .*missing\.yaml: no such file or directory$/],
  ] as [string[], number, string | RegExp][])("should refuse %j with exit %i", async (argv, code, message) => {
    const c = setup()
    const r = await c.run(argv)
    expect(r.code).toBe(code)
    expectOneLine(r.stderr)
    if (typeof message === "string") expect(r.stderr).toBe(`${message}\n`)
    else expect(r.stderr.trimEnd()).toMatch(message)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })
})

describe("no permission to write", () => {
  /**
   * Root ignores file modes, so the real CLI runs as `nobody` (setpriv) against a directory made
   * read-only; as another user it simply runs.
   */
  function runUnprivileged(argv: string[], env: Record<string, string>, cwd: string) {
    const command = [process.execPath, join(repoRoot, "bin/tsops"), ...argv]
    const asRoot = process.getuid?.() === 0
    const r = asRoot
      ? spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", ...command], { env, cwd })
      : spawnSync(command[0]!, command.slice(1), { env, cwd })
    return { code: r.status, stderr: r.stderr.toString() }
  }

  it.each([
    ["set", ["set", "secrets.yaml", '["app"]["name"]', '"x"']],
    ["unset", ["unset", "secrets.yaml", '["app"]["name"]']],
  ])("should exit 3 for %s with the original intact", (_name, argv) => {
    const c = setup()
    chmodSync(c.file, 0o644)
    chmodSync(c.dir, 0o555)
    const r = runUnprivileged(argv, c.env, c.dir)
    expect(r.stderr).toMatch(/^Could not open in-place file for writing: EACCES: .*secrets\.yaml\n$/)
    expect(r.code).toBe(3)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })
})
