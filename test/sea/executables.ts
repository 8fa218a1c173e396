// The programs under test, by how they run: node with bin/ (the bundled build), or the self-contained
// binaries `npm run build:sea` makes. Suites take a command (argv prefix) so both run the same tests.
import { execFileSync, spawn } from "node:child_process"
import { join } from "node:path"
import type { CliResult } from "../support/cli.js"
import { repoRoot } from "../support/fixtures.js"

export const seaDir = join(repoRoot, "dist", "sea")

export const commands = {
  tsops: { node: [process.execPath, join(repoRoot, "bin/tsops")], sea: [join(seaDir, "tsops")] },
  krm: { node: [process.execPath, join(repoRoot, "bin/tsops-krm")], sea: [join(seaDir, "tsops-krm")] },
} as const satisfies Record<string, Record<"node" | "sea", readonly string[]>>

/** [label, command] for each way of running `program`: `it.each(executables("krm"))(…)`. */
export function executables(program: keyof typeof commands): [label: "node" | "sea", command: readonly string[]][] {
  return [["node", commands[program].node], ["sea", commands[program].sea]]
}

/** Runs scripts/build-sea.mjs (about 15 s: two copies of the node binary get the bundle injected). */
export function buildSea(): void {
  try {
    execFileSync(process.execPath, [join(repoRoot, "scripts/build-sea.mjs")], { cwd: repoRoot, stdio: "pipe" })
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer }
    throw new Error(`npm run build:sea failed: ${e.stderr?.toString() ?? ""}${e.stdout?.toString() ?? ""}`)
  }
}

/** Spawns `command` with argv (asynchronously, so a test can run several at once). */
export function spawnCommand(command: readonly string[], argv: readonly string[], options: { env: Record<string, string>; cwd: string; input?: string | Uint8Array }): Promise<CliResult> {
  const [program, ...prefix] = command
  return new Promise((resolve, reject) => {
    const child = spawn(program!, [...prefix, ...argv], { env: options.env, cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
    child.on("error", reject)
    child.on("close", code => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }))
    child.stdin.end(options.input ?? "")
  })
}

/** A runner for suites that take one (`fluxBuildSuite`): tsops spawned as `command`. */
export const runnerFor = (command: readonly string[]) =>
  (argv: string[], options: { env: Record<string, string>; cwd: string }): Promise<CliResult> => spawnCommand(command, argv, options)
