// exec-env / exec-file: the command sees the decrypted values, its exit status is passed on, and no plaintext file
// (nor the private directory) is left behind on any path — exit, error, SIGTERM, SIGINT.
import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { repoRoot } from "../support/fixtures.js"
import { ageKeyFile, cleanEnv, tempDir } from "../support/env.js"
import { runCli, spawnTsops } from "../support/cli.js"

const recipientA = "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7"
const secret = "hunter2-exec-SECRET"
const plainYaml = `# leading comment\npassword: ${secret}\nport: 5432\nratio: 1.0\nenabled: true\nempty: ""\n`

const dir = tempDir("tsops-exec-")
// Every private directory goes here, so "nothing left" is checked exactly (other tests share os.tmpdir()).
const tmpRoot = join(dir, "tmp")
const env = cleanEnv(dir, { SOPS_AGE_KEY_FILE: ageKeyFile("a"), TMPDIR: tmpRoot })

async function cli(argv: string[], options: { extraEnv?: Record<string, string>; stdin?: string } = {}) {
  return runCli(argv, { env: { ...env, ...options.extraEnv }, cwd: dir, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) })
}

async function encryptFile(name: string, text: string): Promise<void> {
  writeFileSync(join(dir, `${name}.plain`), text)
  const ext = name.slice(name.lastIndexOf("."))
  const r = await cli(["encrypt", "--age", recipientA, "--filename-override", `x${ext}`, "--output", name, `${name}.plain`])
  expect(r.stderr).toBe("")
  expect(r.code).toBe(0)
  rmSync(join(dir, `${name}.plain`))
}

const read = (name: string) => readFileSync(join(dir, name), "utf8")
// What `tsops decrypt` prints for env.enc.yaml: exec-file hands the command the same bytes.
let decryptedYaml = ""
const tmpEntries = () => readdirSync(tmpRoot)

function expectOneCleanLine(stderr: string): void {
  const lines = stderr.trimEnd().split("\n")
  expect(lines).toHaveLength(1)
  expect(stderr).not.toMatch(/\n\s+at /)
  expect(stderr).not.toContain(secret)
}

beforeAll(async () => {
  mkdirSync(tmpRoot)
  await encryptFile("env.enc.yaml", plainYaml)
  await encryptFile("nested.enc.yaml", `top: 1\ndb:\n  password: ${secret}\n`)
  await encryptFile("eq.enc.yaml", `"a=b": ${secret}\n`)
  await encryptFile("big.enc.json", JSON.stringify({ blob: "x".repeat(300_000), password: secret }))
  decryptedYaml = (await cli(["decrypt", "env.enc.yaml"])).stdout.toString()
  expect(decryptedYaml).toContain(`password: ${secret}\n`)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("exec-env", () => {
  it("gives the command every top-level value as a variable (non-strings as sops's ValToString) and passes on stdout", async () => {
    const r = await cli(["exec-env", "env.enc.yaml",
      `printf %s "$password" > pw.out; printf '%s|%s|%s|%s' "$port" "$ratio" "$enabled" "\${empty-unset}" > typed.out; echo "visible:$port"`])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(read("pw.out")).toBe(secret)
    expect(read("typed.out")).toBe("5432|1.0|true|")
    expect(r.stdout.toString()).toBe("visible:5432\n")
  })

  it("adds the values to the parent's environment, or replaces it with --pristine", async () => {
    const command = `printf '%s' "\${PARENT_ONLY-absent}" > parent.out; env > env.out`
    expect((await cli(["exec-env", "env.enc.yaml", command], { extraEnv: { PARENT_ONLY: "here" } })).code).toBe(0)
    expect(read("parent.out")).toBe("here")
    expect(read("env.out")).toContain(`password=${secret}`)

    expect((await cli(["exec-env", "--pristine", "env.enc.yaml", command], { extraEnv: { PARENT_ONLY: "here" } })).code).toBe(0)
    expect(read("parent.out")).toBe("absent")
    const names = read("env.out").split("\n").filter(Boolean).map(line => line.slice(0, line.indexOf("=")))
    // sh itself adds PWD, SHLVL and `_`; nothing of the parent's environment (PATH, HOME, TMPDIR…) is there.
    expect(names.filter(name => !["PWD", "OLDPWD", "SHLVL", "_"].includes(name)).sort()).toEqual(["empty", "enabled", "password", "port", "ratio"])
  })

  it("a decrypted value overrides a parent variable of the same name", async () => {
    expect((await cli(["exec-env", "env.enc.yaml", `printf %s "$port" > port.out`], { extraEnv: { port: "1" } })).code).toBe(0)
    expect(read("port.out")).toBe("5432")
  })

  it("passes on the command's exit status, and 128+n for a signal, without an error line", async () => {
    const failed = await cli(["exec-env", "env.enc.yaml", "exit 42"])
    expect(failed.code).toBe(42)
    expect(failed.stderr).toBe("")
    const killed = await cli(["exec-env", "env.enc.yaml", "kill -TERM $$"])
    expect(killed.code).toBe(143)
  })

  it("forwards stdin to the command", async () => {
    const r = await cli(["exec-env", "env.enc.yaml", "cat > stdin.out"], { stdin: "from-stdin\n" })
    expect(r.code).toBe(0)
    expect(read("stdin.out")).toBe("from-stdin\n")
  })

  it("refuses a nested value or a key with '=' (exit 1, one line naming the key, command not run)", async () => {
    rmSync(join(dir, "ran.out"), { force: true })
    const nested = await cli(["exec-env", "nested.enc.yaml", "touch ran.out"])
    expect(nested.code).toBe(1)
    expect(nested.stderr).toBe("cannot use complex value in environment; offending key db\n")
    const eq = await cli(["exec-env", "eq.enc.yaml", "touch ran.out"])
    expect(eq.code).toBe(1)
    expectOneCleanLine(eq.stderr)
    expect(eq.stderr).toContain("a=b")
    expect(existsSync(join(dir, "ran.out"))).toBe(false)
  })

  it("never puts a value on a command line: neither tsops's nor the shell's", () => {
    const r = spawnTsops(["exec-env", "env.enc.yaml", "tr '\\0' ' ' < /proc/$$/cmdline > sh-cmdline.out; tr '\\0' ' ' < /proc/$PPID/cmdline > tsops-cmdline.out"], { env, cwd: dir })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(read("sh-cmdline.out")).toContain("/bin/sh -c")
    expect(read("tsops-cmdline.out")).toContain("exec-env env.enc.yaml")
    expect(read("sh-cmdline.out") + read("tsops-cmdline.out")).not.toContain(secret)
  })

  it("--same-process runs the command and exits with its status; --background warns and still waits", async () => {
    const same = await cli(["exec-env", "--same-process", "env.enc.yaml", `printf %s "$password" > same.out; exit 5`])
    expect(same.code).toBe(5)
    expect(read("same.out")).toBe(secret)
    const background = await cli(["exec-env", "--background", "env.enc.yaml", `sleep 0.2; printf %s "$port" > bg.out`])
    expect(background.code).toBe(0)
    expect(background.stderr).toMatch(/^\[tsops\] warning: --background is deprecated.*\n$/)
    expect(read("bg.out")).toBe("5432")
    const both = await cli(["exec-env", "--background", "--same-process", "env.enc.yaml", "true"])
    expect(both.code).toBe(8)
    expect(both.stderr).toContain("--same-process flag cannot be used with --background")
  })
})

describe("exec-file", () => {
  it("hands the decrypted file over through a FIFO by default, in a 0700 directory, and removes it afterwards", async () => {
    const r = await cli(["exec-file", "env.enc.yaml",
      "test -p {} && echo fifo > kind.out; stat -c %a \"$(dirname {})\" > dirmode.out; echo {} > path.out; cat {} > content.out"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(read("kind.out")).toBe("fifo\n")
    expect(read("dirmode.out")).toBe("700\n")
    expect(read("content.out")).toBe(decryptedYaml)
    const path = read("path.out").trim()
    expect(path.startsWith(`${tmpRoot}/.tsops-`)).toBe(true)
    expect(path.endsWith("/tmp-file")).toBe(true)
    expect(existsSync(dirname(path))).toBe(false)
    expect(tmpEntries()).toEqual([])
  })

  it("--no-fifo: a regular 0600 file, removed with its directory", async () => {
    const r = await cli(["exec-file", "--no-fifo", "env.enc.yaml",
      "test -f {} && echo file > kind.out; stat -c %a {} > mode.out; echo {} > path.out; cat {} > content.out"])
    expect(r.code).toBe(0)
    expect(read("kind.out")).toBe("file\n")
    expect(read("mode.out")).toBe("600\n")
    expect(read("content.out")).toBe(decryptedYaml)
    expect(existsSync(read("path.out").trim())).toBe(false)
    expect(tmpEntries()).toEqual([])
  })

  it("--filename and --output-type: the file has that name and the output store's format", async () => {
    for (const fifo of [[], ["--no-fifo"]]) {
      const r = await cli(["exec-file", ...fifo, "--filename", "conf/app.json", "--output-type", "json", "env.enc.yaml", "echo {} > path.out; cat {} > content.out"])
      expect(r.code).toBe(0)
      expect(read("path.out").trim().endsWith("/conf/app.json")).toBe(true)
      expect(JSON.parse(read("content.out"))).toMatchObject({ password: secret, port: 5432, enabled: true })
    }
    expect(tmpEntries()).toEqual([])
  })

  it("replaces every {} and passes on the exit status", async () => {
    const r = await cli(["exec-file", "--no-fifo", "env.enc.yaml", "cmp {} {} && exit 3"])
    expect(r.code).toBe(3)
    expect(tmpEntries()).toEqual([])
  })

  it("does not hang when the command never opens the FIFO, and removes it", async () => {
    // The real process: a writer left blocked on the FIFO would keep it from exiting.
    for (const file of ["env.enc.yaml", "big.enc.json"]) {
      const r = spawnSync(process.execPath, [`${repoRoot}/bin/tsops`, "exec-file", file, "exit 9"], { env, cwd: dir, timeout: 10_000 })
      expect(r.status, file).toBe(9)
    }
    const inProcess = await cli(["exec-file", "env.enc.yaml", "exit 0"])
    expect(inProcess.code).toBe(0)
    expect(tmpEntries()).toEqual([])
  })

  it("streams content larger than a pipe buffer through the FIFO", async () => {
    const r = await cli(["exec-file", "big.enc.json", "cat {} > big.out"])
    expect(r.code).toBe(0)
    expect(JSON.parse(read("big.out"))).toEqual({ blob: "x".repeat(300_000), password: secret })
    expect(tmpEntries()).toEqual([])
  })

  it("with no TMPDIR uses the system temp dir and leaves nothing new there", async () => {
    const before = new Set(readdirSync(tmpdir()))
    const { TMPDIR: _unused, ...noTmp } = env
    const r = await runCli(["exec-file", "env.enc.yaml", "echo {} > path.out; cat {} > /dev/null"], { env: noTmp, cwd: dir })
    expect(r.code).toBe(0)
    const path = read("path.out").trim()
    expect(dirname(dirname(path))).toBe(tmpdir())
    expect(existsSync(dirname(path))).toBe(false)
    const fresh = readdirSync(tmpdir()).filter(name => !before.has(name) && name.startsWith(".tsops-"))
    expect(fresh).toEqual([])
  })

  it("refuses a --filename outside the private directory before running anything", async () => {
    for (const name of ["../escape", "/etc/passwd", "a/../../b", ""]) {
      const r = await cli(["exec-file", "--filename", name, "env.enc.yaml", "touch ran.out"])
      expect(r.code, name).toBe(1)
      expectOneCleanLine(r.stderr)
      expect(existsSync(join(dir, "ran.out"))).toBe(false)
    }
    expect(tmpEntries()).toEqual([])
  })

  it("the real process forwards stdin, stdout and stderr to the command", () => {
    const r = spawnTsops(["exec-file", "env.enc.yaml", "cat; head -c 8 {} >&2"], { env, cwd: dir, input: "piped-in" })
    expect(r.code).toBe(0)
    expect(r.stdout.toString()).toBe("piped-in")
    expect(r.stderr).toBe("# leadin")
  })
})

describe("signals", () => {
  // The real CLI: tsops must survive the signal long enough to remove the private directory.
  function startTsops(argv: string[]) {
    const child = spawn(process.execPath, [`${repoRoot}/bin/tsops`, ...argv], { env, cwd: dir, detached: true, stdio: "ignore" })
    const exited = new Promise<number | null>(resolve => child.once("exit", code => resolve(code)))
    return { child, exited }
  }
  async function waitFor(check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise(resolve => setTimeout(resolve, 25))
    expect(check()).toBe(true)
  }

  it.each([["FIFO", []], ["file", ["--no-fifo"]]])("SIGTERM to tsops (%s): the command is stopped, the directory removed, exit 143", async (_kind, flags) => {
    rmSync(join(dir, "started.out"), { force: true })
    const { child, exited } = startTsops(["exec-file", ...flags, "env.enc.yaml", "echo {} > started.out; exec sleep 30"])
    await waitFor(() => existsSync(join(dir, "started.out")) && read("started.out").endsWith("\n"))
    const path = read("started.out").trim()
    expect(existsSync(path)).toBe(true)
    child.kill("SIGTERM")
    expect(await exited).toBe(143)
    expect(existsSync(dirname(path))).toBe(false)
    expect(tmpEntries()).toEqual([])
  })

  it("SIGINT to the process group (Ctrl-C): the command dies, the directory is removed, exit 130", async () => {
    rmSync(join(dir, "started.out"), { force: true })
    const { child, exited } = startTsops(["exec-file", "--no-fifo", "env.enc.yaml", "echo {} > started.out; exec sleep 30"])
    await waitFor(() => existsSync(join(dir, "started.out")) && read("started.out").endsWith("\n"))
    process.kill(-child.pid!, "SIGINT")
    expect(await exited).toBe(130)
    expect(existsSync(dirname(read("started.out").trim()))).toBe(false)
    expect(tmpEntries()).toEqual([])
  })
})

describe("--user", () => {
  const isRoot = process.getuid?.() === 0

  it("runs the command as that user, who can read the FIFO and the file (as root)", async () => {
    if (!isRoot) {
      // Not root: switching users must fail clearly instead.
      const r = await cli(["exec-env", "--user", "root", "env.enc.yaml", "true"])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/requires running tsops as root/)
      return
    }
    spawnSync("chmod", ["755", dir]) // nobody must reach the working directory
    const outDir = join(dir, "nobody-out")
    mkdirSync(outDir, { recursive: true, mode: 0o777 })
    spawnSync("chmod", ["777", outDir])
    const envRun = await cli(["exec-env", "--user", "nobody", "env.enc.yaml", `id -un > nobody-out/user.out; printf %s "$password" > nobody-out/pw.out`])
    expect(envRun.code).toBe(0)
    expect(readFileSync(join(outDir, "user.out"), "utf8")).toBe("nobody\n")
    expect(readFileSync(join(outDir, "pw.out"), "utf8")).toBe(secret)
    for (const fifo of [[], ["--no-fifo"]]) {
      const fileRun = await cli(["exec-file", ...fifo, "--user", "nobody", "env.enc.yaml", "cat {} > nobody-out/content.out"])
      expect(fileRun.code).toBe(0)
      expect(readFileSync(join(outDir, "content.out"), "utf8")).toBe(decryptedYaml)
    }
    expect(tmpEntries()).toEqual([])
  })

  it("a non-root tsops cannot switch users; an unknown user is one clear line", async () => {
    const unknown = await cli(["exec-env", "--user", "no-such-user-tsops", "env.enc.yaml", "touch ran.out"])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toBe(`Error: unknown user "no-such-user-tsops"\n`)
    if (!isRoot) return
    // As root, run tsops itself as nobody and ask for root.
    spawnSync("chmod", ["755", dir])
    const r = spawnSync(process.execPath, [`${repoRoot}/bin/tsops`, "exec-env", "--user", "root", "env.enc.yaml", "touch ran.out"],
      { env, cwd: dir, uid: 65534, gid: 65534, encoding: "utf8" })
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^Error: running a command as user "root" \(--user\) requires running tsops as root\n$/)
    expect(existsSync(join(dir, "ran.out"))).toBe(false)
  })
})

describe("bad input", () => {
  it.each([
    [["exec-env", "missing.yaml", "true"], 100],
    [["exec-file", "missing.yaml", "true"], 100],
    [["exec-env", "env.enc.yaml"], 1],
    [["exec-file"], 1],
    [["exec-env", "--no-such-flag", "env.enc.yaml", "true"], 1],
    [["exec-file", "--user"], 1],
    [["exec-file", "env.enc.yaml", "true", "extra"], 1],
  ])("%j → exit %i with one line", async (argv, code) => {
    const r = await cli(argv)
    expect(r.code).toBe(code)
    expectOneCleanLine(r.stderr)
    expect(tmpEntries()).toEqual([])
  })

  it("a file no key can open: exit 128 and the command never runs", async () => {
    const r = await runCli(["exec-file", "env.enc.yaml", "touch ran.out"], { env: { ...env, SOPS_AGE_KEY_FILE: ageKeyFile("c") }, cwd: dir })
    expect(r.code).toBe(128)
    expect(r.stderr).not.toContain(secret)
    expect(existsSync(join(dir, "ran.out"))).toBe(false)
    expect(tmpEntries()).toEqual([])
  })

  it("a tampered file: exit 25 (exec-env) and nothing runs", async () => {
    const text = read("env.enc.yaml")
    const line = text.split("\n").find(l => l.startsWith("port: ENC["))!
    writeFileSync(join(dir, "tampered.enc.yaml"), text.replace(line, line.replace("data:", "data:AA")))
    const r = await cli(["exec-env", "tampered.enc.yaml", "touch ran.out"])
    expect(r.code).toBe(25)
    expectOneCleanLine(r.stderr)
    expect(existsSync(join(dir, "ran.out"))).toBe(false)
  })
})
