// Running the gpg binary for PGP master keys (spec §6.2): decrypt, export a public key, encrypt.
// gpg is tried first on decrypt because only it reaches gpg-agent, pinentry, smartcards and pubring.kbx.
import { spawn } from "node:child_process"

type Env = Readonly<Record<string, string | undefined>>

/** What one gpg run produced; stderr holds gpg's messages and `[GNUPG:]` status lines (`--status-fd 2`). */
interface GpgRun {
  readonly code: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

export type GpgDecryptOutcome =
  | { readonly kind: "ok"; readonly plaintext: Uint8Array }
  /** gpg is not installed (or SOPS_GPG_EXEC names nothing runnable). */
  | { readonly kind: "unavailable" }
  /** gpg has no secret key for any recipient of the message. */
  | { readonly kind: "no-secret-key" }
  /** gpg has the key but could not use it (pinentry, passphrase, card), or the message is broken. */
  | { readonly kind: "failed"; readonly reason: string }

export type GpgEncryptOutcome =
  | { readonly kind: "ok"; readonly armored: string }
  | { readonly kind: "unavailable" }
  | { readonly kind: "failed"; readonly reason: string }

/** sops runs `SOPS_GPG_EXEC` as one path, never split into words (spec §6.2). */
const gpgBinary = (env: Env): string => env["SOPS_GPG_EXEC"] || "gpg"

/**
 * `gpg --batch --status-fd 2 --decrypt`, the `enc` on stdin. `--batch` only stops gpg itself from
 * prompting on a terminal; gpg-agent still runs pinentry (and GPG_TTY still reaches it), so
 * passphrase prompts, cached passphrases and smartcards keep working. No `--quiet`: it suppresses
 * the NO_SECKEY status lines that tell "not my key" from "my key, but it failed".
 */
export async function gpgDecrypt(enc: string, env: Env): Promise<GpgDecryptOutcome> {
  const run = await runGpg(["--batch", "--status-fd", "2", "--decrypt"], Buffer.from(enc, "utf8"), env)
  if (run === undefined) return { kind: "unavailable" }
  if (run.code === 0) {
    // sops: "zero bytes returned" is a failure, never an empty data key.
    return run.stdout.length > 0
      ? { kind: "ok", plaintext: new Uint8Array(run.stdout) }
      : { kind: "failed", reason: "gpg returned zero bytes" }
  }
  const status = statusLines(run.stderr)
  // The human text says "No secret key" even when the agent failed (e.g. "No pinentry"); the status
  // lines don't: ERROR pkdecrypt_failed means a secret key was there and could not be used.
  const keyUnusable = status.some(line => /^(ERROR pkdecrypt_failed|BAD_PASSPHRASE|NODATA)\b/.test(line))
  if (!keyUnusable && status.some(line => line.startsWith("NO_SECKEY "))) return { kind: "no-secret-key" }
  return { kind: "failed", reason: failureReason(run) }
}

/** `gpg --batch --export <fp>` (binary): the public key from any keyring gpg reads, pubring.kbx included. */
export async function gpgExport(fingerprint: string, env: Env): Promise<Uint8Array | undefined> {
  // `FP!` would export the primary key alone, without the subkey we need: ask for the whole key.
  const run = await runGpg(["--batch", "--export", fingerprint.replace(/!$/, "")], Buffer.alloc(0), env)
  if (run === undefined || run.code !== 0 || run.stdout.length === 0) return undefined
  return new Uint8Array(run.stdout)
}

/**
 * sops's fallback encryption (spec §6.2), arguments as sops passes them: `--trusted-key` takes the
 * last 16 characters of the fingerprint, 17 when it ends with `!`. The output is whitespace-trimmed.
 */
export async function gpgEncrypt(fingerprint: string, dataKey: Uint8Array, env: Env): Promise<GpgEncryptOutcome> {
  const shortId = fingerprint.slice(fingerprint.endsWith("!") ? -17 : -16)
  const args = ["--no-default-recipient", "--yes", "--encrypt", "-a", "-r", fingerprint, "--trusted-key", shortId, "--no-encrypt-to"]
  const run = await runGpg(args, dataKey, env)
  if (run === undefined) return { kind: "unavailable" }
  const armored = run.stdout.toString("utf8").trim()
  if (run.code !== 0 || armored === "") return { kind: "failed", reason: failureReason(run) }
  return { kind: "ok", armored }
}

function statusLines(stderr: string): string[] {
  return stderr.split("\n").filter(line => line.startsWith("[GNUPG:] ")).map(line => line.slice(9).trim())
}

/**
 * gpg's own messages about what failed (`public key decryption failed: No pinentry`, `…: skipped: No
 * public key`), else its last message. They name keys and user ids, never data.
 */
function failureReason(run: GpgRun): string {
  const messages = run.stderr
    .split("\n")
    .map(line => line.trim().replace(/^gpg: /, ""))
    .filter(line => line !== "" && !line.startsWith("[GNUPG:]"))
  const failures = [...new Set(messages.filter(line => /failed|error|skipped|not found|no valid|invalid/i.test(line)))]
  if (failures.length > 0) return failures.join("; ")
  return messages.at(-1) ?? `gpg exited with code ${String(run.code)}`
}

/** Runs gpg with `input` on stdin and the context's environment (GNUPGHOME, GPG_TTY…); undefined when it can't start. */
function runGpg(args: readonly string[], input: Uint8Array, env: Env): Promise<GpgRun | undefined> {
  return new Promise((resolve, reject) => {
    const child = spawn(gpgBinary(env), args, { env: definedOnly(env), stdio: ["pipe", "pipe", "pipe"] })
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk))
    child.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "EACCES") resolve(undefined)
      else reject(error)
    })
    child.on("close", code => {
      resolve({ code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString("utf8") })
    })
    // gpg may exit before reading stdin (bad arguments): EPIPE is reported by its exit code instead.
    child.stdin.on("error", () => {})
    child.stdin.end(input)
  })
}

function definedOnly(env: Env): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value
  return out
}
