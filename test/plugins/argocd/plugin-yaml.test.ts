// plugins/argocd: the ConfigManagementPlugin files parse, follow Argo CD's schema (plugins.md §5.1), and
// name commands that exist with options they accept; the repo-server patch mounts what the plugins need;
// and both plugins work when run the way the CMP server runs them (cmp.suite.ts).
import { spawnSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { runCli } from "../../support/cli.js"
import { cleanEnv, tempDir } from "../../support/env.js"
import { repoRoot } from "../../support/fixtures.js"
import { commands } from "../../sea/executables.js"
import { cmpSuite, globMatches, readPlugin, type PluginConfig } from "./cmp.suite.js"

const pluginFiles = ["plugin.yaml", "plugin-kustomize.yaml"]
const dir = tempDir("tsops-argocd-yaml-")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const phases = (plugin: PluginConfig) => [plugin.spec.init, plugin.spec.generate].filter(p => p !== undefined).map(p => [...p.command, ...(p.args ?? [])])

describe("plugins/argocd ConfigManagementPlugin files", () => {
  it.each(pluginFiles)("%s is one ConfigManagementPlugin document", async file => {
    const YAML = await import("yaml")
    const docs = YAML.parseAllDocuments(readFileSync(join(repoRoot, "plugins/argocd", file), "utf8"))
    expect(docs).toHaveLength(1)
    expect(docs[0]!.errors).toEqual([])
    const plugin = docs[0]!.toJS() as Record<string, unknown> & PluginConfig
    expect(plugin.apiVersion).toBe("argoproj.io/v1alpha1")
    expect(plugin.kind).toBe("ConfigManagementPlugin")
    expect(plugin.metadata.name).toMatch(/^[a-z0-9-]+$/)
    for (const argv of phases(plugin)) {
      expect(argv.length).toBeGreaterThan(0)
      for (const word of argv) expect(typeof word).toBe("string")
    }
    // Only one discovery rule is evaluated; a glob on the app directory, matching kustomization files.
    const discover = plugin.spec.discover!
    expect(Object.keys(discover)).toEqual(["fileName"])
    expect(globMatches(discover.fileName!, "kustomization.yaml")).toBe(true)
    expect(globMatches(discover.fileName!, "kustomization.yml")).toBe(true)
    expect(globMatches(discover.fileName!, "deployment.yaml")).toBe(false)
  })

  it("the two plugins have distinct names", async () => {
    const names = await Promise.all(pluginFiles.map(async f => (await readPlugin(f)).metadata.name))
    expect(new Set(names).size).toBe(names.length)
    expect(names).toEqual(["tsops-flux", "tsops-kustomize"])
  })

  it.each(pluginFiles)("%s names existing commands with options they accept", async file => {
    for (const argv of phases(await readPlugin(file))) {
      const [program, ...args] = argv
      const options = args.filter(a => a.startsWith("--"))
      if (program === "tsops") {
        const sub = args.slice(0, args.findIndex(a => a.startsWith("-") || a === "."))
        const help = await runCli([...sub, "--help"], { env: cleanEnv(dir), cwd: dir })
        expect(help.code, `tsops ${sub.join(" ")}`).toBe(0)
        for (const option of options) expect(help.stdout.toString()).toContain(option)
      } else if (program === "tsops-krm") {
        const help = spawnSync(commands.krm.node[0]!, [...commands.krm.node.slice(1), "--help"], { encoding: "utf8" })
        expect(help.status).toBe(0)
        expect(help.stdout).toContain(`tsops-krm ${args.join(" ")}`)
      } else if (program === "kustomize") {
        // kubectl embeds the same kustomize; `build` is the standalone's name for `kubectl kustomize`.
        expect(args[0]).toBe("build")
        const help = spawnSync("kubectl", ["kustomize", "--help"], { encoding: "utf8" })
        for (const option of options) expect(help.stdout).toContain(option)
      } else {
        throw new Error(`${file}: unexpected program ${String(program)}`)
      }
    }
  })

  it("the repo-server patch runs each plugin as a CMP sidecar with its config, keys and own /tmp", async () => {
    const YAML = await import("yaml")
    const patch = YAML.parse(readFileSync(join(repoRoot, "plugins/argocd/repo-server-patch.yaml"), "utf8")) as {
      spec: { template: { spec: { containers: { name: string; command: string[]; securityContext: { runAsUser: number }; env: { name: string; value: string }[]; volumeMounts: { name: string; mountPath: string; subPath?: string }[] }[]; volumes: { name: string }[] } } }
    }
    const pod = patch.spec.template.spec
    const volumes = new Set(pod.volumes.map(v => v.name))
    expect(pod.containers.map(c => c.name)).toEqual(["tsops-flux", "tsops-kustomize"])
    for (const [container, file] of pod.containers.map((c, i) => [c, pluginFiles[i]!] as const)) {
      expect(container.command).toEqual(["/var/run/argocd/argocd-cmp-server"])
      expect(container.securityContext.runAsUser).toBe(999)
      const mounts = Object.fromEntries(container.volumeMounts.map(m => [m.mountPath, m]))
      expect(mounts["/var/run/argocd"]?.name).toBe("var-files")
      expect(mounts["/home/argocd/cmp-server/plugins"]?.name).toBe("plugins")
      expect(mounts["/home/argocd/cmp-server/config/plugin.yaml"]?.subPath).toBe(file)
      expect(volumes.has(mounts["/tmp"]!.name)).toBe(true)
      for (const mount of container.volumeMounts) if (!["var-files", "plugins"].includes(mount.name)) expect(volumes.has(mount.name)).toBe(true)
      // Every key path the environment names lies in the mounted decryption Secret.
      const secretMount = container.volumeMounts.find(m => m.name === "sops-keys")!.mountPath
      for (const variable of container.env.filter(e => /SOPS|DECRYPTION/.test(e.name))) expect(variable.value.startsWith(secretMount)).toBe(true)
    }
  })
})

cmpSuite("node", { tsops: commands.tsops.node, krm: commands.krm.node })
