// Flux's DecryptResource step (plugins.md §2.3 step 4) over the built YAML stream: an object with a
// `sops` block carrying a MAC is decrypted whole (MAC not checked: kustomize rewrote it); a Secret's
// `data` values that hold a base64-encoded sops document are decrypted one by one. Untouched objects
// are copied byte for byte.
import { ExitCode, TsopsError } from "../../src/index.js"
import { loadYaml } from "./load-yaml.js"
import { settleAll } from "../kustomize/failure.js"
import { detectMarkerFormat, formatForPath, type SopsFormat } from "./markers.js"

export interface ResourceContext {
  /** Decrypts one whole object (YAML in, YAML out) without checking its MAC. */
  readonly decryptObject: (yaml: string, what: string) => Promise<string>
  /** Decrypts a sops document found in a Secret data value. */
  readonly decryptValue: (bytes: Uint8Array, input: SopsFormat, output: SopsFormat, what: string) => Promise<Uint8Array>
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const decryptAnnotation = "kustomize.toolkit.fluxcd.io/decrypt"

/** The documents of kustomize's output: it separates them with a `---` line and never indents one. */
export function splitStream(stream: string): string[] {
  return stream.split(/^---[ \t]*(?:\r?\n|$)/m).filter(doc => doc.trim() !== "")
}

// kyaml's IsNilOrEmpty: null, "", an empty map or list all count as absent.
const present = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== "" &&
  !(Array.isArray(value) && value.length === 0) && !(isRecord(value) && Object.keys(value).length === 0)

function describe(object: Record<string, unknown>): string {
  const metadata = isRecord(object.metadata) ? object.metadata : {}
  const ns = typeof metadata.namespace === "string" ? `${metadata.namespace}/` : ""
  return `'${ns}${String(metadata.name ?? "")}' ${String(object.kind ?? "object")}`
}

const strictBase64 = /^[A-Za-z0-9+/]*={0,2}$/

function decodeBase64(value: string): Buffer | undefined {
  return value.length % 4 === 0 && strictBase64.test(value) ? Buffer.from(value, "base64") : undefined
}

async function decryptDocument(text: string, context: ResourceContext): Promise<string> {
  const YAML = await loadYaml()
  const doc = YAML.parseDocument(text, { prettyErrors: false, intAsBigInt: true })
  if (doc.errors[0]) throw new TsopsError(`kustomize output: a document is not valid YAML (${doc.errors[0].code})`, ExitCode.ErrorGeneric)
  const object: unknown = doc.toJS()
  if (!isRecord(object)) return text
  const annotations = isRecord(object.metadata) && isRecord(object.metadata.annotations) ? object.metadata.annotations : {}
  const setting = annotations[decryptAnnotation]
  if (typeof setting === "string" && setting.toLowerCase() === "disabled") return text
  const what = describe(object)
  if (isRecord(object.sops) && present(object.sops) && present(object.sops.mac)) {
    return context.decryptObject(text, `decryption failed for ${what}`)
  }
  if (object.kind !== "Secret" || !isRecord(object.data)) return rejectEncryptedSecret(object, text, what)
  let changed = false
  for (const [key, value] of Object.entries(object.data)) {
    // A value that is not base64 is left for the API server to reject, as Flux does.
    const bytes = typeof value === "string" ? decodeBase64(value) : undefined
    const input = bytes && detectMarkerFormat(bytes)
    if (!bytes || !input) continue
    const plaintext = await context.decryptValue(bytes, input, formatForPath(key), `${what} data field '${key}'`)
    doc.setIn(["data", key], Buffer.from(plaintext).toString("base64"))
    changed = true
  }
  const out = changed ? doc.toString({ lineWidth: 0, minContentWidth: 0 }) : text
  return rejectEncryptedSecret(object, out, what)
}

/**
 * Flux refuses to apply a v1 Secret that still carries `sops` (a block without a MAC, say): the build
 * fails here rather than printing a Secret nobody can use.
 */
function rejectEncryptedSecret(object: Record<string, unknown>, text: string, what: string): string {
  if (object.kind === "Secret" && object.apiVersion === "v1" && object.sops !== undefined) {
    throw new TsopsError(`${what} is SOPS encrypted, but has no MAC tsops could use to decrypt it`, ExitCode.MacNotFound)
  }
  return text
}

/** The stream with every encrypted object and Secret value decrypted; all failures reported together. */
export async function decryptResources(stream: string, context: ResourceContext): Promise<string> {
  const documents = splitStream(stream)
  const out = await settleAll(documents.map(text => () => decryptDocument(text, context)))
  return out.map(text => (text.endsWith("\n") ? text : `${text}\n`)).join("---\n")
}
