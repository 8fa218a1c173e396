// tsops-krm's entry point: picks the mode (plugins.md §4.5) — `install`, legacy exec plugin (a config
// file path in argv), or KRM function (a ResourceList on stdin) — and does the process I/O.
import { existsSync, realpathSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { resolve } from "node:path"
import { ExitCode, TsopsError } from "../../src/index.js"
import { problemsOf } from "./failure.js"
import { install } from "./install.js"
import { runKrm } from "./krm.js"
import { runLegacy } from "./legacy.js"

export interface KrmIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  readonly stdout: { write(chunk: string | Uint8Array): unknown }
  readonly stderr: { write(chunk: string | Uint8Array): unknown }
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
  /** argv prefix that runs this program, for `install`: [node, script] or [self-contained binary]. */
  readonly selfCommand: readonly string[]
}

export function processIo(): KrmIo {
  const script = process.argv[1]
  const selfCommand = script && existsSync(script) && resolve(script) !== process.execPath
    ? [process.execPath, realpathSync(script)]
    : [process.execPath]
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), selfCommand }
}

const usage = `Usage:
  tsops-krm <config-file> [args…]   legacy kustomize exec plugin (kubectl kustomize --enable-alpha-plugins)
  tsops-krm < resource-list.yaml    KRM function (kustomize build --enable-alpha-plugins --enable-exec)
  tsops-krm install [DIR]           write the legacy plugin wrappers into DIR (default: the kustomize plugin home)
Serves tsops.dev/v1 SopsGenerator and SopsTransformer, and ksops's viaduct.ai/v1 ksops.
`

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks).toString("utf8")
}

function report(io: KrmIo, error: unknown): number {
  const problems = problemsOf(error)
  for (const problem of problems) io.stderr.write(`tsops-krm: ${problem.message}\n`)
  return problems[0]?.exitCode || ExitCode.ErrorGeneric
}

/** The legacy config: the file argv[1] names, else the copy kustomize puts in the environment. */
async function legacyConfig(path: string, io: KrmIo): Promise<string | undefined> {
  try {
    return await readFile(resolve(io.cwd, path), "utf8")
  } catch {
    // kustomize also passes the config in the environment (unless it is above 128 KiB).
    return io.env.KUSTOMIZE_PLUGIN_CONFIG_STRING || undefined
  }
}

/** Runs tsops-krm with the arguments after the program name; resolves to the exit code. */
export async function main(argv: readonly string[], io: KrmIo = processIo()): Promise<number> {
  try {
    const [first, ...rest] = argv
    if (first === "--help" || first === "-h" || first === "help") {
      io.stdout.write(usage)
      return 0
    }
    if (first === "install") {
      if (rest.length > 1 || rest[0]?.startsWith("-")) throw new TsopsError(`install takes at most one directory\n${usage}`)
      const paths = await install({ ...(rest[0] ? { dir: rest[0] } : {}), env: io.env, cwd: io.cwd, command: io.selfCommand })
      io.stdout.write(paths.map(path => `installed ${path}\n`).join(""))
      return 0
    }
    const environment = { cwd: io.cwd, env: io.env }
    if (first !== undefined) {
      // Legacy: argv[1] is the config file; more arguments come from `argsOneLiner`/`argsFromFile` and
      // are ignored (ksops's "exactly one argument" rule breaks on them, plugins.md §4.5).
      const config = await legacyConfig(first, io)
      if (config !== undefined) {
        io.stdout.write(await runLegacy(config, () => readAll(io.stdin), environment))
        return 0
      }
      // Not a file: a KRM function given `exec.args` (kustomize ≥ 5.7) — the ResourceList decides.
    }
    const notAFile = first !== undefined ? `tsops-krm: cannot read the plugin config file ${first}\n` : ""
    if (io.stdin.isTTY) {
      io.stderr.write(`${notAFile}${usage}`)
      return ExitCode.ErrorGeneric
    }
    const input = await readAll(io.stdin)
    if (input.trim() === "") {
      io.stderr.write(`${notAFile || "tsops-krm: expected a ResourceList on stdin\n"}${usage}`)
      return notAFile ? ExitCode.CouldNotReadInputFile : ExitCode.ErrorGeneric
    }
    const outcome = await runKrm(input, environment)
    // kustomize does not print results (plugins.md §3.2), but streams a function's stderr: say it there too.
    for (const problem of outcome.problems) io.stderr.write(`tsops-krm: ${problem.message}\n`)
    io.stdout.write(outcome.output)
    return outcome.exitCode
  } catch (error) {
    return report(io, error)
  }
}
