// The Argo CD plugins run as the CMP server runs them (plugins.md §5): discover by the glob on the app
// directory, then init and generate in the app directory of a repository checkout without .git, with the
// sidecar's environment (keys from the mounted decryption Secret volume) and the Argo CD build variables.
// tsops and tsops-krm are parameters (node + bin/, or the self-contained binaries).
import { spawnSync } from "node:child_process"
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { tempDir } from "../../support/env.js"
import { readFixture, repoRoot } from "../../support/fixtures.js"
import { canonicalObjects, kustomizeBuild, writeTree } from "../flux/flux-tree.js"

export interface PluginConfig {
  metadata: { name: string }
  spec: {
    init?: { command: string[]; args?: string[] }
    generate: { command: string[]; args?: string[] }
    discover?: { fileName?: string; find?: { glob?: string; command?: string[] } }
  }
}

export async function readPlugin(file: string): Promise<PluginConfig> {
  const YAML = await import("yaml")
  return YAML.parse(readFileSync(join(repoRoot, "plugins/argocd", file), "utf8")) as PluginConfig
}

/** Go's filepath.Match for one path element: `*` is any run of non-separators, `?` one character. */
export function globMatches(pattern: string, name: string): boolean {
  const source = pattern.replace(/^\.\//, "").replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*").replace(/\?/g, "[^/]")
  return new RegExp(`^${source}$`).test(name)
}

const sh = (words: readonly string[]): string => words.map(w => `'${w.replaceAll("'", `'\\''`)}'`).join(" ")

export function cmpSuite(label: string, programs: { tsops: readonly string[]; krm: readonly string[] }): void {
  describe(`Argo CD plugins run like the CMP server runs them (${label})`, () => {
    const base = tempDir("tsops-argocd-")
    const bin = join(base, "bin")
    const home = join(base, "home")
    const volume = join(base, "decryption-secret")
    const repo = join(base, "repo")
    beforeAll(() => {
      mkdirSync(bin)
      mkdirSync(home)
      // What the sidecar image puts on PATH; `kustomize` is kubectl's embedded kustomize (no standalone one here).
      writeFileSync(join(bin, "tsops"), `#!/bin/sh\nexec ${sh(programs.tsops)} "$@"\n`)
      writeFileSync(join(bin, "tsops-krm"), `#!/bin/sh\nexec ${sh(programs.krm)} "$@"\n`)
      writeFileSync(join(bin, "kustomize"), "#!/bin/sh\n[ \"$1\" = build ] && shift\nexec kubectl kustomize \"$@\"\n")
      for (const name of ["tsops", "tsops-krm", "kustomize"]) chmodSync(join(bin, name), 0o755)
      // The Flux decryption Secret `sops-keys`, mounted as a volume (one file per entry).
      writeTree(volume, { "age.agekey": readFixture("reference/keys/age-a.txt"), "pgp.asc": readFixture("reference/keys/pgp-functional-tests.asc") })
      // The repository as the CMP server unpacks it: no .git.
      writeTree(repo, {
        "shared/creds.env": readFixture("reference/enc/basic.env"),
        "apps/flux-app/kustomization.yaml": "namespace: demo\nresources:\n  - secret.yaml\nsecretGenerator:\n  - name: creds\n    envs:\n      - ../../shared/creds.env\n",
        "apps/flux-app/secret.yaml": readFixture("reference/enc/k8s-secret.yaml"),
        "apps/krm-app/kustomization.yaml": "generators:\n  - gen.yaml\n",
        "apps/krm-app/gen.yaml": "apiVersion: tsops.dev/v1\nkind: SopsGenerator\nmetadata:\n  name: app\nsecrets:\n  - name: app\n    envs:\n      - basic.env\n",
        "apps/krm-app/basic.env": readFixture("reference/enc/basic.env"),
        "apps/plain-app/deployment.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
      })
    })
    afterAll(() => rmSync(base, { recursive: true, force: true }))

    /** The sidecar's environment plus the build variables Argo CD sets (plugins.md §5.3). */
    const sidecarEnv = (app: string, extra: Record<string, string>): Record<string, string> => ({
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: home,
      TMPDIR: join(base, "tmp"),
      ARGOCD_APP_NAME: app,
      ARGOCD_APP_NAMESPACE: "demo",
      ARGOCD_APP_SOURCE_PATH: `apps/${app}`,
      ARGOCD_APP_SOURCE_REPO_URL: "https://git.example/repo.git",
      ARGOCD_APP_REVISION: "0123456789abcdef0123456789abcdef01234567",
      KUBE_VERSION: "1.32.4",
      ...extra,
    })

    function discovers(plugin: PluginConfig, app: string): boolean {
      const pattern = plugin.spec.discover?.fileName
      if (pattern === undefined) throw new Error(`${plugin.metadata.name}: expected discover.fileName`)
      return readdirSync(join(repo, "apps", app)).some(name => globMatches(pattern, name))
    }

    function run(phase: { command: string[]; args?: string[] }, app: string, env: Record<string, string>) {
      const [program, ...args] = [...phase.command, ...(phase.args ?? [])]
      mkdirSync(env.TMPDIR!, { recursive: true })
      const r = spawnSync(program!, args, { cwd: join(repo, "apps", app), env, maxBuffer: 1 << 28 })
      return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() }
    }

    it("tsops-flux builds a Flux-layout app with the keys of the mounted decryption Secret", async () => {
      const plugin = await readPlugin("plugin.yaml")
      expect(discovers(plugin, "flux-app")).toBe(true)
      expect(discovers(plugin, "plain-app")).toBe(false)
      const env = sidecarEnv("flux-app", { TSOPS_FLUX_DECRYPTION_SECRET: volume })
      if (plugin.spec.init) expect(run(plugin.spec.init, "flux-app", env).code).toBe(0)
      const out = run(plugin.spec.generate, "flux-app", env)
      expect(out.stderr).toBe("")
      expect(out.code).toBe(0)
      const twin = join(base, "twin-flux")
      writeTree(twin, {
        "shared/creds.env": readFixture("reference/plain/basic.env"),
        "apps/flux-app/kustomization.yaml": readFileSync(join(repo, "apps/flux-app/kustomization.yaml")),
        "apps/flux-app/secret.yaml": readFixture("reference/plain/k8s-secret.yaml"),
      })
      const expected = spawnSync("kubectl", ["kustomize", "--load-restrictor", "LoadRestrictionsNone", join(twin, "apps/flux-app")], { encoding: "utf8" }).stdout
      expect(await canonicalObjects(out.stdout)).toEqual(await canonicalObjects(expected))
      expect(out.stdout).toContain("hunter2")
      expect(readdirSync(env.TMPDIR!)).toEqual([])
    })

    it("tsops-flux fails, printing nothing, when the mounted Secret lacks the key", async () => {
      const plugin = await readPlugin("plugin.yaml")
      const empty = join(base, "empty-volume")
      mkdirSync(empty, { recursive: true })
      const out = run(plugin.spec.generate, "flux-app", sidecarEnv("flux-app", { TSOPS_FLUX_DECRYPTION_SECRET: empty }))
      expect(out.code).not.toBe(0)
      expect(out.stdout).toBe("")
      expect(out.stderr).toContain("age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7")
    })

    it("tsops-kustomize installs tsops-krm in init and builds a SopsGenerator app in generate", async () => {
      const plugin = await readPlugin("plugin-kustomize.yaml")
      expect(discovers(plugin, "krm-app")).toBe(true)
      const env = sidecarEnv("krm-app", { SOPS_AGE_KEY_FILE: join(volume, "age.agekey"), KUSTOMIZE_PLUGIN_HOME: join(base, "tmp-krm", "kustomize-plugins") })
      mkdirSync(join(base, "tmp-krm"), { recursive: true })
      const init = run(plugin.spec.init!, "krm-app", env)
      expect(init.stderr).toBe("")
      expect(init.code).toBe(0)
      const out = run(plugin.spec.generate, "krm-app", env)
      expect(out.stderr).toBe("")
      expect(out.code).toBe(0)
      const twin = join(base, "twin-krm")
      writeTree(twin, { "kustomization.yaml": "secretGenerator:\n  - name: app\n    envs:\n      - basic.env\n", "basic.env": readFixture("reference/plain/basic.env") })
      expect(out.stdout).toBe(kustomizeBuild(twin))
    })
  })
}
