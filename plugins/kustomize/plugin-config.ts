// The config kinds tsops-krm serves, how a config object is recognised, and the one entry point that
// runs it: a generator returns new objects, the transformer returns the decrypted input.
import type { TsopsError } from "../../src/index.js"
import { confinementFor } from "./confine.js"
import { concurrencyFromEnv, concurrencyLimit, type DecryptContext } from "./decrypt-file.js"
import { generateSopsGenerator, parseSopsGeneratorConfig } from "./generator.js"
import { generateKsops, parseKsopsConfig } from "./ksops.js"
import type { KubeObject } from "./resource-yaml.js"
import { ConfigError, isPlain, type Plain } from "./schema.js"
import { decryptResources, parseSopsTransformerConfig } from "./transformer.js"

export const tsopsApiVersion = "tsops.dev/v1"

/**
 * Every apiVersion/kind installed as a legacy plugin (kustomize looks for
 * `<apiVersion>/<lowercase kind>/<Kind>`, plugins.md §4.1). `ksops-exec` is ksops's v2 kind, which
 * ksops's Makefile still installs for old configs.
 */
export const pluginKinds = [
  { apiVersion: tsopsApiVersion, kind: "SopsGenerator" },
  { apiVersion: tsopsApiVersion, kind: "SopsTransformer" },
  { apiVersion: "viaduct.ai/v1", kind: "ksops" },
  { apiVersion: "viaduct.ai/v1", kind: "ksops-exec" },
] as const

export type PluginRole = "generator" | "transformer"

export interface Environment {
  /** The directory of the kustomization that lists the config (the plugin's working directory). */
  readonly cwd: string
  readonly env: Readonly<Record<string, string | undefined>>
}

const isTsops = (apiVersion: unknown): boolean => typeof apiVersion === "string" && apiVersion.split("/")[0] === "tsops.dev"

/** "generator" or "transformer" for a config tsops-krm serves; undefined for anything else. */
export function roleOf(config: unknown): PluginRole | undefined {
  if (!isPlain(config)) return undefined
  if (config.kind === "SopsGenerator" && isTsops(config.apiVersion)) return "generator"
  if (config.kind === "SopsTransformer" && isTsops(config.apiVersion)) return "transformer"
  // ksops never checks apiVersion in KRM mode (its own tests use viaduct.ai/v2), so neither do we.
  if (config.kind === "ksops" || config.kind === "ksops-exec") return "generator"
  return undefined
}

function unsupported(config: unknown): TsopsError {
  const kind = isPlain(config) ? `${String(config.apiVersion)} ${String(config.kind)}` : "a non-object"
  return new ConfigError(`unsupported config ${kind}: tsops-krm serves ${pluginKinds.map(k => `${k.apiVersion} ${k.kind}`).join(", ")}`)
}

async function decryptContext(environment: Environment): Promise<DecryptContext> {
  return {
    confinement: await confinementFor(environment.cwd, environment.env),
    env: environment.env,
    limit: concurrencyLimit(concurrencyFromEnv(environment.env)),
  }
}

/** Runs a generator config: the objects it generates. */
export async function runGenerator(config: unknown, environment: Environment): Promise<KubeObject[]> {
  if (roleOf(config) !== "generator") throw unsupported(config)
  const plain = config as Plain
  if (plain.kind === "SopsGenerator") {
    const parsed = parseSopsGeneratorConfig(plain)
    return generateSopsGenerator(parsed, await decryptContext(environment))
  }
  const parsed = parseKsopsConfig(plain)
  return generateKsops(parsed, await decryptContext(environment))
}

/** Runs a transformer config over the resources: all of them back, decrypted where they carry sops metadata. */
export async function runTransformer(config: unknown, resources: readonly KubeObject[], environment: Environment): Promise<KubeObject[]> {
  if (roleOf(config) !== "transformer") throw unsupported(config)
  parseSopsTransformerConfig(config as Plain)
  return decryptResources(resources, { env: environment.env, limit: concurrencyLimit(concurrencyFromEnv(environment.env)) })
}
