// exec-env / exec-file (spec §10.1): run `/bin/sh -c COMMAND` with the decrypted values in its environment, or in a
// file (a FIFO by default) inside a fresh private directory that is removed when the command is done. The plaintext
// never appears in the command line, and no file holding it outlives the command.
import { execFile as execFileCallback, spawn, type ChildProcess } from "node:child_process"
import { chown, mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises"
import { closeSync, constants as fsConstants, openSync } from "node:fs"
import { constants as osConstants, tmpdir } from "node:os"
import { join } from "node:path"
import { ExitCode, TsopsError } from "../core/errors.js"
import { valToString } from "../core/scalar.js"
import { Comment, isList, isMap, type TreeMap } from "../core/tree.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { decrypt, type DecryptOptions } from "./decrypt.js"
import { openEncrypted, type OpenOptions } from "./load-encrypted.js"
import { cwdOf, envOf, toBytes } from "./options.js"

/** Where the command's stdin/stdout/stderr go: the parent's own descriptors, or streams to pipe through. */
export type ExecStdio = "inherit" | {
  stdin?: NodeJS.ReadableStream
  stdout?: { write(chunk: Uint8Array): unknown }
  stderr?: { write(chunk: Uint8Array): unknown }
}

export interface RunOptions {
  /** The command's environment; default `process.env` (the secrets are added on top). */
  env?: Readonly<Record<string, string | undefined>>
  /** The command's working directory; default `process.cwd()`. */
  cwd?: string
  /** Run the command as this user (by name or uid); only possible when running as root. */
  user?: string
  /** Default "inherit". */
  stdio?: ExecStdio
}

export interface ExecEnvOptions extends OpenOptions, RunOptions {
  /** Name used to pick the input format (by extension). */
  filename?: string
  inputType?: string
  /** Only the decrypted values, none of `env` (sops's --pristine). */
  pristine?: boolean
}

export interface ExecFileOptions extends DecryptOptions, RunOptions {
  /** Hand the plaintext over through a FIFO (default true); false: a 0600 regular file. */
  fifo?: boolean
  /** Name of the file inside the private directory (relative, no `..`); default `tmp-file`. */
  tempFilename?: string
  /** Where the private directory is made; default TMPDIR of `env`, else the system's. */
  tmpDir?: string
}

/**
 * The environment entries of a decrypted top-level map, in file order: comments are skipped, strings are used as
 * they are and other scalars as sops's ValToString writes them.
 * @throws TsopsError (exit 1) for a nested value, a key containing `=`, or a NUL byte (no value is ever quoted)
 */
export function environmentFromTree(branch: TreeMap | undefined): Array<[string, string]> {
  const entries: Array<[string, string]> = []
  for (const item of branch?.items ?? []) {
    if (item.key instanceof Comment) continue
    const key = item.key
    if (isMap(item.value) || isList(item.value)) {
      throw new TsopsError(`cannot use complex value in environment; offending key ${key}`, ExitCode.ErrorGeneric)
    }
    if (key.includes("=")) throw new TsopsError(`cannot use keys with '=' in environment: ${key}`, ExitCode.ErrorGeneric)
    const value = valToString(item.value)
    // Node would refuse these with an error that quotes the value.
    if (key.includes("\0") || value.includes("\0")) {
      throw new TsopsError(`cannot use NUL bytes in environment; offending key ${key.replace(/\0/g, "\\0")}`, ExitCode.ErrorGeneric)
    }
    entries.push([key, value])
  }
  return entries
}

/**
 * Decrypts a sops file and returns its top-level values as environment entries (see environmentFromTree).
 * @throws the errors of `decrypt`, and TsopsError (exit 1) for values that cannot be environment variables
 */
export async function decryptEnvironment(input: Uint8Array | string, options: ExecEnvOptions = {}): Promise<Array<[string, string]>> {
  const store = await loadStore(selectFormat(options.inputType, options.filename ?? ""))
  const { parsed } = await openEncrypted(store, toBytes(input), options)
  return environmentFromTree(parsed.branches[0])
}

/**
 * exec-env: decrypts `input` and runs `/bin/sh -c command` with its values added to the environment.
 * @returns the command's exit status (128 + n when it was killed by signal n)
 * @throws the errors of `decryptEnvironment`; TsopsError for a bad --user or a command that cannot be started
 * @example
 *   process.exitCode = await execEnv(readFileSync("env.enc.yaml"), "./deploy.sh", { filename: "env.enc.yaml" })
 */
export async function execEnv(input: Uint8Array | string, command: string, options: ExecEnvOptions = {}): Promise<number> {
  const entries = await decryptEnvironment(input, options)
  const env: Record<string, string> = options.pristine ? {} : definedEntries(envOf(options))
  for (const [key, value] of entries) env[key] = value
  const signals = new SignalGuard()
  try {
    return await runShell(command, { ...options, env }, await resolveUser(options.user), signals)
  } finally {
    signals.dispose()
  }
}

/**
 * exec-file: decrypts `input` (rendered by the output store, as `decrypt` does) into a FIFO or a 0600 file in a fresh
 * 0700 directory, replaces every `{}` in `command` by its path and runs `/bin/sh -c` on the result. The directory is
 * removed when the command ends, fails to start, or tsops gets SIGINT/SIGTERM/SIGHUP.
 * @returns the command's exit status (128 + n when it was killed by signal n)
 * @throws the errors of `decrypt`; TsopsError for a bad temp file name, a bad --user, or when the file cannot be made
 */
export async function execFile(input: Uint8Array | string, command: string, options: ExecFileOptions = {}): Promise<number> {
  localName(options.tempFilename ?? "tmp-file") // a bad name fails before anything is decrypted
  const plaintext = await decrypt(input, options)
  return runWithSecretFile(plaintext, command, options)
}

/** exec-file without the decryption: `plaintext` is what the command reads from `{}`. */
export async function runWithSecretFile(plaintext: Uint8Array, command: string, options: Omit<ExecFileOptions, keyof DecryptOptions> & RunOptions = {}): Promise<number> {
  const name = localName(options.tempFilename ?? "tmp-file")
  const owner = await resolveUser(options.user)
  const signals = new SignalGuard()
  let dir: string | undefined
  let writer: FifoWriter | undefined
  try {
    dir = await makePrivateDir(options.tmpDir ?? envOf(options).TMPDIR ?? tmpdir())
    const path = join(dir, ...name)
    if (name.length > 1) await mkdir(join(dir, ...name.slice(0, -1)), { recursive: true, mode: 0o700 })
    if (options.fifo === false) {
      await writeFile(path, plaintext, { mode: 0o600, flag: "wx" })
    } else {
      await makeFifo(path)
    }
    if (owner) await chownAll(dir, name, owner)
    if (options.fifo !== false) writer = new FifoWriter(path, plaintext)
    const env = definedEntries(envOf(options))
    return await runShell(command.split("{}").join(path), { ...options, env }, owner, signals)
  } finally {
    await writer?.finish()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    signals.dispose()
  }
}

/** `--filename`: a relative path that stays inside the private directory, as path components. */
function localName(name: string): string[] {
  const parts = name.split("/").filter(part => part !== "" && part !== ".")
  if (name.startsWith("/") || name.includes("\0") || parts.length === 0 || parts.includes("..")) {
    throw new TsopsError(`Error: the temporary file name must be a relative path without "..", got "${name}"`, ExitCode.ErrorGeneric)
  }
  return parts
}

async function makePrivateDir(parent: string): Promise<string> {
  try {
    // mkdtemp makes the directory with mode 0700.
    return await mkdtemp(join(parent, ".tsops-"))
  } catch (error) {
    throw new TsopsError(`Could not create a temporary directory in ${parent}: ${codeOf(error)}`, ExitCode.CouldNotWriteOutputFile)
  }
}

async function makeFifo(path: string): Promise<void> {
  // Node has no mkfifo(3); the coreutils binary does it. Its argv holds the path only.
  try {
    await new Promise<void>((resolve, reject) => {
      execFileCallback("mkfifo", ["-m", "600", path], error => (error ? reject(error) : resolve()))
    })
  } catch (error) {
    throw new TsopsError(`Could not create a FIFO (use --no-fifo for a temporary file): mkfifo: ${codeOf(error)}`, ExitCode.CouldNotWriteOutputFile)
  }
}

async function chownAll(dir: string, name: readonly string[], owner: Owner): Promise<void> {
  for (let i = 0; i <= name.length; i++) await chown(join(dir, ...name.slice(0, i)), owner.uid, owner.gid)
}

/**
 * Writes the plaintext into a FIFO while the command runs. Opening a FIFO for writing blocks until a reader opens it
 * (a libuv worker thread waits). If the command never opened it, `finish` opens and closes the read end, so the
 * blocked open returns and the write fails with EPIPE: the data never leaves tsops.
 */
class FifoWriter {
  private finished = false
  private readonly done: Promise<void>
  private readonly path: string

  constructor(path: string, data: Uint8Array) {
    this.path = path
    this.done = (async () => {
      const handle = await open(path, fsConstants.O_WRONLY)
      try {
        await handle.write(data)
      } finally {
        await handle.close()
      }
    })().catch(() => undefined).finally(() => {
      this.finished = true
    })
  }

  /** Called after the command exited. Pokes until the writer gave up: its open may not have started yet. */
  async finish(): Promise<void> {
    const deadline = Date.now() + 5000
    while (!this.finished && Date.now() < deadline) {
      try {
        closeSync(openSync(this.path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK))
      } catch {
        // the FIFO is gone: nothing can be blocked on it
      }
      await Promise.race([this.done, new Promise(resolve => setTimeout(resolve, 20))])
    }
  }
}

interface Owner {
  uid: number
  gid: number
}

/** uid/gid of `--user` (via `id`), or undefined when no switch is needed. */
async function resolveUser(user: string | undefined): Promise<Owner | undefined> {
  if (user === undefined || user === "") return undefined
  const id = (flag: string) => new Promise<number>((resolve, reject) => {
    execFileCallback("id", [flag, "--", user], (error, stdout) => {
      const n = Number(String(stdout).trim())
      if (error || !Number.isInteger(n)) reject(new TsopsError(`Error: unknown user "${user}"`, ExitCode.ErrorGeneric))
      else resolve(n)
    })
  })
  const [uid, gid] = await Promise.all([id("-u"), id("-g")])
  const self = process.getuid?.()
  if (uid === self) return undefined
  if (self !== 0) throw new TsopsError(`Error: running a command as user "${user}" (--user) requires running tsops as root`, ExitCode.ErrorGeneric)
  return { uid, gid }
}

/**
 * While a command runs, tsops does not die from signals (so the private directory is always removed):
 * SIGTERM and SIGHUP, usually sent to tsops alone, are passed on to the command; SIGINT and SIGQUIT, which a
 * terminal sends to the whole foreground process group, already reach the command and are ignored here, as
 * system(3) does. A signal that arrives before the command started cancels it.
 */
class SignalGuard {
  child: ChildProcess | undefined
  pending: NodeJS.Signals | undefined
  private readonly handlers: Array<[NodeJS.Signals, () => void]> = []

  constructor() {
    for (const signal of ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"] as const) {
      const forward = signal === "SIGTERM" || signal === "SIGHUP"
      const handler = () => {
        if (this.child === undefined) this.pending ??= signal
        else if (forward) this.child.kill(signal)
      }
      process.on(signal, handler)
      this.handlers.push([signal, handler])
    }
  }

  dispose(): void {
    for (const [signal, handler] of this.handlers) process.off(signal, handler)
  }
}

const signalStatus = (signal: NodeJS.Signals): number => 128 + (osConstants.signals[signal] ?? 0)

function runShell(command: string, options: RunOptions & { env: Record<string, string> }, owner: Owner | undefined, signals: SignalGuard): Promise<number> {
  if (signals.pending) return Promise.resolve(signalStatus(signals.pending))
  const stdio = options.stdio ?? "inherit"
  return new Promise((resolve, reject) => {
    let child: ChildProcess
    try {
      child = spawn("/bin/sh", ["-c", command], {
        env: options.env,
        cwd: cwdOf(options),
        stdio: stdio === "inherit" ? "inherit" : [stdio.stdin ? "pipe" : "ignore", "pipe", "pipe"],
        ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
      })
    } catch (error) {
      reject(new TsopsError(`Could not run the command: ${codeOf(error)}`, ExitCode.ErrorGeneric))
      return
    }
    signals.child = child
    if (stdio !== "inherit") {
      if (stdio.stdin && child.stdin) {
        child.stdin.on("error", () => undefined)
        stdio.stdin.pipe(child.stdin)
      }
      child.stdout?.on("data", (chunk: Buffer) => stdio.stdout?.write(chunk))
      child.stderr?.on("data", (chunk: Buffer) => stdio.stderr?.write(chunk))
    }
    child.once("error", error => reject(new TsopsError(`Could not run the command: ${codeOf(error)}`, ExitCode.ErrorGeneric)))
    child.once("close", (code, signal) => resolve(code ?? (signal ? signalStatus(signal) : 1)))
  })
}

function definedEntries(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value
  return out
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))
