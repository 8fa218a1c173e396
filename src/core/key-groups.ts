// The data key under key groups (spec §7): every key of a group wraps the same secret — the data
// key itself with one group, that group's Shamir share with more. Groups are processed concurrently.
import { DataKeyRecoveryError, ExitCode, KeySourceError, TsopsError } from "./errors.js"
import type { KeyContext, KeySource } from "./key-source.js"
import type { StoredKey } from "./metadata.js"
import { combine, split } from "./shamir.js"

export interface LoadedKey {
  key: KeySource
  enc: string
}

export const defaultDecryptionOrder = ["age", "pgp"] as const

/** Wraps the data key for every key of every group; fails if any key fails (as sops does). */
export async function wrapDataKey(
  dataKey: Uint8Array,
  groups: readonly (readonly KeySource[])[],
  shamirThreshold: number,
  context: KeyContext,
): Promise<{ keyGroups: StoredKey[][]; shamirThreshold: number }> {
  if (groups.length === 0) throw new TsopsError("Could not generate data key: no key groups provided")
  if (groups.some(group => group.length === 0)) throw new TsopsError("Could not generate data key: empty key group provided")
  let threshold = 0
  let secrets: Uint8Array[] = [dataKey]
  if (groups.length > 1) {
    threshold = shamirThreshold || groups.length
    secrets = split(dataKey, groups.length, threshold)
  }
  const errors: string[] = []
  const keyGroups = await Promise.all(groups.map((group, g) => Promise.all(group.map(async key => {
    try {
      return { type: key.type, entry: key.toEntry(await key.wrap(secrets[g]!, context)) }
    } catch (error) {
      // A KeySourceError already names its key.
      errors.push(error instanceof KeySourceError ? error.message : `${key.id}: ${(error as Error).message}`)
      return undefined
    }
  }))))
  if (errors.length > 0) throw new TsopsError(`Could not generate data key: [${errors.join(", ")}]`)
  return { keyGroups: keyGroups.map(group => group.map(k => k!)), shamirThreshold: threshold }
}

/** Sorts a group's keys by the decryption order; types not listed keep their order and go last. */
export function sortByDecryptionOrder(keys: readonly LoadedKey[], order: readonly string[]): LoadedKey[] {
  const rank = (type: string) => {
    const i = order.indexOf(type)
    return i === -1 ? order.length : i
  }
  return [...keys].sort((a, b) => rank(a.key.type) - rank(b.key.type))
}

export function parseDecryptionOrder(text: string | undefined): string[] {
  if (!text) return [...defaultDecryptionOrder]
  const order = text.split(",").map(s => s.trim()).filter(Boolean)
  const seen = new Set<string>()
  for (const type of order) {
    if (seen.has(type)) throw new TsopsError(`Duplicate decryption key type: ${type}`, ExitCode.DuplicateDecryptionKeyType)
    seen.add(type)
  }
  return order
}

interface GroupResult {
  secret?: Uint8Array
  failures: { id: string; error: string }[]
}

/** Recovers the data key (spec §7.3). Throws DataKeyRecoveryError (exit 128) naming every key tried. */
export async function unwrapDataKey(
  groups: readonly (readonly LoadedKey[])[],
  shamirThreshold: number,
  decryptionOrder: readonly string[],
  context: KeyContext,
): Promise<Uint8Array> {
  const results = await Promise.all(groups.map(group => unwrapGroup(group, decryptionOrder, context)))
  const secrets = results.flatMap(r => (r.secret ? [r.secret] : []))
  if (groups.length === 1 && secrets.length === 1 && secrets[0]!.length === 32) return secrets[0]!
  if (groups.length > 1) {
    const threshold = shamirThreshold || groups.length
    if (secrets.length >= threshold) {
      try {
        const dataKey = combine(secrets)
        if (dataKey.length === 32) return dataKey
      } catch {
        // reported below
      }
    }
  }
  throw new DataKeyRecoveryError(recoveryMessage(results, groups.length, shamirThreshold || groups.length, secrets.length))
}

async function unwrapGroup(group: readonly LoadedKey[], order: readonly string[], context: KeyContext): Promise<GroupResult> {
  const failures: GroupResult["failures"] = []
  for (const { key, enc } of sortByDecryptionOrder(group, order)) {
    if (enc === "") {
      failures.push({ id: key.id, error: "the key has no encrypted data key" })
      continue
    }
    try {
      const secret = await key.unwrap(enc, context)
      if (secret) return { secret, failures }
      failures.push({ id: key.id, error: `no ${key.type} identity here can decrypt it` })
    } catch (error) {
      failures.push({ id: key.id, error: (error as Error).message })
    }
  }
  return { failures }
}

// One line, as every tsops error is (sops prints a multi-line report): each group, each key tried, why it failed.
function recoveryMessage(results: GroupResult[], groupCount: number, threshold: number, recovered: number): string {
  const groups = results.map((result, i) => {
    const keys = result.failures.map(f => `${f.id}: ${f.error.replace(/\s*\n\s*/g, " ")}`).join("; ")
    return `group ${i} ${result.secret ? "SUCCESS" : "FAILED"}${keys ? ` (${keys})` : ""}`
  })
  const reason = groupCount > 1
    ? `the Shamir threshold is ${threshold} but only ${recovered} group(s) could be decrypted`
    : "no master key was able to decrypt the file"
  return `Failed to get the data key required to decrypt the SOPS file: ${reason}. ${groups.join("; ")}`
}
