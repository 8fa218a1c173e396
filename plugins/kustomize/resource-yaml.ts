// Kubernetes YAML in and out of the plugin: streams of objects and KRM ResourceLists, through the
// `yaml` package's Document API (loaded lazily). Parse errors carry positions only, never source text:
// the text may be a decrypted manifest.
import type { Document, Node, YAMLMap, YAMLSeq } from "yaml"
import { ExitCode, TsopsError } from "../../src/index.js"

/** One Kubernetes object: a YAML mapping node (kept as a node so comments, big ints and styles survive). */
export type KubeObject = YAMLMap

type YamlModule = typeof import("yaml")

/**
 * The `yaml` package, loaded on first use. The bundle turns this CommonJS package into a chunk with
 * only a default export, while tsx/vitest give the named exports: accept both.
 */
export async function loadYaml(): Promise<YamlModule> {
  const loaded = (await import("yaml")) as YamlModule & { default?: YamlModule }
  return loaded.default ?? loaded
}

// Big integers stay exact (a replica count is small, an ID in a ConfigMap may not be); no pretty
// errors, because those quote the offending source line.
const parseOptions = { intAsBigInt: true, prettyErrors: false, uniqueKeys: false } as const
// No folding of long strings: a 2 KiB certificate stays on one line, as kustomize writes it.
const stringifyOptions = { lineWidth: 0, minContentWidth: 0 } as const

function position(text: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split("\n").length
  const column = offset - before.lastIndexOf("\n")
  return `line ${line}, column ${column}`
}

function syntaxError(what: string, text: string, error: { code: string; pos: [number, number] }): TsopsError {
  return new TsopsError(`${what}: not valid YAML (${error.code} at ${position(text, error.pos[0])})`, ExitCode.CouldNotReadInputFile)
}

/** The documents of a YAML stream; empty documents dropped. `what` names the source in messages. */
export async function parseDocuments(text: string, what: string): Promise<Document[]> {
  const YAML = await loadYaml()
  const docs: Document[] = []
  for (const doc of YAML.parseAllDocuments(text, parseOptions)) {
    const error = doc.errors[0]
    if (error) throw syntaxError(what, text, error)
    if (doc.contents === null || (YAML.isScalar(doc.contents) && doc.contents.value === null)) continue
    docs.push(doc)
  }
  return docs
}

/** The objects of a YAML stream; every non-empty document must be a mapping. */
export async function parseObjects(text: string, what: string): Promise<KubeObject[]> {
  const YAML = await loadYaml()
  return (await parseDocuments(text, what)).map((doc, i) => {
    if (!YAML.isMap(doc.contents)) throw new TsopsError(`${what}: document ${i + 1} is not a mapping`, ExitCode.CouldNotReadInputFile)
    return doc.contents
  })
}

/** A multi-document YAML stream of the objects, as a legacy plugin prints it. */
export async function stringifyObjects(objects: readonly Node[]): Promise<string> {
  const YAML = await loadYaml()
  return objects.map(object => {
    const doc = new YAML.Document()
    doc.contents = object
    return doc.toString(stringifyOptions)
  }).join("---\n")
}

/** A YAML node for a plain value (a generated Secret). */
export async function toNode(value: unknown): Promise<KubeObject> {
  const YAML = await loadYaml()
  const node = new YAML.Document(value).contents
  if (!YAML.isMap(node)) throw new TsopsError("internal error: a generated object is not a mapping")
  return node
}

/** The plain JavaScript value of a node (strings, numbers, bigints, arrays, objects). */
export async function toPlain(node: Node | null | undefined): Promise<unknown> {
  const YAML = await loadYaml()
  const doc = new YAML.Document()
  doc.contents = node ?? null
  return doc.toJS({ maxAliasCount: 100 })
}

export interface ResourceList {
  items: KubeObject[]
  functionConfig?: KubeObject
  /** false when the input was a plain stream of objects rather than a ResourceList (ksops's standalone use). */
  wrapped: boolean
}

export interface Result {
  message: string
  severity: "error" | "warning" | "info"
  resourceRef?: { apiVersion?: string; kind?: string; name?: string; namespace?: string }
  file?: { path: string }
}

// kyaml unwraps one document of kind ResourceList or List that has `items` or `functionConfig`
// (plugins.md §3.1); apiVersion is not checked.
export async function parseResourceList(text: string): Promise<ResourceList> {
  const YAML = await loadYaml()
  const docs = await parseDocuments(text, "ResourceList")
  const first = docs[0]?.contents
  if (docs.length === 1 && YAML.isMap(first)) {
    const kind = first.get("kind")
    if ((kind === "ResourceList" || kind === "List") && (first.has("items") || first.has("functionConfig"))) {
      const doc = docs[0]!
      const resolve = (node: unknown): unknown => (YAML.isAlias(node) ? node.resolve(doc) : node)
      const items = resolve(first.get("items"))
      const functionConfig = resolve(first.get("functionConfig"))
      if (items !== undefined && items !== null && !YAML.isSeq(items)) throw new TsopsError("ResourceList: items is not a list", ExitCode.CouldNotReadInputFile)
      const list = ((items as YAMLSeq | null | undefined)?.items ?? []).map(resolve)
      list.forEach((item, i) => {
        if (!YAML.isMap(item)) throw new TsopsError(`ResourceList: items[${i}] is not an object`, ExitCode.CouldNotReadInputFile)
      })
      if (functionConfig !== undefined && functionConfig !== null && !YAML.isMap(functionConfig)) {
        throw new TsopsError("ResourceList: functionConfig is not an object", ExitCode.CouldNotReadInputFile)
      }
      return { items: list as KubeObject[], ...(YAML.isMap(functionConfig) ? { functionConfig } : {}), wrapped: true }
    }
  }
  return { items: await parseObjects(text, "input"), wrapped: false }
}

export async function stringifyResourceList(items: readonly KubeObject[], results: readonly Result[] = []): Promise<string> {
  const YAML = await loadYaml()
  const doc = new YAML.Document({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items: [] })
  const seq = (doc.contents as YAMLMap).get("items") as YAMLSeq
  seq.items.push(...items)
  if (results.length > 0) (doc.contents as YAMLMap).set("results", doc.createNode(results))
  return doc.toString(stringifyOptions)
}

/** A string field of an object (`metadata.name` as ["metadata", "name"]), or undefined. */
export function stringAt(object: KubeObject, path: readonly string[]): string | undefined {
  const value: unknown = object.getIn(path)
  return typeof value === "string" ? value : undefined
}

/** apiVersion/kind/namespace/name of an object, for messages and KRM results. */
export function resourceRef(object: KubeObject): NonNullable<Result["resourceRef"]> {
  const ref: NonNullable<Result["resourceRef"]> = {}
  for (const [field, path] of [["apiVersion", ["apiVersion"]], ["kind", ["kind"]], ["name", ["metadata", "name"]], ["namespace", ["metadata", "namespace"]]] as const) {
    const value = stringAt(object, path)
    if (value !== undefined) ref[field] = value
  }
  return ref
}

/** "Secret demo/pre-db" for messages. */
export function describe(object: KubeObject): string {
  const ref = resourceRef(object)
  return `${ref.kind ?? "object"} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name ?? "(unnamed)"}`
}
