// The transformer, `apiVersion: tsops.dev/v1, kind: SopsTransformer`: decrypts every resource that
// carries sops metadata (a top-level `sops` mapping) as it passes through the build. kustomize has
// renamed, re-namespaced, re-annotated and re-serialised it (plugins.md §4.3), so — as Flux does —
// the MAC is not checked; every ENC value must still authenticate (AES-GCM), so a tampered one fails.
import type { Node } from "yaml"
import { DataKeyRecoveryError, decrypt, TsopsError } from "../../src/index.js"
import { missingKeyMessage } from "./decrypt-file.js"
import { PluginFailure, settleAll } from "./failure.js"
import { recipientsOfMetadata } from "./recipients.js"
import { describe, loadYaml, parseObjects, resourceRef, stringifyObjects, toPlain, type KubeObject } from "./resource-yaml.js"
import { rejectUnknown, type Plain } from "./schema.js"

/** Flux's opt-out, honoured here too so one tree behaves the same in both (case-insensitive value). */
export const decryptAnnotation = "kustomize.toolkit.fluxcd.io/decrypt"

// Bookkeeping annotations kustomize adds (plugins.md §3.3, §4.3). They must come back unchanged, even
// when the file encrypted `metadata` (then they are plaintext inside an encrypted subtree, which
// decryption would reject), so they are lifted out before decrypting and put back after.
const bookkeepingPrefixes = ["internal.config.kubernetes.io/", "config.kubernetes.io/", "config.k8s.io/", "kustomize.config.k8s.io/id"]

export interface TransformContext {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly limit: <T>(task: () => Promise<T>) => Promise<T>
}

export function parseSopsTransformerConfig(config: Plain): Record<string, never> {
  const name = typeof (config.metadata as Plain | undefined)?.name === "string" ? String((config.metadata as Plain).name) : "(unnamed)"
  rejectUnknown(config, ["apiVersion", "kind", "metadata"], `SopsTransformer ${name}`)
  return {}
}

export async function carriesSopsMetadata(object: KubeObject): Promise<boolean> {
  const YAML = await loadYaml()
  if (!YAML.isMap(object.get("sops"))) return false
  const optOut: unknown = object.getIn(["metadata", "annotations", decryptAnnotation])
  return !(typeof optOut === "string" && optOut.toLowerCase() === "disabled")
}

async function liftBookkeeping(object: KubeObject): Promise<[string, unknown][]> {
  const YAML = await loadYaml()
  const annotations: unknown = object.getIn(["metadata", "annotations"])
  const lifted: [string, unknown][] = []
  if (!YAML.isMap(annotations)) return lifted
  for (const pair of [...annotations.items]) {
    const key: unknown = YAML.isScalar(pair.key) ? pair.key.value : pair.key
    const value: unknown = YAML.isScalar(pair.value) ? pair.value.value : undefined
    if (typeof key !== "string" || !bookkeepingPrefixes.some(prefix => key.startsWith(prefix))) continue
    if (typeof value === "string" && value.startsWith("ENC[")) continue
    lifted.push([key, pair.value])
    annotations.delete(key)
  }
  return lifted
}

// A YAML library that is not yaml.v3 may have written `lastmodified: 2026-01-01T00:00:00Z` unquoted; sops
// (and tsops) would read a timestamp there and reject the metadata. Every string in it is a string.
async function quoteMetadataStrings(object: KubeObject): Promise<void> {
  const YAML = await loadYaml()
  YAML.visit(object.get("sops", true) as Node, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && (node.type === "PLAIN" || node.type === undefined)) node.type = "QUOTE_DOUBLE"
    },
  })
}

/** One resource, decrypted (the `sops` key gone, kustomize's annotations kept). */
export async function decryptResource(object: KubeObject, context: TransformContext): Promise<KubeObject> {
  const what = describe(object)
  const copy = object.clone() as KubeObject
  const lifted = await liftBookkeeping(copy)
  await quoteMetadataStrings(copy)
  const text = await stringifyObjects([copy])
  let plaintext: Uint8Array
  try {
    plaintext = await context.limit(() => decrypt(text, { inputType: "yaml", outputType: "yaml", ignoreMac: true, env: context.env, config: false }))
  } catch (error) {
    if (error instanceof DataKeyRecoveryError) {
      throw new TsopsError(missingKeyMessage(what, recipientsOfMetadata(await toPlain(object.get("sops", true) as Node))), error.exitCode)
    }
    if (error instanceof TsopsError) throw new TsopsError(`cannot decrypt ${what}: ${error.message}`, error.exitCode)
    throw error
  }
  const [decrypted, ...extra] = await parseObjects(Buffer.from(plaintext).toString("utf8"), `${what} (decrypted)`)
  if (!decrypted || extra.length > 0) throw new TsopsError(`cannot decrypt ${what}: it did not decrypt to one object`)
  if (lifted.length > 0) {
    for (const [key, value] of lifted) decrypted.setIn(["metadata", "annotations", key], value)
  }
  return decrypted
}

/** Every object, those with sops metadata decrypted (all at once), the rest untouched, order kept. */
export async function decryptResources(objects: readonly KubeObject[], context: TransformContext): Promise<KubeObject[]> {
  return settleAll(objects.map(object => async () => {
    if (!(await carriesSopsMetadata(object))) return object
    try {
      return await decryptResource(object, context)
    } catch (error) {
      if (error instanceof TsopsError) {
        throw new PluginFailure([{ message: error.message, exitCode: error.exitCode, resourceRef: resourceRef(object) }])
      }
      throw error
    }
  }))
}
