// Kustomize plugin tests: sample apps written into temp dirs (fixtures copied in at test time), the
// real `kubectl kustomize --enable-alpha-plugins`, and tsops-krm spawned as a process. The command that
// runs tsops-krm is a parameter, so the same suites run the node script and self-contained binaries.
import { spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { parseAllDocuments } from "yaml"
import { ageKeyFile, tempDir } from "./env.js"
import { fixturePath, repoRoot } from "./fixtures.js"

/** node + bin/tsops-krm (run `node scripts/build.mjs` first; vitest's global setup does). */
export const nodeKrmCommand: readonly string[] = [process.execPath, join(repoRoot, "bin/tsops-krm")]

export interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Writes files under `root`: a string is the content, `{ copy }` copies a file (a fixture). */
export type Tree = Record<string, string | Buffer | { copy: string }>

export function writeTree(root: string, tree: Tree): void {
  for (const [path, content] of Object.entries(tree)) {
    const target = join(root, path)
    mkdirSync(dirname(target), { recursive: true })
    if (typeof content === "string" || Buffer.isBuffer(content)) writeFileSync(target, content)
    else copyFileSync(content.copy, target)
  }
}

export const enc = (name: string): { copy: string } => ({ copy: fixturePath("reference/enc", name) })
export const plain = (name: string): { copy: string } => ({ copy: fixturePath("reference/plain", name) })
export const dec = (name: string): { copy: string } => ({ copy: fixturePath("reference/dec", name) })

/** A scratch area with an installed plugin home; `dispose` removes it. */
export interface PluginHome {
  root: string
  xdg: string
  /** A minimal environment for kubectl: PATH, HOME, TMPDIR, XDG_CONFIG_HOME, SOPS_AGE_KEY_FILE (age key A). */
  env(extra?: Record<string, string>): Record<string, string>
  /** A fresh directory for one sample app. */
  app(tree: Tree): string
  dispose(): void
}

export function spawnKrm(command: readonly string[], args: readonly string[], options: { cwd: string; env: Record<string, string>; input?: string }): Run {
  const [program, ...rest] = command
  const r = spawnSync(program!, [...rest, ...args], { cwd: options.cwd, env: options.env, input: options.input ?? "", maxBuffer: 1 << 28 })
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

export function pluginHome(command: readonly string[]): PluginHome {
  const root = tempDir("tsops-krm-")
  const xdg = join(root, "xdg")
  const home = join(root, "home")
  const tmp = join(root, "tmp")
  mkdirSync(home)
  mkdirSync(tmp)
  const env = (extra: Record<string, string> = {}) => ({
    PATH: "/usr/bin:/bin",
    HOME: home,
    // kustomize leaves its plugin config temp file behind when a plugin fails (plugins.md §0.5 item 9).
    TMPDIR: tmp,
    XDG_CONFIG_HOME: xdg,
    SOPS_AGE_KEY_FILE: ageKeyFile("a"),
    ...extra,
  })
  const installed = spawnKrm(command, ["install"], { cwd: root, env: env() })
  if (installed.code !== 0) throw new Error(`tsops-krm install failed: ${installed.stderr}`)
  let count = 0
  return {
    root,
    xdg,
    env,
    app(tree: Tree) {
      const dir = join(root, `app-${++count}`)
      mkdirSync(dir)
      writeTree(dir, tree)
      return dir
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  }
}

/** `kubectl kustomize --enable-alpha-plugins DIR` (plugins.md §4.1: no --enable-exec in kubectl). */
export function kustomize(dir: string, env: Record<string, string>): Run {
  const r = spawnSync("kubectl", ["kustomize", "--enable-alpha-plugins", dir], { env, maxBuffer: 1 << 28 })
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
}

/** The objects of a YAML stream as plain values (ints as bigints, so big ones stay exact). */
export function objects(text: string): Record<string, unknown>[] {
  return parseAllDocuments(text, { intAsBigInt: true }).flatMap(doc => {
    if (doc.errors.length > 0) throw new Error(`not YAML: ${doc.errors[0]!.message}`)
    const value = doc.toJS() as Record<string, unknown> | null
    return value === null ? [] : [value]
  })
}

export const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64")

/** YAML text of an object (for configs); JSON is valid YAML and kustomize reads it. */
export const yamlOf = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`
