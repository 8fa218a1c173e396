// `tsops-krm install [DIR]`: a small sh wrapper at every legacy plugin path kustomize looks up for
// the kinds tsops-krm serves (plugins.md §4.1), so `kubectl kustomize --enable-alpha-plugins` runs it.
import { chmod, mkdir, rename, writeFile } from "node:fs/promises"
import { homedir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { pluginKinds } from "./plugin-config.js"

/**
 * The plugin home kustomize uses: $KUSTOMIZE_PLUGIN_HOME, else $XDG_CONFIG_HOME/kustomize/plugin,
 * else ~/.config/kustomize/plugin. (kustomize takes the first that exists; these are the ones to create.)
 */
export function defaultPluginHome(env: Readonly<Record<string, string | undefined>>): string {
  if (env.KUSTOMIZE_PLUGIN_HOME) return env.KUSTOMIZE_PLUGIN_HOME
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, "kustomize", "plugin")
  return join(env.HOME || homedir(), ".config", "kustomize", "plugin")
}

/** `<home>/<apiVersion>/<lowercase kind>/<Kind>` for every served kind. */
export function pluginPaths(home: string): string[] {
  return pluginKinds.map(({ apiVersion, kind }) => join(home, apiVersion, kind.toLowerCase(), kind))
}

const shellQuote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`

/** The wrapper: exec the given command (node + bin/tsops-krm, or a self-contained binary) with kustomize's args. */
export function wrapperScript(command: readonly string[]): string {
  return [
    "#!/bin/sh",
    "# Written by `tsops-krm install`: runs tsops-krm as a kustomize legacy exec plugin.",
    `exec ${command.map(shellQuote).join(" ")} "$@"`,
    "",
  ].join("\n")
}

export interface InstallOptions {
  /** Plugin home to fill; default defaultPluginHome(env). Relative paths resolve against `cwd`. */
  dir?: string
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  /** argv prefix that runs tsops-krm: [node, /abs/bin/tsops-krm] or [/abs/sea-binary]. */
  command: readonly string[]
}

/** Writes the wrappers (replacing what is there, e.g. a ksops binary) and returns their paths. */
export async function install(options: InstallOptions): Promise<string[]> {
  const home = resolve(options.cwd, options.dir ?? defaultPluginHome(options.env))
  const script = wrapperScript(options.command)
  const paths = pluginPaths(home)
  for (const path of paths) {
    await mkdir(dirname(path), { recursive: true })
    // Write then rename: replacing a binary that is running elsewhere must not fail (ETXTBSY).
    const temp = `${path}.tmp-${process.pid}`
    await writeFile(temp, script, { mode: 0o755 })
    await chmod(temp, 0o755)
    await rename(temp, path)
  }
  return paths
}
