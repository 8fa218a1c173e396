// `tsops init` in a temporary HOME: a working identity and .sops.yaml, so `encrypt` needs no flags afterwards; a second
// run never overwrites the identity (nor .sops.yaml).
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { tempDir } from "../support/env.js"
import { runCli, spawnTsops } from "../support/cli.js"

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A HOME and a project dir; the environment holds PATH and HOME only (plus `extra`). */
function setup(extra: Record<string, string> = {}) {
  const root = tempDir("tsops-init-")
  dirs.push(root)
  const home = join(root, "home")
  const project = join(root, "project")
  mkdirSync(home)
  mkdirSync(project)
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, ...extra }
  const cli = (argv: string[], cwd = project) => runCli(argv, { env, cwd })
  return { root, home, project, env, cli }
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)
// The real age CLI computes the recipient of an identity file independently of tsops.
const ageRecipientOf = (path: string) => execFileSync("age-keygen", ["-y", path], { encoding: "utf8" }).trim()

describe("tsops init", () => {
  it("creates an identity (0600 in 0700 dirs) and .sops.yaml; encrypt then works with no flags, decrypt gives the file back", async () => {
    const { home, project, cli } = setup()
    const r = await cli(["init"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const keys = join(home, ".config", "sops", "age", "keys.txt")
    expect(mode(keys)).toBe("600")
    expect(mode(join(home, ".config", "sops", "age"))).toBe("700")
    expect(mode(join(home, ".config", "sops"))).toBe("700")
    const recipient = ageRecipientOf(keys)
    const out = r.stdout.toString()
    expect(out).toContain(keys)
    expect(out).toContain(recipient)
    expect(out).toContain(join(project, ".sops.yaml"))
    expect(out).not.toContain("AGE-SECRET-KEY")
    expect(readFileSync(join(project, ".sops.yaml"), "utf8")).toContain(`age: ${recipient}`)

    const plain = "db:\n    password: init-SECRET\n"
    writeFileSync(join(project, "secrets.yaml"), plain)
    const enc = await cli(["encrypt", "-i", "secrets.yaml"])
    expect(enc.stderr).toBe("")
    expect(enc.code).toBe(0)
    const encrypted = readFileSync(join(project, "secrets.yaml"), "utf8")
    expect(encrypted).not.toContain("init-SECRET")
    expect(encrypted).toContain(`recipient: ${recipient}`)
    const dec = await cli(["decrypt", "secrets.yaml"])
    expect(dec.code).toBe(0)
    expect(dec.stdout.toString()).toBe(plain)
  })

  it("end to end with the real bin/tsops: init, then encrypt -i and decrypt with no flags", () => {
    const { project, env } = setup()
    const init = spawnTsops(["init"], { env, cwd: project })
    expect(init.stderr).toBe("")
    expect(init.code).toBe(0)
    writeFileSync(join(project, "app.yaml"), "token: e2e-SECRET\n")
    const enc = spawnTsops(["encrypt", "-i", "app.yaml"], { env, cwd: project })
    expect(enc.stderr).toBe("")
    expect(enc.code).toBe(0)
    expect(readFileSync(join(project, "app.yaml"), "utf8")).not.toContain("e2e-SECRET")
    const dec = spawnTsops(["decrypt", "app.yaml"], { env, cwd: project })
    expect(dec.code).toBe(0)
    expect(dec.stdout.toString()).toBe("token: e2e-SECRET\n")
  })

  it("run again: the identity and .sops.yaml are byte-identical, exit 0", async () => {
    const { home, project, cli } = setup()
    expect((await cli(["init"])).code).toBe(0)
    const keys = join(home, ".config", "sops", "age", "keys.txt")
    const identity = readFileSync(keys)
    const config = readFileSync(join(project, ".sops.yaml"))
    const again = await cli(["init"])
    expect(again.code).toBe(0)
    expect(again.stdout.toString()).toMatch(/existing age identity/)
    expect(again.stdout.toString()).toMatch(/already exists and names this recipient/)
    expect(readFileSync(keys).equals(identity)).toBe(true)
    expect(readFileSync(join(project, ".sops.yaml")).equals(config)).toBe(true)
  })

  it("a second project reuses the identity; XDG_CONFIG_HOME decides where it lives", async () => {
    const { root, env } = setup()
    const xdg = join(root, "xdg")
    const withXdg = { ...env, XDG_CONFIG_HOME: xdg }
    const first = await runCli(["init"], { env: withXdg, cwd: join(root, "project") })
    expect(first.code).toBe(0)
    const keys = join(xdg, "sops", "age", "keys.txt")
    expect(existsSync(keys)).toBe(true)
    expect(existsSync(join(root, "home", ".config"))).toBe(false)
    const other = join(root, "other")
    mkdirSync(other)
    const second = await runCli(["init"], { env: withXdg, cwd: other })
    expect(second.code).toBe(0)
    expect(readFileSync(join(other, ".sops.yaml"), "utf8")).toContain(ageRecipientOf(keys))
  })

  it("reuses an identity made by age-keygen, leaving the file untouched", async () => {
    const { home, project, cli } = setup()
    const dir = join(home, ".config", "sops", "age")
    mkdirSync(dir, { recursive: true })
    const keys = join(dir, "keys.txt")
    execFileSync("age-keygen", ["-o", keys], { stdio: "ignore" })
    const before = readFileSync(keys)
    const r = await cli(["init"])
    expect(r.code).toBe(0)
    expect(readFileSync(keys).equals(before)).toBe(true)
    expect(readFileSync(join(project, ".sops.yaml"), "utf8")).toContain(`age: ${ageRecipientOf(keys)}`)
  })

  it("an existing .sops.yaml without the recipient is left alone: exit 1, one line (the identity is still made)", async () => {
    const { home, project, cli } = setup()
    const config = "creation_rules:\n  - pgp: FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4\n"
    writeFileSync(join(project, ".sops.yaml"), config)
    const r = await cli(["init"])
    expect(r.code).toBe(1)
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(r.stderr).toMatch(/already exists and does not name age1.*left unchanged/)
    expect(readFileSync(join(project, ".sops.yaml"), "utf8")).toBe(config)
    expect(existsSync(join(home, ".config", "sops", "age", "keys.txt"))).toBe(true)
  })

  it("an identity file it cannot use is never overwritten: exit 1, one line, no .sops.yaml", async () => {
    const { home, project, cli } = setup()
    const dir = join(home, ".config", "sops", "age")
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, "keys.txt"), "not an identity\n")
    const r = await cli(["init"])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^Error: .*keys\.txt exists but holds no age identity tsops can use \(not overwriting it\)\n$/)
    expect(readFileSync(join(dir, "keys.txt"), "utf8")).toBe("not an identity\n")
    expect(existsSync(join(project, ".sops.yaml"))).toBe(false)
  })

  it("bad input: no HOME, a working directory that does not exist, an extra argument", async () => {
    const { root } = setup()
    const noHome = await runCli(["init"], { env: { PATH: process.env.PATH ?? "" }, cwd: root })
    expect(noHome.code).toBe(1)
    expect(noHome.stderr).toMatch(/^Error: cannot locate the age key file.*\n$/)
    const { cli, project } = setup()
    const gone = await cli(["init"], join(project, "missing"))
    expect(gone.code).toBe(3)
    expect(gone.stderr.trimEnd().split("\n")).toHaveLength(1)
    const extra = await cli(["init", "extra"])
    expect(extra.code).toBe(1)
    expect(extra.stderr.trimEnd().split("\n")).toHaveLength(1)
  })
})
