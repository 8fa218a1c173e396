// Shell completion: the scripts load in bash (and zsh/fish when installed), and completing words gives the commands
// and flags the CLI really has — read from `--help`, so the test follows the program as it grows.
import { spawnSync } from "node:child_process"
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { repoRoot } from "../support/fixtures.js"
import { cleanEnv, tempDir } from "../support/env.js"
import { runCli } from "../support/cli.js"

const dir = tempDir("tsops-completion-")
const env = cleanEnv(dir)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const scripts: Record<string, string> = {}
let commandNames: string[] = []

/** Names listed under "Commands:" in `tsops --help` (or `tsops <cmd> --help`). */
async function helpCommands(argv: string[]): Promise<string[]> {
  const help = (await runCli([...argv, "--help"], { env, cwd: dir })).stdout.toString()
  const section = help.split(/^Commands:\n/m)[1] ?? ""
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map(m => m[1]!)
}

/** Long flags listed under "Options:" in `tsops <cmd> --help`. */
async function helpFlags(argv: string[]): Promise<string[]> {
  const help = (await runCli([...argv, "--help"], { env, cwd: dir })).stdout.toString()
  const section = (help.split(/^Options:\n/m)[1] ?? "").split(/^\S/m)[0] ?? ""
  return [...section.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map(m => m[1]!)
}

const has = (shell: string) => spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0

beforeAll(async () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    const r = await runCli(["completion", shell], { env, cwd: dir })
    expect(r.code).toBe(0)
    scripts[shell] = r.stdout.toString()
    writeFileSync(join(dir, `tsops.${shell}`), scripts[shell]!)
  }
  commandNames = await helpCommands([])
  expect(commandNames).toEqual(expect.arrayContaining(["encrypt", "decrypt", "exec-env", "exec-file", "init", "completion"]))
  writeFileSync(join(dir, "decoy.yaml"), "")
})

/** COMPREPLY of the bash function for the words typed (the last one is being completed). */
function bashComplete(words: string[]): string[] {
  const script = `source ${join(dir, "tsops.bash")}
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _tsops; printf '%s\\n' "\${COMPREPLY[@]}"`
  const r = spawnSync("bash", ["-c", script, "bash", ...words], { cwd: dir, encoding: "utf8" })
  expect(r.stderr).toBe("")
  return r.stdout.split("\n").filter(Boolean)
}

describe("bash", () => {
  it("loads from `node bin/tsops completion bash` and registers the tsops completion", () => {
    const r = spawnSync("bash", ["-c", `source <(${JSON.stringify(process.execPath)} bin/tsops completion bash) && complete -p tsops`], { cwd: repoRoot, encoding: "utf8" })
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    expect(r.stdout).toBe("complete -o filenames -F _tsops tsops\n")
  })

  it("completes `tsops dec` to decrypt (and a matching file), and lists every command", () => {
    expect(bashComplete(["tsops", "dec"]).sort()).toEqual(["decoy.yaml", "decrypt"])
    expect(bashComplete(["tsops", ""])).toEqual(expect.arrayContaining(commandNames))
    expect(bashComplete(["tsops", "exec-"]).sort()).toEqual(["exec-env", "exec-file"])
  })

  it("completes each command's flags, skipping the values of flags that take one", async () => {
    for (const command of ["exec-env", "exec-file", "decrypt", "encrypt"]) {
      const flags = await helpFlags([command])
      expect(flags.length).toBeGreaterThan(3)
      expect(bashComplete(["tsops", command, "--"])).toEqual(expect.arrayContaining(flags))
    }
    expect(bashComplete(["tsops", "exec-file", "--no"])).toEqual(["--no-fifo"])
    expect(bashComplete(["tsops", "--input-type", "json", "dec"]).sort()).toEqual(["decoy.yaml", "decrypt"])
  })

  it("completes flag values and argument choices", () => {
    expect(bashComplete(["tsops", "decrypt", "--input-type", "y"])).toEqual(["yaml"])
    expect(bashComplete(["tsops", "completion", ""]).sort()).toEqual(["bash", "fish", "zsh"])
    expect(bashComplete(["tsops", "decrypt", "--output", "deco"])).toEqual(["decoy.yaml"])
    expect(bashComplete(["tsops", "help", "exec-"]).sort()).toEqual(["exec-env", "exec-file"])
  })
})

describe("zsh and fish", () => {
  it("the zsh script names every command and registers _tsops; zsh (when installed) completes with it", () => {
    const script = scripts.zsh!
    expect(script.startsWith("#compdef tsops\n")).toBe(true)
    for (const name of commandNames) expect(script).toContain(`'${name}:`)
    if (!has("zsh")) return
    // compadd/_describe/_files replaced by recorders: what _tsops would offer.
    const run = `autoload -U compinit && compinit -u -d ${join(dir, ".zcompdump")}
source ${join(dir, "tsops.zsh")}
print -r -- "registered:$_comps[tsops]"
_describe() { local -a a; a=("\${(@P)\${@[-1]}}"); print -rl -- "\${(@)a%%:*}"; }
compadd() { print -rl -- "\${(@P)\${@[-1]}}"; }
_files() { print -r -- "<files>"; }
words=("$@"); CURRENT=$#; _tsops`
    const complete = (words: string[]) => {
      const r = spawnSync("zsh", ["-f", "-c", run, "zsh", ...words], { cwd: dir, encoding: "utf8" })
      expect(r.stderr).toBe("")
      return r.stdout.split("\n").filter(Boolean)
    }
    const root = complete(["tsops", "dec"])
    expect(root[0]).toBe("registered:_tsops")
    expect(root).toEqual(expect.arrayContaining([...commandNames, "<files>"]))
    expect(complete(["tsops", "exec-file", "--"])).toEqual(expect.arrayContaining(["--no-fifo", "--filename", "--user"]))
    expect(complete(["tsops", "decrypt", "--output-type", ""]).slice(1).sort()).toEqual(["binary", "dotenv", "ini", "json", "yaml"])
    expect(complete(["tsops", "completion", ""]).slice(1).sort()).toEqual(["bash", "fish", "zsh"])
  })

  it("the fish script names every command; fish (when installed) loads it and completes with it", () => {
    const script = scripts.fish!
    for (const name of commandNames) expect(script).toContain(`-a '${name}'`)
    if (!has("fish")) return
    const complete = (line: string) => {
      const r = spawnSync("fish", ["--no-config", "-c", `source ${join(dir, "tsops.fish")}; complete -C ${JSON.stringify(line)}`],
        { cwd: dir, encoding: "utf8", env: { ...env, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir } })
      expect(r.stderr).toBe("")
      return r.stdout.split("\n").filter(Boolean).map(l => l.split("\t")[0]!)
    }
    expect(complete("tsops dec").sort()).toEqual(["decoy.yaml", "decrypt"])
    expect(complete("tsops ")).toEqual(expect.arrayContaining(commandNames))
    expect(complete("tsops exec-file --no")).toEqual(["--no-fifo"])
    expect(complete("tsops decrypt --input-type ").sort()).toEqual(["binary", "dotenv", "ini", "json", "yaml"])
    expect(complete("tsops completion ").sort()).toEqual(["bash", "fish", "zsh"])
  })
})

describe("bad input", () => {
  it.each([[["completion"]], [["completion", "tcsh"]], [["completion", "bash", "extra"]], [["completion", "--bogus"]]])("%j → exit 1, one line", async argv => {
    const r = await runCli(argv, { env, cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stdout.length).toBe(0)
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
  })
})
