// The `kustomize build` step (plugins.md §2.3 step 3) with a real kustomize: `kubectl kustomize` or a
// standalone `kustomize build`, builtins only (no --enable-alpha-plugins: Flux runs no plugins), and
// files allowed anywhere inside the root (Flux's LoadRestrictionsNone; decrypt-sources.ts confines them).
import { spawn } from "node:child_process"
import { basename } from "node:path"
import { ExitCode, TsopsError } from "../../src/index.js"
import type { PrivateDir } from "./private-dir.js"

export interface BuildOptions {
  /** `kubectl` (default) or a path to it, or a standalone `kustomize` binary. */
  readonly command: string
  readonly env: Readonly<Record<string, string | undefined>>
  readonly scope: PrivateDir
  /** Makes kustomize's error text safe and readable (copy paths → user paths, plaintext removed). */
  readonly scrub: (text: string) => string
}

/** The arguments for building `dir` with `command`. */
export function buildArguments(command: string, dir: string): string[] {
  const standalone = basename(command).startsWith("kustomize")
  return [...(standalone ? ["build"] : ["kustomize"]), "--load-restrictor", "LoadRestrictionsNone", dir]
}

/** The built YAML stream. @throws TsopsError with kustomize's (scrubbed) error output */
export function kustomizeBuild(dir: string, options: BuildOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, buildArguments(options.command, dir), {
      cwd: dir,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    })
    options.scope.onCleanup(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk))
    child.on("error", error => {
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT"
      reject(new TsopsError(missing
        ? `cannot run ${options.command}: not found (install kubectl, or name a kubectl or kustomize binary with --kustomize)`
        : `cannot run ${options.command}: ${error.message}`, ExitCode.ErrorGeneric))
    })
    child.on("close", (code, signal) => {
      if (code === 0) return resolve(Buffer.concat(out).toString("utf8"))
      const detail = options.scrub(Buffer.concat(err).toString("utf8").trim()).replace(/\s*\n\s*/g, " ")
      reject(new TsopsError(`kustomize build failed${signal ? ` (${signal})` : ""}: ${detail || `exit status ${code}`}`, ExitCode.ErrorGeneric))
    })
  })
}
