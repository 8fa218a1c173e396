// updatekeys: bring the master keys of many files — given one by one or as directory trees — in
// line with `.sops.yaml` (spec §8.1, §8.3, §10.1). Two steps: a plan (no key is touched) that the
// caller can show and confirm once, then the changes, several files at a time, each written
// atomically; one failing file does not stop the others.
import type { Dirent } from "node:fs"
import { readdir, readFile, stat } from "node:fs/promises"
import { join, resolve } from "node:path"
import { ExitCode, TsopsError } from "../core/errors.js"
import type { KeySource } from "../core/key-source.js"
import type { Metadata } from "../core/metadata.js"
import type { FormatName, ParsedFile, Store } from "../core/store.js"
import { findConfigPath, loadConfig, selectCreationRule, type KeySpec, type SopsConfig } from "../config/sops-yaml.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { openEncrypted, readMetadata, recoverDataKey, type OpenOptions } from "./load-encrypted.js"
import { cwdOf, envOf, keyContext } from "./options.js"
import { emitOptions } from "./output.js"
import { configKeyGroups, fileKeyGroups, labelOf, rekey, sameKey, type KeyLabel, type PlannedKey } from "./rekey.js"

export interface UpdateKeysOptions extends OpenOptions {
  /** Path of `.sops.yaml`; default SOPS_CONFIG, else searched upwards from `cwd` (spec §8.1). */
  config?: string
  /** Format of every file; default: by each file's extension. */
  inputType?: FormatName | string
  /** Also generate a new data key for every file and re-encrypt its values (what removing a person needs). */
  rotate?: boolean
  /** Overrides the Shamir threshold of the creation rule and of the file. */
  shamirThreshold?: number
  /** Files processed at once (default 8). */
  concurrency?: number
  /** Called once with the whole plan when some file would change; false: change nothing. Absent: go ahead. */
  confirm?: (plan: KeyUpdatePlan) => boolean | Promise<boolean>
  /** Called after each file of the apply step (updated or failed). */
  onProgress?: (done: number, total: number) => void
  /** For tests: the clock for `lastmodified` of rotated files. */
  now?: Date
}

/** The key changes of one group (sops's DiffKeyGroups): keys kept, added and removed. */
export interface GroupDiff {
  common: KeyLabel[]
  added: KeyLabel[]
  removed: KeyLabel[]
}

export interface FileKeyPlan {
  /** Absolute path. */
  path: string
  groups: GroupDiff[]
  /** Effective thresholds before and after (0: one group, no Shamir). */
  shamirThreshold: { from: number; to: number }
  /** Master keys or the threshold change. */
  keysChange: boolean
  /** The file will be written: its keys change, or a new data key was asked for. */
  willChange: boolean
}

export interface FileFailure {
  path: string
  error: TsopsError
}

export interface KeyUpdatePlan {
  configPath: string
  rotate: boolean
  files: FileKeyPlan[]
  /** Files that could not be planned (unreadable, not valid sops files, no matching rule). */
  failed: FileFailure[]
}

export interface UpdateKeysResult {
  plan: KeyUpdatePlan
  /** false when `confirm` declined: nothing was written. */
  confirmed: boolean
  updated: string[]
  upToDate: string[]
  /** Planning and apply failures, in path order. */
  failed: FileFailure[]
}

interface Prepared {
  input: Uint8Array
  format: FormatName
  store: Store
  parsed: ParsedFile
  metadata: Metadata
  groups: PlannedKey[][]
}

// What the apply step needs of each planned file, kept out of the public plan object.
const prepared = new WeakMap<FileKeyPlan, Prepared>()

const ignoredDirectories = new Set([".git", "node_modules"])

/**
 * Plans `updateKeys` for files and directory trees (walked recursively, `.git` and `node_modules`
 * skipped; in a tree, files that are not sops files are skipped silently, while files that look
 * encrypted but are broken are reported). Reads no key.
 * @throws TsopsError `config file not found` (exit 1) and config errors; per-file problems go to `failed`
 */
export async function planKeyUpdates(targets: readonly string[], options: UpdateKeysOptions = {}): Promise<KeyUpdatePlan> {
  const cwd = cwdOf(options)
  if (targets.length === 0) throw new TsopsError("Error: no file specified", ExitCode.NoFileSpecified)
  const configPath = findConfigPath(cwd, options.config ?? envOf(options).SOPS_CONFIG, options.warn)
  if (!configPath) throw new TsopsError("config file not found")
  const config = await loadConfig(configPath)
  if (!config.creationRules) throw new TsopsError(`The config file ${configPath} does not contain any creation rule`)
  const threshold = options.shamirThreshold ?? 0
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 255) {
    throw new TsopsError(`Invalid Shamir threshold ${threshold}: it must be a whole number from 2 to 255`)
  }

  const failed: FileFailure[] = []
  const candidates: { path: string; walked: boolean }[] = []
  for (const target of targets) {
    const path = resolve(cwd, target)
    try {
      const info = await stat(path)
      if (info.isDirectory()) candidates.push(...(await walk(path)).map(p => ({ path: p, walked: true })))
      else candidates.push({ path, walked: false })
    } catch (error) {
      failed.push({ path, error: fsError(error, path) })
    }
  }
  const seen = new Set<string>()
  const unique = candidates.filter(c => !seen.has(c.path) && seen.add(c.path))

  const ruleGroups = new Map<string, Promise<KeySource[][]>>()
  const files: FileKeyPlan[] = []
  await forEachLimited(unique, options.concurrency ?? 8, async ({ path, walked }) => {
    try {
      const plan = await planFile(path, walked, config, ruleGroups, options)
      if (plan) files.push(plan)
    } catch (error) {
      failed.push({ path, error: asTsopsError(error) })
    }
  })
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  return { configPath, rotate: options.rotate === true, files: files.sort(byPath), failed: failed.sort(byPath) }
}

/**
 * Applies a plan: files whose keys change are re-wrapped (the same data key, or a new one and every
 * value re-encrypted with `rotate`), at most `concurrency` at a time, each written atomically.
 * @throws TsopsError only when the config can no longer be read; each file's failure (exit 128 no data
 *   key, 51 MAC mismatch with `rotate`, 3 cannot write, keys tsops cannot wrap for…) is in `failed`
 */
export async function applyKeyUpdates(plan: KeyUpdatePlan, options: UpdateKeysOptions = {}): Promise<UpdateKeysResult> {
  const config = await loadConfig(plan.configPath)
  const updated: string[] = []
  const upToDate = plan.files.filter(f => !f.willChange).map(f => f.path)
  const failed = [...plan.failed]
  const work = plan.files.filter(f => f.willChange)
  let done = 0
  await forEachLimited(work, options.concurrency ?? 8, async file => {
    try {
      await applyFile(file, plan.rotate, config, options)
      updated.push(file.path)
    } catch (error) {
      failed.push({ path: file.path, error: asTsopsError(error) })
    }
    options.onProgress?.(++done, work.length)
  })
  return { plan, confirmed: true, updated: updated.sort(), upToDate, failed: failed.sort((a, b) => (a.path < b.path ? -1 : 1)) }
}

/**
 * Plans, asks `confirm` once (when something would change), applies.
 * @throws TsopsError for config problems; per-file failures are in the result
 * @example
 *   const result = await updateKeys(["secrets/"], { rotate: true })
 *   if (result.failed.length > 0) process.exitCode = 1
 */
export async function updateKeys(targets: readonly string[], options: UpdateKeysOptions = {}): Promise<UpdateKeysResult> {
  const plan = await planKeyUpdates(targets, options)
  const upToDate = plan.files.filter(f => !f.willChange).map(f => f.path)
  if (!plan.files.some(f => f.willChange)) return { plan, confirmed: true, updated: [], upToDate, failed: plan.failed }
  if (options.confirm && !(await options.confirm(plan))) {
    return { plan, confirmed: false, updated: [], upToDate, failed: plan.failed }
  }
  return applyKeyUpdates(plan, options)
}

/** One line of a file's plan; `kind` says how sops colours it (added green, removed red, group underlined). */
export interface PlanLine {
  kind: "threshold" | "group" | "common" | "added" | "removed"
  text: string
}

/** The plan of one file as sops prints it (PrettyPrintShamirDiff, PrettyPrintDiffs). */
export function describeFilePlan(file: FileKeyPlan): PlanLine[] {
  const lines: PlanLine[] = []
  const { from, to } = file.shamirThreshold
  if (from > 0 && from === to) lines.push({ kind: "threshold", text: `shamir_threshold: ${to}` })
  else {
    if (to > 0) lines.push({ kind: "added", text: `+++ shamir_threshold: ${to}` })
    if (from > 0) lines.push({ kind: "removed", text: `--- shamir_threshold: ${from}` })
  }
  for (const [i, group] of file.groups.entries()) {
    lines.push({ kind: "group", text: `Group ${i + 1}` })
    for (const key of group.common) lines.push({ kind: "common", text: `    ${key.id}` })
    for (const key of group.added) lines.push({ kind: "added", text: `+++ ${key.id}` })
    for (const key of group.removed) lines.push({ kind: "removed", text: `--- ${key.id}` })
  }
  return lines
}

async function planFile(
  path: string,
  walked: boolean,
  config: SopsConfig,
  ruleGroups: Map<string, Promise<KeySource[][]>>,
  options: UpdateKeysOptions,
): Promise<FileKeyPlan | undefined> {
  let input: Uint8Array
  try {
    input = await readFile(path)
  } catch (error) {
    throw fsError(error, path)
  }
  const format = selectFormat(options.inputType, path)
  const store = await loadStore(format)
  let parsed: ParsedFile
  try {
    parsed = store.parse(input)
  } catch (error) {
    if (walked && !looksEncrypted(input)) return undefined
    throw error
  }
  if (parsed.metadata === undefined && walked && !looksEncrypted(input)) return undefined
  const metadata = readMetadata(parsed)
  const rule = selectCreationRule(config, path)
  if (!rule || rule.keyGroups.length === 0) throw new TsopsError(`the creation rule for this file in ${config.path} names no master keys`)
  const ruleKey = JSON.stringify(rule.keyGroups)
  if (!ruleGroups.has(ruleKey)) ruleGroups.set(ruleKey, configKeyGroups(rule.keyGroups as KeySpec[][]))
  const wanted = await ruleGroups.get(ruleKey)!
  const current = await fileKeyGroups(metadata)

  // The file's own key source is kept for a key it already has (its entry, its created_at).
  const groups = wanted.map((group, i) => group.map(key => current[i]?.find(k => sameKey(k.key, key)) ?? { key }))
  const diffs: GroupDiff[] = []
  for (let i = 0; i < Math.max(current.length, groups.length); i++) {
    const ours = current[i] ?? []
    const theirs = groups[i] ?? []
    diffs.push({
      common: theirs.filter(k => ours.some(o => sameKey(o.key, k.key))).map(k => labelOf(k.key)),
      added: theirs.filter(k => !ours.some(o => sameKey(o.key, k.key))).map(k => labelOf(k.key)),
      removed: ours.filter(o => !theirs.some(k => sameKey(o.key, k.key))).map(o => labelOf(o.key)),
    })
  }
  // Unlike sops (which keeps the file's threshold), the rule's threshold counts: the file is brought
  // in line with .sops.yaml. Capped at the number of groups, as sops caps it.
  const from = current.length > 1 ? metadata.shamirThreshold || current.length : 0
  const count = groups.length
  const to = count > 1 ? Math.min(options.shamirThreshold || rule.shamirThreshold || metadata.shamirThreshold || count, count) : 0
  if (count > 1 && to < 2) throw new TsopsError(`Invalid Shamir threshold ${to}: with ${count} key groups it must be at least 2`)
  const keysChange = diffs.some(d => d.added.length > 0 || d.removed.length > 0) || from !== to
  const plan: FileKeyPlan = {
    path,
    groups: diffs,
    shamirThreshold: { from, to },
    keysChange,
    willChange: keysChange || options.rotate === true,
  }
  prepared.set(plan, { input, format, store, parsed, metadata, groups })
  return plan
}

async function applyFile(file: FileKeyPlan, rotate: boolean, config: SopsConfig, options: UpdateKeysOptions): Promise<void> {
  const p = prepared.get(file)
  if (!p) throw new TsopsError(`${file.path} was not planned by planKeyUpdates`)
  // Rotating decrypts (and MAC-checks) every value; otherwise only the data key is needed (as sops).
  const keyed = rotate
    ? await openEncrypted(p.store, p.input, options)
    : { parsed: p.parsed, metadata: p.metadata, dataKey: await recoverDataKey(p.metadata, options) }
  const change = { groups: p.groups, shamirThreshold: file.shamirThreshold.to, rotate, keysChanged: file.keysChange }
  const { branches, metadata } = await rekey(keyed, change, keyContext(options), options.now)
  const output = p.store.emit(branches, emitOptions(p.format, keyed.parsed.layout, {}, config.stores, metadata))
  const { default: writeFileAtomic } = await import("write-file-atomic")
  try {
    await writeFileAtomic(file.path, Buffer.from(output.buffer, output.byteOffset, output.byteLength))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unknown error"
    throw new TsopsError(`Could not open in-place file for writing: ${code}: ${file.path}`, ExitCode.CouldNotWriteOutputFile)
  }
}

// Files under a directory, depth first; symbolic links to files are followed, links to directories not.
async function walk(dir: string): Promise<string[]> {
  let entries: Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    throw fsError(error, dir)
  }
  const files: string[] = []
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (!ignoredDirectories.has(entry.name)) files.push(...(await walk(path)))
    } else if (entry.isFile()) files.push(path)
    else if (entry.isSymbolicLink()) {
      const info = await stat(path).catch(() => undefined)
      if (info?.isFile()) files.push(path)
    }
  }
  return files
}

// A file in a tree counts as a sops file when it has metadata — or, if it does not parse or has
// none, when it holds encrypted values: a broken sops file is reported, never silently skipped.
const looksEncrypted = (input: Uint8Array): boolean => Buffer.from(input.buffer, input.byteOffset, input.byteLength).includes("ENC[AES256_GCM,")

function fsError(error: unknown, path: string): TsopsError {
  const code = (error as NodeJS.ErrnoException).code
  if (code === "ENOENT") return new TsopsError(`Error: cannot operate on non-existent file "${path}"`, ExitCode.NoFileSpecified)
  return new TsopsError(`Error reading file: ${code ?? "unknown error"}: ${path}`, ExitCode.CouldNotReadInputFile)
}

function asTsopsError(error: unknown): TsopsError {
  return error instanceof TsopsError ? error : new TsopsError(`internal error: ${String(error)}`)
}

async function forEachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await run(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
}
