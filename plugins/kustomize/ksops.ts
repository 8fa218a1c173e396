// ksops's generator config (viaduct-ai/kustomize-sops v4, `viaduct.ai/v1`, kind `ksops` or the older
// `ksops-exec`), with ksops's output (plugins.md §1.1): `files` decrypted and emitted as they are, then
// one Secret per `secretFrom` entry — `files` and `envs` into `stringData`, `binaryFiles` into `data`
// (base64), metadata and type copied, no annotations added. Unknown fields are ignored, as ksops does.
import { basename } from "node:path"
import { decryptFile, formatOf, type DecryptContext } from "./decrypt-file.js"
import { settleAll } from "./failure.js"
import { parseGodotenv } from "./godotenv.js"
import { parseObjects, toNode, type KubeObject } from "./resource-yaml.js"
import { ConfigError, isPlain, optionalList, optionalObject, optionalString, optionalStringList, stringMap, type Plain } from "./schema.js"

export interface KsopsSecretFrom {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  type?: string
  files: string[]
  binaryFiles: string[]
  envs: string[]
}

export interface KsopsConfig {
  files: string[]
  secretFrom: KsopsSecretFrom[]
}

function readMetadata(entry: Plain, where: string): KsopsSecretFrom["metadata"] {
  const metadata = optionalObject(entry, "metadata", where) ?? {}
  const at = `${where}.metadata`
  const name = optionalString(metadata, "name", at)
  const namespace = optionalString(metadata, "namespace", at)
  const labels = stringMap(metadata, "labels", at)
  const annotations = stringMap(metadata, "annotations", at)
  // Go's omitempty: empty strings and empty maps are left out.
  return {
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
    ...(Object.keys(labels).length > 0 ? { labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  }
}

export function parseKsopsConfig(config: Plain): KsopsConfig {
  const where = "ksops"
  const files = optionalStringList(config, "files", where)
  const secretFrom = optionalList(config, "secretFrom", where)
  // ksops fails only when both are absent; `files: []` is fine and generates nothing.
  if (files === undefined && secretFrom === undefined) {
    throw new ConfigError("missing the required 'files' or 'secretFrom' key in the ksops manifests")
  }
  return {
    files: files ?? [],
    secretFrom: (secretFrom ?? []).map((entry, i): KsopsSecretFrom => {
      const at = `${where}.secretFrom[${i}]`
      if (!isPlain(entry)) throw new ConfigError(`${at}: expected a mapping`)
      const type = optionalString(entry, "type", at)
      return {
        metadata: readMetadata(entry, at),
        ...(type ? { type } : {}),
        files: optionalStringList(entry, "files", at) ?? [],
        binaryFiles: optionalStringList(entry, "binaryFiles", at) ?? [],
        envs: optionalStringList(entry, "envs", at) ?? [],
      }
    }),
  }
}

/** ksops's fileKeyPath: `path` → (base name, path), `key=path` → (key, path); more `=` is an error. */
export function ksopsKeyPath(source: string): { key: string; path: string } {
  const parts = source.split("=")
  if (parts.length === 1) return { key: basename(source) || ".", path: source }
  if (parts.length > 2) throw new ConfigError(`invalid format in file generator ${source}`)
  return { key: parts[0]!, path: parts[1]! }
}

// ksops decrypts with sops's format-for-path, and prints the plaintext in the same format.
const decryptAs = (path: string, context: DecryptContext): Promise<Uint8Array> => {
  const format = formatOf(path) ?? "binary"
  return decryptFile(path, { input: format, output: format }, context)
}

async function buildSecret(entry: KsopsSecretFrom, context: DecryptContext): Promise<KubeObject> {
  const files = entry.files.map(ksopsKeyPath)
  const binaryFiles = entry.binaryFiles.map(ksopsKeyPath)
  type Part = { to: "stringData" | "data"; pairs: [string, string][] }
  const parts = await settleAll<Part>([
    ...files.map(({ key, path }) => async (): Promise<Part> =>
      ({ to: "stringData", pairs: [[key, Buffer.from(await decryptAs(path, context)).toString("utf8")]] })),
    ...binaryFiles.map(({ key, path }) => async (): Promise<Part> =>
      ({ to: "data", pairs: [[key, Buffer.from(await decryptAs(path, context)).toString("base64")]] })),
    ...entry.envs.map(path => async (): Promise<Part> =>
      ({ to: "stringData", pairs: [...parseGodotenv(Buffer.from(await decryptAs(path, context)).toString("utf8"), path)] })),
  ])
  // ksops fills stringData from files then envs (a later key wins), data from binaryFiles.
  const stringData: Record<string, string> = {}
  const data: Record<string, string> = {}
  for (const part of parts) {
    for (const [key, value] of part.pairs) (part.to === "data" ? data : stringData)[key] = value
  }
  return toNode({
    apiVersion: "v1",
    kind: "Secret",
    metadata: entry.metadata,
    ...(entry.type ? { type: entry.type } : {}),
    ...(Object.keys(stringData).length > 0 ? { stringData } : {}),
    ...(Object.keys(data).length > 0 ? { data } : {}),
  })
}

/** ksops's output: the decrypted `files` in order, then one Secret per `secretFrom` entry. */
export async function generateKsops(config: KsopsConfig, context: DecryptContext): Promise<KubeObject[]> {
  const manifestTasks = config.files.map(path => async () =>
    parseObjects(Buffer.from(await decryptAs(path, context)).toString("utf8"), `${path} (decrypted)`))
  const secretTasks = config.secretFrom.map(entry => async () => [await buildSecret(entry, context)])
  return (await settleAll([...manifestTasks, ...secretTasks])).flat()
}
