// `tsops-krm install`: where the wrappers go and that they exec the given command with kustomize's args.
import { execFileSync } from "node:child_process"
import { readFileSync, rmSync, statSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { defaultPluginHome, install, pluginPaths, wrapperScript } from "../../../plugins/kustomize/install.js"
import { tempDir } from "../../support/env.js"

describe("install", () => {
  it("should pick the plugin home as kustomize does: KUSTOMIZE_PLUGIN_HOME, XDG_CONFIG_HOME, then ~/.config", () => {
    expect(defaultPluginHome({ KUSTOMIZE_PLUGIN_HOME: "/k", XDG_CONFIG_HOME: "/x", HOME: "/h" })).toBe("/k")
    expect(defaultPluginHome({ XDG_CONFIG_HOME: "/x", HOME: "/h" })).toBe("/x/kustomize/plugin")
    expect(defaultPluginHome({ HOME: "/h" })).toBe("/h/.config/kustomize/plugin")
  })

  it("should list <apiVersion>/<lowercase kind>/<Kind> for every kind served", () => {
    expect(pluginPaths("/p")).toEqual([
      "/p/tsops.dev/v1/sopsgenerator/SopsGenerator",
      "/p/tsops.dev/v1/sopstransformer/SopsTransformer",
      "/p/viaduct.ai/v1/ksops/ksops",
      "/p/viaduct.ai/v1/ksops-exec/ksops-exec",
    ])
  })

  it("should write executable wrappers that exec the command with the arguments, quoting safely", async () => {
    const dir = tempDir("tsops-install-")
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const paths = await install({ dir: "home", cwd: dir, env: {}, command: ["/bin/echo", "it's $HOME"] })
    expect(paths).toEqual(pluginPaths(join(dir, "home")))
    for (const path of paths) {
      expect(statSync(path).mode & 0o777).toBe(0o755)
      expect(readFileSync(path, "utf8")).toBe(wrapperScript(["/bin/echo", "it's $HOME"]))
      expect(execFileSync(path, ["config file", "x"]).toString()).toBe("it's $HOME config file x\n")
    }
    // Installing again replaces the files.
    await install({ dir: "home", cwd: dir, env: {}, command: ["/bin/echo", "again"] })
    expect(execFileSync(paths[0]!).toString()).toBe("again\n")
  })
})
