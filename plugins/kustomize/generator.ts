// tsops's own generator, `apiVersion: tsops.dev/v1, kind: SopsGenerator`: decrypted manifests from
// `files`, and Secrets shaped like kustomize's secretGenerator from encrypted `files`/`envs`, written
// as base64 `data` (so `behavior: merge` merges key by key: plugins.md §4.4) with the
// needs-hash/behavior annotations kustomize reads.
import { decryptFile, formatOf, type DecryptContext } from "./decrypt-file.js"
import { parseEnvFile } from "./env-file.js"
import { settleAll } from "./failure.js"
import { parseObjects, toNode, type KubeObject } from "./resource-yaml.js"
import {
  ConfigError, isPlain, optionalBool, optionalList, optionalObject, optionalString, optionalStringList, rejectUnknown, stringMap, type Plain,
} from "./schema.js"

export const needsHashAnnotation = "kustomize.config.k8s.io/needs-hash"
export const behaviorAnnotation = "kustomize.config.k8s.io/behavior"
const behaviors = ["create", "merge", "replace"] as const

export interface SecretOptions {
  labels: Record<string, string>
  annotations: Record<string, string>
  disableNameSuffixHash?: boolean
  immutable?: boolean
}

export interface SecretSpec {
  name: string
  namespace?: string
  type: string
  behavior?: (typeof behaviors)[number]
  /** `path` (key = its base name) or `key=path`. */
  files: string[]
  envs: string[]
  options: SecretOptions
}

export interface SopsGeneratorConfig {
  name: string
  files: string[]
  secrets: SecretSpec[]
}

function readOptions(object: Plain | undefined, where: string): SecretOptions {
  if (!object) return { labels: {}, annotations: {} }
  rejectUnknown(object, ["labels", "annotations", "disableNameSuffixHash", "immutable"], where)
  const disable = optionalBool(object, "disableNameSuffixHash", where)
  const immutable = optionalBool(object, "immutable", where)
  return {
    labels: stringMap(object, "labels", where),
    annotations: stringMap(object, "annotations", where),
    ...(disable !== undefined ? { disableNameSuffixHash: disable } : {}),
    ...(immutable !== undefined ? { immutable } : {}),
  }
}

// A secret's own options win over the generator-wide ones, key by key (kustomize's generatorOptions).
function mergeOptions(global: SecretOptions, own: SecretOptions): SecretOptions {
  const disable = own.disableNameSuffixHash ?? global.disableNameSuffixHash
  const immutable = own.immutable ?? global.immutable
  return {
    labels: { ...global.labels, ...own.labels },
    annotations: { ...global.annotations, ...own.annotations },
    ...(disable !== undefined ? { disableNameSuffixHash: disable } : {}),
    ...(immutable !== undefined ? { immutable } : {}),
  }
}

/** Validates a SopsGenerator config (unknown fields are errors: a typo must not drop a secret). */
export function parseSopsGeneratorConfig(config: Plain): SopsGeneratorConfig {
  const name = (isPlain(config.metadata) && typeof config.metadata.name === "string" ? config.metadata.name : undefined) ?? "(unnamed)"
  const where = `SopsGenerator ${name}`
  rejectUnknown(config, ["apiVersion", "kind", "metadata", "files", "secrets", "options"], where)
  const global = readOptions(optionalObject(config, "options", where), `${where}.options`)
  const secrets = (optionalList(config, "secrets", where) ?? []).map((entry, i): SecretSpec => {
    const at = `${where}.secrets[${i}]`
    if (!isPlain(entry)) throw new ConfigError(`${at}: expected a mapping`)
    rejectUnknown(entry, ["name", "namespace", "type", "behavior", "files", "envs", "options"], at)
    const secretName = optionalString(entry, "name", at)
    if (!secretName) throw new ConfigError(`${at}.name: required`)
    const behavior = optionalString(entry, "behavior", at)
    if (behavior !== undefined && !(behaviors as readonly string[]).includes(behavior)) {
      throw new ConfigError(`${at}.behavior: expected one of ${behaviors.join(", ")}`)
    }
    const namespace = optionalString(entry, "namespace", at)
    return {
      name: secretName,
      ...(namespace ? { namespace } : {}),
      type: optionalString(entry, "type", at) ?? "Opaque",
      ...(behavior ? { behavior: behavior as SecretSpec["behavior"] & string } : {}),
      files: optionalStringList(entry, "files", at) ?? [],
      envs: optionalStringList(entry, "envs", at) ?? [],
      options: mergeOptions(global, readOptions(optionalObject(entry, "options", at), `${at}.options`)),
    }
  })
  const files = optionalStringList(config, "files", where) ?? []
  if (files.length === 0 && secrets.length === 0) throw new ConfigError(`${where}: nothing to generate (give files or secrets)`)
  return { name, files, secrets }
}

/** kustomize's ParseFileSource: `path` → (base name, path); `key=path` → (key, path). */
export function parseFileSource(source: string, where: string): { key: string; path: string } {
  const parts = source.split("=")
  if (parts.length === 1) return { key: source.split("/").filter(Boolean).at(-1) ?? source, path: source }
  if (parts.length > 2) throw new ConfigError(`${where}: key names or file paths cannot contain '=' (${source})`)
  const [key, path] = parts as [string, string]
  if (key === "") throw new ConfigError(`${where}: key name for file path ${path} missing`)
  if (path === "") throw new ConfigError(`${where}: file path for key name ${key} missing`)
  return { key, path }
}

// Kubernetes' IsConfigMapKey, which Secret data keys must satisfy.
function checkDataKey(key: string, where: string): void {
  if (key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key) || key === "." || key === ".." || key.startsWith("..")) {
    throw new ConfigError(`${where}: "${key}" is not a valid Secret key (letters, digits, '-', '_', '.')`)
  }
}

/**
 * Base64 as kustomize's secretGenerator writes it: broken into 70-character lines, each ending in a
 * newline, once it is 70 characters or longer. The content hash covers these exact strings, so
 * wrapping the same way gives the same name suffix as secretGenerator (and Flux) for the same data.
 */
export function kustomizeBase64(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes).toString("base64")
  const lineLength = 70
  if (encoded.length < lineLength) return encoded
  let out = ""
  for (let at = 0; at < encoded.length; at += lineLength) out += `${encoded.slice(at, at + lineLength)}\n`
  return out
}

async function buildSecret(spec: SecretSpec, context: DecryptContext, where: string): Promise<KubeObject> {
  const sources = spec.files.map(source => parseFileSource(source, `${where}.files`))
  // One batch for the whole Secret: every file starts at once and every problem is reported.
  // Key order as kustomize's secretGenerator: envs, then files.
  const entries = (await settleAll([
    ...spec.envs.map(path => async (): Promise<[string, Uint8Array][]> => {
      const plaintext = await decryptFile(path, { input: formatOf(path) ?? "dotenv", output: "dotenv" }, context)
      return parseEnvFile(plaintext, path).map(([key, value]) => [key, Buffer.from(value, "utf8")])
    }),
    ...sources.map(({ key, path }) => async (): Promise<[string, Uint8Array][]> => {
      // The format comes from the path's extension, else from the key's (Flux's rule, plugins.md §2.3:
      // `config.json=config.json.encrypted`), else binary.
      const format = formatOf(path) ?? formatOf(key) ?? "binary"
      return [[key, await decryptFile(path, { input: format, output: format }, context)]]
    }),
  ])).flat()
  const data: Record<string, string> = {}
  for (const [key, value] of entries) {
    checkDataKey(key, where)
    if (Object.hasOwn(data, key)) throw new ConfigError(`${where}: key ${key} is generated twice`)
    data[key] = kustomizeBase64(value)
  }
  const annotations = { ...spec.options.annotations }
  if (!spec.options.disableNameSuffixHash && !Object.hasOwn(annotations, needsHashAnnotation)) annotations[needsHashAnnotation] = "true"
  if (spec.behavior && !Object.hasOwn(annotations, behaviorAnnotation)) annotations[behaviorAnnotation] = spec.behavior
  const metadata = {
    name: spec.name,
    ...(spec.namespace ? { namespace: spec.namespace } : {}),
    ...(Object.keys(spec.options.labels).length > 0 ? { labels: spec.options.labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  }
  return toNode({
    apiVersion: "v1",
    kind: "Secret",
    metadata,
    type: spec.type,
    ...(spec.options.immutable ? { immutable: true } : {}),
    ...(Object.keys(data).length > 0 ? { data } : {}),
  })
}

/** The objects a SopsGenerator config generates: its manifests in order, then its Secrets in order. */
export async function generateSopsGenerator(config: SopsGeneratorConfig, context: DecryptContext): Promise<KubeObject[]> {
  const where = `SopsGenerator ${config.name}`
  const manifestTasks = config.files.map(path => async () => {
    const format = formatOf(path) ?? "binary"
    const plaintext = await decryptFile(path, { input: format, output: format }, context)
    return parseObjects(Buffer.from(plaintext).toString("utf8"), `${path} (decrypted)`)
  })
  const secretTasks = config.secrets.map((spec, i) => async () => [await buildSecret(spec, context, `${where}.secrets[${i}]`)])
  return (await settleAll([...manifestTasks, ...secretTasks])).flat()
}
