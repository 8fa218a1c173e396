// One kustomization file read as kustomize-controller reads it (plugins.md §2.3): the three recognised
// names, a regular file, and the local paths it names — the ones Flux decrypts before the build
// (secretGenerator files/envs, patch files) and every other one, which must stay inside the root too.
import { lstat, readFile } from "node:fs/promises"
import { join } from "node:path"
import { ExitCode, TsopsError } from "../../src/index.js"
import { loadYaml } from "./load-yaml.js"
import { formatForEnvFile, formatForPath, type SopsFormat } from "./markers.js"

/** kustomize's `RecognizedKustomizationFileNames`, in its order. */
export const kustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const

export interface PathReference {
  /** Where it was found, e.g. `secretGenerator[0].envs[1]`, for messages. */
  readonly field: string
  readonly path: string
  /** Set for the files Flux decrypts before the build: the sops format it uses (in = out). */
  readonly decryptAs?: SopsFormat
  /** A `resources`/`components`/`bases` entry: a directory holding another kustomization, or a file. */
  readonly nested?: boolean
}

export interface Kustomization {
  /** Path of the file that was read. */
  readonly file: string
  readonly references: readonly PathReference[]
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [])

/** Flux's `isRemoteURL`: a scheme and a host (`https://…`, `ssh://…`). */
export function isRemoteUrl(path: string): boolean {
  try {
    const url = new URL(path)
    return url.protocol !== "" && url.host !== ""
  } catch {
    return false
  }
}

// A string entry of patchesStrategicMerge/generators/transformers is a path unless it is inline YAML.
const isInline = (entry: string): boolean => entry.includes("\n")

/** `key=path` → path (the key picks the format: Flux decrypts `files` by the key's extension). */
function fileSource(entry: string): { key: string; path: string } {
  const at = entry.indexOf("=")
  return at < 0 ? { key: entry, path: entry } : { key: entry.slice(0, at), path: entry.slice(at + 1) }
}

function generatorReferences(kind: "secretGenerator" | "configMapGenerator", list: unknown): PathReference[] {
  const out: PathReference[] = []
  for (const [i, generator] of (Array.isArray(list) ? list : []).entries()) {
    if (!isRecord(generator)) continue
    const decrypt = kind === "secretGenerator"
    for (const [j, entry] of strings(generator.files).entries()) {
      const { key, path } = fileSource(entry)
      out.push({ field: `${kind}[${i}].files[${j}]`, path, ...(decrypt ? { decryptAs: formatForPath(key) } : {}) })
    }
    for (const [j, path] of strings(generator.envs).entries()) {
      out.push({ field: `${kind}[${i}].envs[${j}]`, path, ...(decrypt ? { decryptAs: formatForEnvFile(path) } : {}) })
    }
    // The deprecated single `env` is read by kustomize but not decrypted by Flux (it walks EnvSources only).
    if (typeof generator.env === "string") out.push({ field: `${kind}[${i}].env`, path: generator.env })
  }
  return out
}

/** Every local path a kustomization names. URLs are left out (kustomize fetches them; Flux skips them). */
export function referencesOf(data: Record<string, unknown>): PathReference[] {
  const out: PathReference[] = []
  for (const field of ["resources", "bases", "components"] as const) {
    for (const [i, path] of strings(data[field]).entries()) out.push({ field: `${field}[${i}]`, path, nested: true })
  }
  for (const field of ["crds", "configurations"] as const) {
    for (const [i, path] of strings(data[field]).entries()) out.push({ field: `${field}[${i}]`, path })
  }
  for (const field of ["generators", "transformers", "validators", "patchesStrategicMerge"] as const) {
    for (const [i, entry] of strings(data[field]).entries()) if (!isInline(entry)) out.push({ field: `${field}[${i}]`, path: entry })
  }
  out.push(...generatorReferences("secretGenerator", data.secretGenerator), ...generatorReferences("configMapGenerator", data.configMapGenerator))
  for (const [i, patch] of (Array.isArray(data.patches) ? data.patches : []).entries()) {
    // Flux decrypts `patches[].path` files by their extension; inline patches are plain text.
    if (isRecord(patch) && typeof patch.path === "string" && patch.path !== "") {
      out.push({ field: `patches[${i}].path`, path: patch.path, decryptAs: formatForPath(patch.path) })
    }
  }
  for (const field of ["patchesJson6902", "replacements"] as const) {
    for (const [i, item] of (Array.isArray(data[field]) ? data[field] : []).entries()) {
      if (isRecord(item) && typeof item.path === "string" && item.path !== "") out.push({ field: `${field}[${i}].path`, path: item.path })
    }
  }
  if (isRecord(data.openapi) && typeof data.openapi.path === "string") out.push({ field: "openapi.path", path: data.openapi.path })
  return out.filter(ref => ref.path !== "" && !isRemoteUrl(ref.path))
}

async function isPresent(path: string): Promise<boolean> {
  try {
    await lstat(path)
    return true
  } catch {
    return false
  }
}

/**
 * The kustomization in `dir` (a real path inside the root), or undefined when there is none.
 * `describe` turns a path into what messages show.
 * @throws TsopsError when there are several, or the file is not a regular file or not a YAML mapping
 */
export async function loadKustomization(dir: string, describe: (path: string) => string): Promise<Kustomization | undefined> {
  const found: string[] = []
  for (const name of kustomizationFileNames) if (await isPresent(join(dir, name))) found.push(join(dir, name))
  if (found.length === 0) return undefined
  if (found.length > 1) throw new TsopsError(`${describe(dir)}: found multiple kustomization files`, ExitCode.CouldNotReadInputFile)
  const file = found[0]!
  if (!(await lstat(file)).isFile()) throw new TsopsError(`${describe(file)}: expected a regular file`, ExitCode.CouldNotReadInputFile)
  const YAML = await loadYaml()
  let data: unknown
  try {
    data = YAML.parse(await readFile(file, "utf8"), { prettyErrors: false })
  } catch (error) {
    const code = typeof error === "object" && error !== null && "code" in error ? ` (${String(error.code)})` : ""
    throw new TsopsError(`${describe(file)}: not valid YAML${code}`, ExitCode.CouldNotReadInputFile)
  }
  if (data === null || data === undefined) data = {}
  if (!isRecord(data)) throw new TsopsError(`${describe(file)}: not a kustomization (expected a mapping)`, ExitCode.CouldNotReadInputFile)
  return { file, references: referencesOf(data) }
}
