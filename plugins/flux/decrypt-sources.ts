// Flux's DecryptSources step (plugins.md §2.3 step 2), run on the private copy: walk the kustomization
// tree (resources and components, recursively), keep every local path inside the root, and decrypt in
// place the secretGenerator files/envs and patch files that carry their format's marker.
import { chmod, lstat, realpath, writeFile } from "node:fs/promises"
import { isAbsolute, resolve } from "node:path"
import { ExitCode, TsopsError } from "../../src/index.js"
import { isInside, readConfined, RefusedPathError, type Confinement } from "../kustomize/confine.js"
import { settleAll } from "../kustomize/failure.js"
import { loadKustomization, type PathReference } from "./kustomization.js"
import { hasMarker, type SopsFormat } from "./markers.js"

export interface SourceContext {
  /** Real path of the copy's root: nothing outside it is read or written. */
  readonly root: string
  readonly maxFileSize: number
  /** A path as messages show it (relative to the user's root, not the private copy). */
  readonly describe: (path: string) => string
  /** Decrypts one file's bytes; `what` names it in errors. */
  readonly decrypt: (bytes: Uint8Array, format: SopsFormat, what: string) => Promise<Uint8Array>
}

interface SourceFile {
  readonly real: string
  readonly format: SopsFormat
  readonly what: string
  readonly confinement: Confinement
  readonly path: string
}

const rootHint = "(use --root to widen the root)"

/** confine.ts speaks to tsops-krm users (TSOPS_KRM_* variables); here the flags say the same. */
const withFlagHints = (message: string): string =>
  message.replace(/\(set TSOPS_KRM_ROOT[^)]*\)/, rootHint).replace(/\(TSOPS_KRM_MAX_FILE_SIZE\)/, "(--max-file-size)")

function refused(ref: PathReference, file: string, reason: string): RefusedPathError {
  return new RefusedPathError(`${file}: ${ref.field} '${ref.path}' ${reason}`)
}

/** Where a reference points, refused when it leaves the root before or after resolving symlinks. */
async function confined(ref: PathReference, dir: string, file: string, context: SourceContext): Promise<{ lexical: string; real?: string }> {
  // An absolute path would name the user's tree (or anything else), not the private copy kustomize builds.
  if (isAbsolute(ref.path)) throw refused(ref, file, "is an absolute path; a Flux source is confined to its root, use a relative path")
  const lexical = resolve(dir, ref.path)
  if (!isInside(context.root, lexical)) throw refused(ref, file, `lies outside the root ${rootHint}`)
  let real: string
  try {
    real = await realpath(lexical)
  } catch {
    // Missing: kustomize reports it; a dangling link is reported by it too.
    return { lexical }
  }
  if (!isInside(context.root, real)) throw refused(ref, file, `resolves through a symlink to a path outside the root ${rootHint}`)
  return { lexical, real }
}

/**
 * Decrypts, in place, every source file Flux would decrypt under the kustomization in `start`
 * (a directory inside `context.root`). Problems in several files are reported together.
 * @returns the real paths of the files that were decrypted
 */
export async function decryptSources(start: string, context: SourceContext): Promise<string[]> {
  const visited = new Set<string>()
  const files = new Map<string, SourceFile>()

  const visit = async (dir: string, isStart: boolean): Promise<void> => {
    if (visited.has(dir)) return
    visited.add(dir)
    const kustomization = await loadKustomization(dir, context.describe)
    if (kustomization === undefined) {
      throw new TsopsError(`${context.describe(dir)}: no kustomization file found${isStart ? "" : " (named in resources or components)"}`, ExitCode.CouldNotReadInputFile)
    }
    const file = context.describe(kustomization.file)
    const confinement: Confinement = { baseDir: dir, root: context.root, maxFileSize: context.maxFileSize }
    for (const ref of kustomization.references) {
      const { real } = await confined(ref, dir, file, context)
      if (ref.nested) {
        if (real !== undefined && (await lstat(real)).isDirectory()) await visit(real, false)
        continue
      }
      if (ref.decryptAs === undefined) continue
      // Flux fails on a missing generator file or patch; so does the read below, with the name.
      const key = real ?? resolve(dir, ref.path)
      if (!files.has(key)) files.set(key, { real: key, format: ref.decryptAs, what: `${file}: ${ref.field} '${ref.path}'`, confinement, path: ref.path })
    }
  }
  await visit(start, true)

  const decrypted = await settleAll([...files.values()].map(source => async (): Promise<string | undefined> => {
    // The size cap applies before the marker test, as in Flux's sopsDecryptFile.
    const bytes = await readConfined(source.confinement, source.path).catch((error: unknown) => {
      if (error instanceof TsopsError) throw new TsopsError(`${source.what}: ${withFlagHints(error.message)}`, error.exitCode)
      throw error
    })
    if (!hasMarker(bytes, source.format)) return undefined
    const plaintext = await context.decrypt(bytes, source.format, source.what)
    await writeFile(source.real, plaintext)
    await chmod(source.real, 0o600)
    return source.real
  }))
  return decrypted.filter((path): path is string => path !== undefined)
}
