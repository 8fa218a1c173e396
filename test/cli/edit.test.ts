// `tsops edit` / `tsops FILE` with a scripted $EDITOR: minimal diffs, no-change, invalid results,
// editor failures, new files from the template, -s, and the private temp directory on every way out.
import { spawn, spawnSync } from "node:child_process"
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { PassThrough } from "node:stream"
import { describe, expect, it, onTestFinished } from "vitest"
import { decrypt } from "../../src/api/decrypt.js"
import { main } from "../../src/cli/main.js"
import type { Io } from "../../src/cli/io.js"
import { ageKeyFile, cleanEnv, tempDir } from "../support/env.js"
import { fixturePath, readFixture, repoRoot } from "../support/fixtures.js"
import { runCli } from "../support/cli.js"
import { valuesOf } from "../support/values.js"

const editorScript = join(repoRoot, "test/support/editor.sh")
const recipientA = "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7"

interface Case {
  dir: string
  file: string
  tmp: string
  log: string
  env: Record<string, string>
  original: Buffer
}

/** A copy of a fixture in a fresh directory, a private TMPDIR and the scripted editor's settings. */
function setup(editor: Record<string, string>, fixture = "reference/enc/basic.yaml", name = "secrets.yaml"): Case {
  const dir = tempDir()
  onTestFinished(() => {
    chmodSync(dir, 0o700)
    rmSync(dir, { recursive: true, force: true })
  })
  const tmp = join(dir, "tmp")
  mkdirSync(tmp)
  const file = join(dir, name)
  if (fixture !== "") copyFileSync(fixturePath(fixture), file)
  const log = join(dir, "editor.log")
  const env = cleanEnv(dir, {
    SOPS_AGE_KEY_FILE: ageKeyFile("a"),
    TMPDIR: tmp,
    EDITOR: `sh ${editorScript} --wait`,
    EDITOR_LOG: log,
    ...editor,
  })
  return { dir, file, tmp, log, env, original: fixture !== "" ? readFileSync(file) : Buffer.alloc(0) }
}

const run = (c: Case, argv: string[]) => runCli(argv, { env: c.env, cwd: c.dir })
const editorRuns = (c: Case) => (existsSync(c.log) ? readFileSync(c.log, "utf8").trim().split("\n") : [])

/** The temp directory the editor was given no longer exists, and nothing else was left in TMPDIR. */
function expectTempGone(c: Case): void {
  const runs = editorRuns(c)
  expect(runs.length).toBeGreaterThan(0)
  for (const line of runs) {
    const path = line.split(" ")[0]!
    expect(path.startsWith(c.tmp)).toBe(true)
    expect(existsSync(path)).toBe(false)
  }
  expect(readdirSync(c.tmp)).toEqual([])
}

function expectOneLine(stderr: string): void {
  expect(stderr.trimEnd().split("\n")).toHaveLength(1)
  expect(stderr).not.toMatch(/\n\s+at /)
}

/** Indices of the lines that differ between two texts of the same line count. */
function changedLines(a: string, b: string): string[] {
  const x = a.split("\n")
  const y = b.split("\n")
  expect(y).toHaveLength(x.length)
  return x.flatMap((line, i) => (line === y[i] ? [] : [line.trim().split(":")[0]!]))
}

describe("editing an existing file", () => {
  it("should change only the edited value's ENC string, lastmodified, mac and the old version", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/port: 8080/port: 8081/" })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const after = readFileSync(c.file, "utf8")
    expect(changedLines(c.original.toString(), after)).toEqual(["port", "lastmodified", "mac", "version"])
    expect(after).toContain("    version: 3.13.2\n")
    const plain = await decrypt(after, { filename: "secrets.yaml", env: c.env })
    const expected = Buffer.from(readFixture("reference/dec/basic.yaml").toString().replace("port: 8080", "port: 8081"))
    expect(await valuesOf(plain, "x.yaml")).toEqual(await valuesOf(expected, "x.yaml"))
    // One editor run on `<private dir>/secrets.yaml` (0600 in 0700), split like a shell: `--wait` then the path.
    const [line] = editorRuns(c)
    expect(line).toMatch(/\/secrets\.yaml 600 700 argc=2 pid=\d+$/)
    expectTempGone(c)
  })

  it("should be the mode of the legacy root command too (`tsops FILE`)", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/name: demo/name: renamed/" })
    const r = await run(c, ["secrets.yaml"])
    expect(r.code).toBe(0)
    const plain = Buffer.from(await decrypt(readFileSync(c.file), { filename: "secrets.yaml", env: c.env })).toString()
    expect(plain).toContain("name: renamed\n")
    expectTempGone(c)
  })

  it("should prefer SOPS_EDITOR over EDITOR", async () => {
    const c = setup({ EDITOR: "false", SOPS_EDITOR: `sh ${editorScript}`, EDITOR_ACTION: "sed", EDITOR_SED: "s/name: demo/name: via-sops-editor/" })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(0)
    expect(editorRuns(c)[0]).toMatch(/argc=1 pid=/)
  })

  it("should exit 200 and leave the file byte-identical when nothing changed", async () => {
    const c = setup({ EDITOR_ACTION: "none" })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(200)
    expect(r.stderr).toBe("File has not changed, exiting.\n")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
  })

  it("should treat a layout-only change (same tree) as no change", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/^list:$/list:   /" })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(200)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })

  it("should fail with exit 2 on invalid YAML without a terminal and leave the original untouched", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/port: 8080/port: [unclosed-SECRET/" })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(2)
    expectOneLine(r.stderr)
    expect(r.stderr).toMatch(/^Could not load tree, probably due to invalid syntax/)
    expect(r.stderr).not.toContain("SECRET")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
  })

  it("should refuse a result with a top-level sops key (exit 203) and leave the original untouched", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/^list:$/sops: 1\\nlist:/" })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(203)
    expect(r.stderr).toMatch(/^Tree not valid for encryption/)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
  })

  it.each(["KILL", "TERM"])("should exit 201 when the editor is killed by SIG%s, original untouched", async signal => {
    const c = setup({ EDITOR_ACTION: "kill", EDITOR_SIGNAL: signal })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(201)
    expect(r.stderr).toBe(`Could not run editor: signal: SIG${signal}\n`)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
  })

  it("should exit 201 when the editor fails", async () => {
    const c = setup({ EDITOR_ACTION: "fail" })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(201)
    expect(r.stderr).toBe("Could not run editor: exit status 3\n")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
  })

  it("should exit 201 when the editor does not exist, and leave no temp directory", async () => {
    const c = setup({ EDITOR: join("/nonexistent", "editor") })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(201)
    expectOneLine(r.stderr)
    expect(r.stderr).toContain("Could not run editor")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expect(readdirSync(c.tmp)).toEqual([])
  })

  it("should exit 201 with sops's message when no editor is set and none of vim, nano, vi is on PATH", async () => {
    const c = setup({})
    const empty = join(c.dir, "empty-path")
    mkdirSync(empty)
    const env = { ...c.env, PATH: empty }
    delete (env as Record<string, string | undefined>).EDITOR
    const r = await runCli(["edit", "secrets.yaml"], { env, cwd: c.dir })
    expect(r.code).toBe(201)
    expect(r.stderr).toMatch(/^Could not run editor: no editor available: .* defaults to any of vim, nano, vi, but none of them could be found\n$/)
    expect(readdirSync(c.tmp)).toEqual([])
  })

  it("should refuse an EDITOR a shell would not run as one command (exit 201)", async () => {
    const c = setup({ EDITOR: "vim | tee x" })
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(201)
    expect(r.stderr).toBe("Could not run editor: invalid $EDITOR: vim | tee x\n")
  })

  it("should refuse a file that is not encrypted (exit 1) without opening the editor", async () => {
    const c = setup({ EDITOR_ACTION: "none" }, "reference/plain/basic.yaml")
    const r = await run(c, ["edit", "secrets.yaml"])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("sops metadata not found\n")
    expect(editorRuns(c)).toEqual([])
  })

  it("should exit 100 without a file", async () => {
    const c = setup({ EDITOR_ACTION: "none" })
    const r = await run(c, ["edit"])
    expect(r.code).toBe(100)
    expect(r.stderr).toBe("Error: no file specified\n")
  })

  it("should keep a JSON file's other ciphertexts, duplicates in lists included", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: 's/"name": "demo"/"name": "demo2"/' }, "reference/enc/basic.json", "secrets.json")
    const r = await run(c, ["edit", "secrets.json"])
    expect(r.code).toBe(0)
    expect(changedLines(c.original.toString(), readFileSync(c.file, "utf8"))).toEqual(['"name"', '"lastmodified"', '"mac"', '"version"'])
  })
})

describe("re-opening the editor on a terminal", () => {
  /** An Io whose stdin claims to be a terminal and already holds one Enter. */
  function ttyIo(c: Case): { io: Io; stderr: () => string } {
    const stdin = Object.assign(new PassThrough(), { isTTY: true })
    stdin.write("\n")
    const err: string[] = []
    return {
      io: { stdin, stdout: { write: () => true }, stderr: { write: (s: string | Uint8Array) => err.push(String(s)) }, env: c.env, cwd: c.dir },
      stderr: () => err.join(""),
    }
  }

  it("should show the problem, wait for Enter, re-open the editor and then save", async () => {
    const c = setup({ EDITOR_ACTION: "write" })
    const plain = Buffer.from(await decrypt(c.original, { filename: "secrets.yaml", env: c.env })).toString()
    writeFileSync(join(c.dir, "step-1.yaml"), "a: [broken\n")
    writeFileSync(join(c.dir, "step-2.yaml"), plain.replace("name: demo", "name: second-try"))
    c.env.EDITOR_SOURCE = join(c.dir, "step-%n.yaml")
    const { io, stderr } = ttyIo(c)
    const code = await main(["edit", "secrets.yaml"], io)
    expect(stderr()).toMatch(/^Could not load tree, probably due to invalid syntax: .* Press enter to return to the editor, or Ctrl\+C to exit\.\n$/)
    expect(code).toBe(0)
    expect(editorRuns(c)).toHaveLength(2)
    expect(Buffer.from(await decrypt(readFileSync(c.file), { filename: "secrets.yaml", env: c.env })).toString()).toContain("name: second-try\n")
    expectTempGone(c)
  })

  it("should cancel when stdin ends instead of an Enter, leaving the original untouched", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/port: 8080/port: [/" })
    const stdin = Object.assign(new PassThrough(), { isTTY: true })
    stdin.end()
    const io: Io = { stdin, stdout: { write: () => true }, stderr: { write: () => true }, env: c.env, cwd: c.dir }
    expect(await main(["edit", "secrets.yaml"], io)).toBe(1)
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
  })
})

describe("a new file", () => {
  function withConfig(c: Case): void {
    writeFileSync(join(c.dir, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.yaml$\n    age: ${recipientA}\n`)
  }

  it("should start from sops's YAML example and take its keys from .sops.yaml", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/example_value$/my-secret/" }, "", "new.yaml")
    withConfig(c)
    const r = await run(c, ["edit", "new.yaml"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const encrypted = readFileSync(c.file, "utf8")
    expect(encrypted).toContain(`recipient: ${recipientA}`)
    expect(encrypted).not.toContain("my-secret")
    const plain = Buffer.from(await decrypt(encrypted, { filename: "new.yaml", env: c.env })).toString()
    expect(plain).toBe([
      "hello: Welcome to SOPS! Edit this file as you please!",
      "example_key: my-secret",
      "# Example comment",
      "example_array:",
      "    - example_value1",
      "    - example_value2",
      "example_number: 1234.56789",
      "example_booleans:",
      "    - true",
      "    - false",
      "",
    ].join("\n"))
    expectTempGone(c)
  })

  it("should take keys from the flags too, and create nothing when the example is saved unchanged", async () => {
    const c = setup({ EDITOR_ACTION: "none" }, "", "new.yaml")
    const r = await run(c, ["edit", "--age", recipientA, "new.yaml"])
    expect(r.code).toBe(200)
    expect(existsSync(c.file)).toBe(false)
    expectTempGone(c)
  })

  it("should fail before opening the editor when there are no keys", async () => {
    const c = setup({ EDITOR_ACTION: "none" }, "", "new.yaml")
    const r = await run(c, ["edit", "new.yaml"])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/no keys provided/)
    expect(editorRuns(c)).toEqual([])
    expect(readdirSync(c.tmp)).toEqual([])
  })

  it("should start a dotenv file from sops's dotenv example", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/^hello=.*/hello=world/" }, "", "new.env")
    const r = await run(c, ["edit", "--age", recipientA, "new.env"])
    expect(r.code).toBe(0)
    const plain = Buffer.from(await decrypt(readFileSync(c.file), { filename: "new.env", env: c.env })).toString()
    expect(plain).toBe("# This is an example file.\nhello=world\nexample_key=example_value\nexample_multiline=foo\\nbar\\nbaz\n")
  })
})

describe("--show-master-keys", () => {
  it("should show the metadata in the editor and keep the edits made there", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/port: 8080/port: 9090/" })
    const shown = join(c.dir, "shown.yaml")
    // Keep a copy of what the editor saw, through a second sed expression writing it out.
    c.env.EDITOR_SED = `s/port: 8080/port: 9090/;w ${shown}`
    const r = await run(c, ["edit", "-s", "secrets.yaml"])
    expect(r.code).toBe(0)
    const seen = readFileSync(shown, "utf8")
    expect(seen).toContain("port: 9090")
    expect(seen).toContain(`recipient: ${recipientA}`)
    const plain = Buffer.from(await decrypt(readFileSync(c.file), { filename: "secrets.yaml", env: c.env })).toString()
    expect(plain).toContain("port: 9090\n")
    expect(changedLines(c.original.toString(), readFileSync(c.file, "utf8"))).toEqual(["port", "lastmodified", "mac", "version"])
    expectTempGone(c)
  })

  it("should refuse a result whose metadata is gone (not interactive), original untouched", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "/^sops:/,$d" })
    const r = await run(c, ["edit", "--show-master-keys", "secrets.yaml"])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("SOPS metadata is invalid: sops metadata not found\n")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
  })
})

describe("permissions", () => {
  it("should refuse before the editor opens when the file cannot be read or its directory written", async () => {
    const c = setup({ EDITOR_ACTION: "none" }, "", "new.yaml")
    const missing = await run(c, ["edit", "--age", recipientA, "no-such-dir/new.yaml"])
    expect(missing.code).toBe(3)
    expect(missing.stderr).toMatch(/^Could not open in-place file for writing: ENOENT: /)
    // A path below a regular file can be neither read nor written, even by root.
    writeFileSync(join(c.dir, "blocker"), "")
    const blocked = await run(c, ["edit", "--age", recipientA, "blocker/new.yaml"])
    expect(blocked.code).toBe(2)
    expect(blocked.stderr).toMatch(/^Error reading file: ENOTDIR: /)
    expect(editorRuns(c)).toEqual([])
    expect(statSync(join(c.dir, "blocker")).size).toBe(0)
  })

  it("should exit 3 before the editor opens when the directory is read-only, original intact", () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/name: demo/name: x/" })
    chmodSync(c.file, 0o644)
    chmodSync(c.dir, 0o555)
    // Root ignores file modes: the real CLI runs as `nobody` (setpriv); as another user it simply runs.
    const command = [process.execPath, join(repoRoot, "bin/tsops"), "edit", "secrets.yaml"]
    const r = process.getuid?.() === 0
      ? spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", ...command], { env: c.env, cwd: c.dir })
      : spawnSync(command[0]!, command.slice(1), { env: c.env, cwd: c.dir })
    expect(r.stderr.toString()).toMatch(/^Could not open in-place file for writing: EACCES: .*secrets\.yaml\n$/)
    expect(r.status).toBe(3)
    expect(editorRuns(c)).toEqual([])
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
  })
})

describe("signals, with the real CLI", () => {
  const bin = join(repoRoot, "bin/tsops")

  async function waitFor(condition: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 500 && !condition(); i++) await new Promise(resolve => setTimeout(resolve, 20))
    if (!condition()) throw new Error(`timed out waiting for ${what}`)
  }

  function start(c: Case, command: string, args: string[], detached = false) {
    const child = spawn(command, args, { cwd: c.dir, env: c.env, stdio: ["pipe", "pipe", "pipe"], detached })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => child.once("exit", (code, signal) => resolve({ code, signal })))
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    })
    return { child, exited, stdout: () => stdout, stderr: () => stderr }
  }

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  const editorPid = (c: Case) => Number(/pid=(\d+)/.exec(editorRuns(c)[0]!)![1])

  it.each(["SIGTERM", "SIGHUP"] as const)("should stop the editor, remove the temp directory and exit 1 on %s", async signal => {
    const c = setup({ EDITOR_ACTION: "sleep" })
    const run = start(c, process.execPath, [bin, "edit", "secrets.yaml"])
    await waitFor(() => editorRuns(c).length === 1, "the editor")
    run.child.kill(signal)
    const { code } = await run.exited
    expect(code).toBe(1)
    expect(run.stderr()).toBe("User canceled operation\n")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
    await waitFor(() => !alive(editorPid(c)), "the editor to stop")
  })

  it("should exit 201 when Ctrl+C (SIGINT to the process group) kills the editor", async () => {
    const c = setup({ EDITOR_ACTION: "sleep" })
    const run = start(c, process.execPath, [bin, "edit", "secrets.yaml"], true)
    await waitFor(() => editorRuns(c).length === 1, "the editor")
    process.kill(-run.child.pid!, "SIGINT")
    const { code } = await run.exited
    expect(code).toBe(201)
    expect(run.stderr()).toBe("Could not run editor: signal: SIGINT\n")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
  })

  it("should leave a SIGINT to tsops alone to the running editor (as git does)", async () => {
    const c = setup({ EDITOR_ACTION: "pause" })
    const run = start(c, process.execPath, [bin, "edit", "secrets.yaml"])
    await waitFor(() => editorRuns(c).length === 1, "the editor")
    run.child.kill("SIGINT")
    const { code, signal } = await run.exited
    expect(signal).toBe(null)
    expect(code).toBe(200)
    expect(run.stderr()).toBe("File has not changed, exiting.\n")
    expectTempGone(c)
  })

  it("should cancel on Ctrl+C at the terminal's Press-enter prompt, original untouched", async () => {
    const c = setup({ EDITOR_ACTION: "sed", EDITOR_SED: "s/port: 8080/port: [/" })
    // script(1) gives tsops a terminal; ^C typed into it is a SIGINT to the foreground process group.
    const run = start(c, "script", ["-qfec", `exec ${process.execPath} ${bin} edit secrets.yaml`, "/dev/null"])
    await waitFor(() => run.stdout().includes("Press enter to return to the editor"), "the prompt")
    run.child.stdin.write("\x03")
    const { code } = await run.exited
    expect(code).toBe(1)
    expect(run.stdout()).toContain("User canceled operation")
    expect(readFileSync(c.file).equals(c.original)).toBe(true)
    expectTempGone(c)
  })
})
