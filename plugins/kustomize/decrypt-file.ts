// Decrypts one file a generator config names: read inside the confinement, MAC checked, and a missing
// key reported with the file's name and the recipients that could have decrypted it.
import { DataKeyRecoveryError, decrypt, TsopsError } from "../../src/index.js"
import { readConfined, type Confinement } from "./confine.js"
import { recipientsOf } from "./recipients.js"

export type SopsFormat = "yaml" | "json" | "dotenv" | "ini" | "binary"

/** The format sops picks for a path (by extension; anything else is binary). */
export function formatOf(path: string): SopsFormat | undefined {
  const lower = path.toLowerCase()
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml"
  if (lower.endsWith(".json")) return "json"
  if (lower.endsWith(".env")) return "dotenv"
  if (lower.endsWith(".ini")) return "ini"
  return undefined
}

export interface DecryptContext {
  readonly confinement: Confinement
  readonly env: Readonly<Record<string, string | undefined>>
  /** Runs a task within the process-wide concurrency limit. */
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>
}

export interface FileFormats {
  input: SopsFormat
  output: SopsFormat
}

/** The message for a file no available key can open. */
export function missingKeyMessage(what: string, recipients: readonly string[]): string {
  const who = recipients.length > 0 ? `it is encrypted for ${recipients.join(", ")}` : "its sops metadata names no readable recipient"
  return `cannot decrypt ${what}: no key available here can decrypt it; ${who} (provide one: SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, or a PGP secret key in GNUPGHOME)`
}

/**
 * The plaintext of a sops-encrypted file. YAML comes out in sops's own layout (indent 4), as ksops
 * and Flux (both decrypt through sops) produce it, so a Secret built from it gets the same content
 * hash whichever tool built it; other formats keep the file's layout (for a file sops wrote, the same).
 */
export async function decryptFile(path: string, formats: FileFormats, context: DecryptContext): Promise<Uint8Array> {
  return context.limit(async () => {
    try {
      const encrypted = await readConfined(context.confinement, path)
      try {
        return await decrypt(encrypted, {
          inputType: formats.input,
          outputType: formats.output,
          env: context.env,
          cwd: context.confinement.baseDir,
          config: false,
          ...(formats.output === "yaml" ? { indent: 4 } : {}),
        })
      } catch (error) {
        if (error instanceof DataKeyRecoveryError) {
          throw new TsopsError(missingKeyMessage(path, await recipientsOf(encrypted, formats.input)), error.exitCode)
        }
        throw error
      }
    } catch (error) {
      if (error instanceof TsopsError && !error.message.includes(path)) {
        throw new TsopsError(`${path}: ${error.message}`, error.exitCode)
      }
      throw error
    }
  })
}

/** A limiter for at most `max` concurrent tasks (ksops: 20, KSOPS_CONCURRENCY_LIMIT). */
export function concurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: (() => void)[] = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    // A finishing task hands its slot straight to the next waiter, so `active` never exceeds `max`.
    if (active >= max) await new Promise<void>(resolve => waiting.push(resolve))
    else active++
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else active--
    }
  }
}

/** KSOPS_CONCURRENCY_LIMIT as ksops reads it: a positive integer, default 20. */
export function concurrencyFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.KSOPS_CONCURRENCY_LIMIT
  if (text === undefined || text === "") return 20
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN
  if (!Number.isSafeInteger(n) || n < 1) throw new TsopsError(`error parsing KSOPS_CONCURRENCY_LIMIT value "${text}": expected a positive integer`)
  return n
}
