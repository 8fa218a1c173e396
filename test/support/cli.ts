// Runs the CLI in-process with captured streams (main(argv, io)), or the real bin/tsops end to end.
import { spawnSync } from "node:child_process"
import { Readable } from "node:stream"
import { main } from "../../src/cli/main.js"
import type { Io } from "../../src/cli/io.js"
import { repoRoot } from "./fixtures.js"

export interface CliResult {
  code: number
  stdout: Buffer
  stderr: string
}

export async function runCli(argv: string[], options: { env: Record<string, string>; cwd: string; stdin?: Uint8Array | string }): Promise<CliResult> {
  const out: Buffer[] = []
  const err: string[] = []
  const io: Io = {
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    stdout: { write: (chunk: string | Uint8Array) => out.push(Buffer.from(chunk)) },
    stderr: { write: (chunk: string | Uint8Array) => err.push(Buffer.from(chunk).toString()) },
    env: options.env,
    cwd: options.cwd,
  }
  const code = await main(argv, io)
  return { code, stdout: Buffer.concat(out), stderr: err.join("") }
}

/** Spawns bin/tsops (the bundled build) — for end-to-end checks only. */
export function spawnTsops(argv: string[], options: { env: Record<string, string>; cwd: string; input?: Uint8Array | string }): CliResult {
  const r = spawnSync(process.execPath, [`${repoRoot}/bin/tsops`, ...argv], { env: options.env, cwd: options.cwd, input: options.input, maxBuffer: 1 << 28 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString() }
}
