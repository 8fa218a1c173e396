// Where a generator may read: paths resolved against the kustomization directory, kept inside a root
// (the enclosing git work tree, else that directory; TSOPS_KRM_ROOT widens it), symlinks resolved
// before the check, regular files only, and a size cap (5 MiB, as Flux; TSOPS_KRM_MAX_FILE_SIZE).
// ksops reads any path (plugins.md §0.5 item 12); Flux confines to its source root — so do we.
import { constants } from "node:fs"
import { lstat, open, realpath } from "node:fs/promises"
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path"
import { ExitCode, TsopsError } from "../../src/index.js"

export const defaultMaxFileSize = 5 * 1024 * 1024

export interface Confinement {
  /** The directory of the kustomization that lists the config (the plugin's working directory); real path. */
  readonly baseDir: string
  /** Nothing outside it is read; real path. */
  readonly root: string
  readonly maxFileSize: number
}

/** A file the generator may not read; the build fails with this message. */
export class RefusedPathError extends TsopsError {
  constructor(message: string) {
    super(message, ExitCode.CouldNotReadInputFile)
  }
}

const units: Record<string, number> = { "": 1, K: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }

/** "5242880", "5Mi", "512Ki", "10M" → bytes (Kubernetes quantity suffixes, integers only). */
export function parseSize(text: string): number {
  const match = /^\s*(\d+)\s*(Ki|Mi|Gi|K|M|G)?\s*$/.exec(text)
  const bytes = match ? Number(match[1]) * (units[match[2] ?? ""] ?? 1) : Number.NaN
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new TsopsError(`TSOPS_KRM_MAX_FILE_SIZE: expected a positive size such as 5242880 or 5Mi, got "${text}"`)
  }
  return bytes
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file in worktrees and submodules). */
export async function gitWorkTree(dir: string): Promise<string | undefined> {
  for (let at = dir; ; at = dirname(at)) {
    if (await exists(join(at, ".git"))) return at
    if (dirname(at) === at) return undefined
  }
}

async function realDir(path: string, what: string): Promise<string> {
  try {
    return await realpath(path)
  } catch {
    throw new TsopsError(`${what}: directory ${path} does not exist`)
  }
}

/** The confinement for a config whose kustomization directory is `baseDir`. */
export async function confinementFor(baseDir: string, env: Readonly<Record<string, string | undefined>>): Promise<Confinement> {
  const base = await realDir(resolve(baseDir), "kustomization directory")
  const widened = env.TSOPS_KRM_ROOT
  const root = widened ? await realDir(resolve(base, widened), "TSOPS_KRM_ROOT") : (await gitWorkTree(base)) ?? base
  const size = env.TSOPS_KRM_MAX_FILE_SIZE
  return { baseDir: base, root, maxFileSize: size ? parseSize(size) : defaultMaxFileSize }
}

export function isInside(root: string, path: string): boolean {
  if (path === root) return true
  const rel = relative(root, path)
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel)
}

function humanSize(bytes: number): string {
  if (bytes % 1024 ** 3 === 0) return `${bytes / 1024 ** 3} GiB`
  if (bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB`
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`
  return `${bytes} bytes`
}

/**
 * Reads a file a config names, refusing anything outside the root (before and after resolving
 * symlinks), anything not a regular file, and anything above the size cap.
 */
export async function readConfined(confinement: Confinement, path: string): Promise<Uint8Array> {
  const hint = "(set TSOPS_KRM_ROOT to widen the root)"
  if (path === "") throw new RefusedPathError("an empty file path")
  const lexical = resolve(confinement.baseDir, path)
  if (!isInside(confinement.root, lexical)) {
    throw new RefusedPathError(`refusing to read ${path}: it lies outside the root ${confinement.root} ${hint}`)
  }
  let real: string
  try {
    real = await realpath(lexical)
  } catch {
    throw new TsopsError(`cannot read ${path}: no such file`, ExitCode.CouldNotReadInputFile)
  }
  if (!isInside(confinement.root, real)) {
    throw new RefusedPathError(`refusing to read ${path}: it resolves through a symlink to ${real}, outside the root ${confinement.root} ${hint}`)
  }
  // O_NOFOLLOW: the last component cannot have been swapped for a symlink since realpath.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => {
    throw new TsopsError(`cannot read ${path}`, ExitCode.CouldNotReadInputFile)
  })
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new RefusedPathError(`refusing to read ${path}: not a regular file`)
    const cap = confinement.maxFileSize
    const tooBig = (size: number) => new RefusedPathError(`refusing to read ${path}: ${size} bytes is above the ${humanSize(cap)} limit (TSOPS_KRM_MAX_FILE_SIZE)`)
    if (stat.size > cap) throw tooBig(stat.size)
    const bytes = await handle.readFile()
    if (bytes.length > cap) throw tooBig(bytes.length)
    return bytes
  } finally {
    await handle.close()
  }
}
