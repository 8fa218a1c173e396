// How output is laid out: the input's layout unless an indent is asked for (--indent or the
// .sops.yaml `stores` settings) or the format changes (spec §8.2; issue 2 "formatting is preserved").
import type { EmitOptions, FormatName } from "../core/store.js"
import type { TreeMap } from "../core/tree.js"
import { findConfigPath, loadConfig, type StoresConfig } from "../config/sops-yaml.js"
import { cwdOf, envOf, type CommonOptions } from "./options.js"

export interface OutputOptions extends CommonOptions {
  /** Indentation for the output (spaces; JSON -1 = tab). Given: sops's layout with it. */
  indent?: number
  /** Path of `.sops.yaml`; `false`: use none. Default: SOPS_CONFIG, else searched from `cwd`. */
  config?: string | false
}

/** The `stores` section of the config in effect (empty when there is none). */
export async function storesConfigFor(options: OutputOptions): Promise<StoresConfig> {
  if (options.config === false) return {}
  const path = findConfigPath(cwdOf(options), options.config ?? envOf(options).SOPS_CONFIG, options.warn)
  return path ? (await loadConfig(path)).stores : {}
}

export function emitOptions(
  format: FormatName,
  layout: unknown,
  options: OutputOptions,
  stores: StoresConfig,
  metadata?: TreeMap,
): EmitOptions {
  const configured = format === "yaml" ? stores.yamlIndent : format === "json" ? stores.jsonIndent : format === "binary" ? stores.jsonBinaryIndent : undefined
  const indent = options.indent ?? configured
  return {
    ...(metadata ? { metadata } : {}),
    ...(layout !== undefined && indent === undefined ? { layout } : {}),
    ...(indent !== undefined ? { indent } : {}),
  }
}
