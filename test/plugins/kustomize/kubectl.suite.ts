// Sample apps built by the real `kubectl kustomize --enable-alpha-plugins` with tsops-krm installed by
// `tsops-krm install`. Expected output comes from a plaintext twin of each app (kustomize's own
// secretGenerator/resources over reference/plain, or reference/dec where sops's YAML layout is the
// value), so names, hash suffixes and merges are kustomize's, not ours.
import { chmodSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { ageKeyFile } from "../../support/env.js"
import { fixturePath, readFixture } from "../../support/fixtures.js"
import { b64, dec, enc, kustomize, objects, plain, pluginHome, yamlOf, type PluginHome } from "../../support/kustomize.js"

const recipientA = "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7"

// godotenv's reading of reference/plain/basic.env (ksops's `envs`), worked out by hand from its rules:
// quotes stripped, bare values trimmed, no escapes outside double quotes.
export const basicEnvGodotenv: Record<string, string> = {
  DATABASE_URL: "postgres://user:p@ss@db:5432/app?sslmode=require",
  EMPTY: "",
  WITH_EQUALS: "a=b=c",
  QUOTED: "double quoted",
  SINGLE: "single quoted",
  SPACES: "leading and trailing",
  MULTI: "line1\\nline2",
  export_like: "value",
}

const byName = (list: Record<string, unknown>[]) =>
  Object.fromEntries(list.map(o => [`${String(o.kind)}/${String((o.metadata as { name: string }).name)}`, o]))

export function kubectlSuite(command: readonly string[]): void {
  describe("kubectl kustomize with tsops-krm as a legacy plugin", () => {
    let home: PluginHome
    beforeAll(() => {
      home = pluginHome(command)
    })
    afterAll(() => home.dispose())

    const build = (dir: string, extra: Record<string, string> = {}) => kustomize(dir, home.env(extra))
    const buildOk = (dir: string, extra: Record<string, string> = {}): string => {
      const r = build(dir, extra)
      expect(r.stderr).toBe("")
      expect(r.code).toBe(0)
      return r.stdout
    }

    it("should install a wrapper for every kind at <apiVersion>/<lowercase kind>/<Kind>", () => {
      for (const path of ["tsops.dev/v1/sopsgenerator/SopsGenerator", "tsops.dev/v1/sopstransformer/SopsTransformer", "viaduct.ai/v1/ksops/ksops", "viaduct.ai/v1/ksops-exec/ksops-exec"]) {
        const full = join(home.xdg, "kustomize/plugin", path)
        expect(readFileSync(full, "utf8")).toMatch(/^#!\/bin\/sh\n/)
      }
    })

    it("should build SopsGenerator secrets exactly as secretGenerator builds the plaintext (data, hash suffix, options)", () => {
      const secrets = [
        { name: "app-secrets", envs: ["basic.env"], files: ["notes.txt", "random.bin", "config.yaml=basic.yaml"] },
        { name: "fixed-name", files: ["notes.txt"], options: { disableNameSuffixHash: true, labels: { team: "a" } } },
      ]
      const encrypted = home.app({
        "kustomization.yaml": yamlOf({ generators: ["gen.yaml"] }),
        "gen.yaml": yamlOf({ apiVersion: "tsops.dev/v1", kind: "SopsGenerator", metadata: { name: "app" }, secrets }),
        "basic.env": enc("basic.env"), "notes.txt": enc("notes.txt"), "random.bin": enc("random.bin"), "basic.yaml": enc("basic.yaml"),
      })
      const twin = home.app({
        "kustomization.yaml": yamlOf({ secretGenerator: secrets }),
        // sops prints YAML in its own layout (indent 4): reference/dec is that text.
        "basic.env": plain("basic.env"), "notes.txt": plain("notes.txt"), "random.bin": plain("random.bin"), "basic.yaml": dec("basic.yaml"),
      })
      const out = buildOk(encrypted)
      expect(out).toBe(buildOk(twin))
      const built = objects(out)
      const hashed = built.find(o => /^app-secrets-[a-z0-9]{10}$/.test((o.metadata as { name: string }).name))!
      const data = hashed.data as Record<string, string>
      expect(Buffer.from(data["random.bin"]!, "base64")).toEqual(readFixture("reference/plain/random.bin"))
      expect(Buffer.from(data["notes.txt"]!, "base64").toString()).toBe(readFixture("reference/plain/notes.txt").toString())
      expect(Buffer.from(data.DATABASE_URL!, "base64").toString()).toBe("postgres://user:p@ss@db:5432/app?sslmode=require")
      // Same values as the plaintext, in sops's layout.
      expect(parse(Buffer.from(data["config.yaml"]!, "base64").toString(), { intAsBigInt: true }))
        .toEqual(parse(readFixture("reference/plain/basic.yaml").toString(), { intAsBigInt: true }))
      expect(built.some(o => (o.metadata as { name: string }).name === "fixed-name")).toBe(true)
    })

    it("should emit SopsGenerator manifests decrypted, under the parent's namespace and namePrefix", () => {
      const parent = yamlOf({ namespace: "demo", namePrefix: "pre-", resources: ["sub"] })
      const encrypted = home.app({
        "kustomization.yaml": parent,
        "sub/kustomization.yaml": yamlOf({ generators: ["gen.yaml"] }),
        "sub/gen.yaml": yamlOf({ apiVersion: "tsops.dev/v1", kind: "SopsGenerator", metadata: { name: "m" }, files: ["secret.yaml"] }),
        "sub/secret.yaml": enc("k8s-secret.yaml"),
      })
      const twin = home.app({
        "kustomization.yaml": parent,
        "sub/kustomization.yaml": yamlOf({ resources: ["secret.yaml"] }),
        "sub/secret.yaml": plain("k8s-secret.yaml"),
      })
      const out = buildOk(encrypted)
      expect(out).toBe(buildOk(twin))
      expect(out).toContain("name: pre-db-credentials")
      expect(out).toContain("password: hunter2")
    })

    it("should decrypt an encrypted Secret under namespace and namePrefix with SopsTransformer, keeping generated hash suffixes", () => {
      const kustomization = { namespace: "demo", namePrefix: "pre-", resources: ["secret.yaml"], configMapGenerator: [{ name: "cm", literals: ["k=v"] }] }
      const encrypted = home.app({
        "kustomization.yaml": yamlOf({ ...kustomization, transformers: ["decrypt.yaml"] }),
        "decrypt.yaml": yamlOf({ apiVersion: "tsops.dev/v1", kind: "SopsTransformer", metadata: { name: "decrypt" } }),
        "secret.yaml": enc("k8s-secret.yaml"),
      })
      const twin = home.app({ "kustomization.yaml": yamlOf(kustomization), "secret.yaml": plain("k8s-secret.yaml") })
      const out = buildOk(encrypted)
      expect(out).toBe(buildOk(twin))
      const secret = byName(objects(out))["Secret/pre-db-credentials"] as Record<string, unknown>
      expect(secret.sops).toBeUndefined()
      expect((secret.metadata as Record<string, unknown>).namespace).toBe("demo")
      expect(out).toMatch(/name: pre-cm-[a-z0-9]{10}\n/)
    })

    it("should build a ksops config (files, secretFrom files/binaryFiles/envs, key=path, metadata) as ksops does", () => {
      const app = home.app({
        "kustomization.yaml": yamlOf({ generators: ["ksops.yaml"] }),
        "ksops.yaml": yamlOf({
          apiVersion: "viaduct.ai/v1",
          kind: "ksops",
          metadata: { name: "ksops-generator" },
          files: ["./manifests/secret.yaml"],
          secretFrom: [{
            metadata: { name: "ksops-secret", namespace: "tools", labels: { app: "demo" }, annotations: { note: "from ksops" } },
            type: "Opaque",
            files: ["./notes.txt", "config.yaml=basic.yaml"],
            binaryFiles: ["random.bin"],
            envs: ["basic.env"],
          }],
        }),
        "manifests/secret.yaml": enc("k8s-secret.yaml"),
        "basic.env": enc("basic.env"), "notes.txt": enc("notes.txt"), "random.bin": enc("random.bin"), "basic.yaml": enc("basic.yaml"),
      })
      const built = byName(objects(buildOk(app)))
      expect(Object.keys(built).sort()).toEqual(["Secret/db-credentials", "Secret/ksops-secret"])
      expect(built["Secret/db-credentials"]).toEqual(objects(readFixture("reference/plain/k8s-secret.yaml").toString())[0])
      expect(built["Secret/ksops-secret"]).toEqual({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "ksops-secret", namespace: "tools", labels: { app: "demo" }, annotations: { note: "from ksops" } },
        type: "Opaque",
        stringData: {
          "notes.txt": readFixture("reference/plain/notes.txt").toString(),
          "config.yaml": readFixture("reference/dec/basic.yaml").toString(),
          ...basicEnvGodotenv,
        },
        data: { "random.bin": b64(readFixture("reference/plain/random.bin")) },
      })
    })

    it("should give a ksops Secret marked needs-hash the suffix kustomize computes for the same plaintext Secret", () => {
      // The twin: a legacy plugin that prints a plaintext Secret, so kustomize post-processes both alike.
      const echo = join(home.xdg, "kustomize/plugin/example.test/v1/echo/Echo")
      mkdirSync(join(echo, ".."), { recursive: true })
      writeFileSync(echo, "#!/bin/sh\ncat expected.yaml\n")
      chmodSync(echo, 0o755)
      const metadata = { name: "hashed", annotations: { "kustomize.config.k8s.io/needs-hash": "true" } }
      const encrypted = home.app({
        "kustomization.yaml": yamlOf({ generators: ["ksops.yaml"] }),
        "ksops.yaml": yamlOf({ apiVersion: "viaduct.ai/v1", kind: "ksops", metadata: { name: "g" }, secretFrom: [{ metadata, envs: ["basic.env"] }] }),
        "basic.env": enc("basic.env"),
      })
      const twin = home.app({
        "kustomization.yaml": yamlOf({ generators: ["echo.yaml"] }),
        "echo.yaml": yamlOf({ apiVersion: "example.test/v1", kind: "Echo", metadata: { name: "e" } }),
        "expected.yaml": yamlOf({ apiVersion: "v1", kind: "Secret", metadata, stringData: basicEnvGodotenv }),
      })
      const out = buildOk(encrypted)
      expect(out).toBe(buildOk(twin))
      expect(out).toMatch(/name: hashed-[a-z0-9]{10}\n/)
    })

    it("should merge a SopsGenerator secret into a base secret with behavior: merge, as secretGenerator does", () => {
      const base = { "base/kustomization.yaml": yamlOf({ secretGenerator: [{ name: "app", literals: ["from-base=yes"] }] }) }
      const encrypted = home.app({
        ...base,
        "overlay/kustomization.yaml": yamlOf({ resources: ["../base"], generators: ["gen.yaml"] }),
        "overlay/gen.yaml": yamlOf({ apiVersion: "tsops.dev/v1", kind: "SopsGenerator", metadata: { name: "m" }, secrets: [{ name: "app", behavior: "merge", envs: ["basic.env"] }] }),
        "overlay/basic.env": enc("basic.env"),
      })
      const twin = home.app({
        ...base,
        "overlay/kustomization.yaml": yamlOf({ resources: ["../base"], secretGenerator: [{ name: "app", behavior: "merge", envs: ["basic.env"] }] }),
        "overlay/basic.env": plain("basic.env"),
      })
      const out = buildOk(join(encrypted, "overlay"))
      expect(out).toBe(buildOk(join(twin, "overlay")))
      const [secret] = objects(out)
      expect(Object.keys(secret!.data as object)).toEqual(expect.arrayContaining(["from-base", "DATABASE_URL", "export_like"]))
      expect((secret!.metadata as { name: string }).name).toMatch(/^app-[a-z0-9]{10}$/)
    })

    describe("refusals: each fails the build with a clear message, never an empty Secret", () => {
      const generator = (files: string[]) => yamlOf({ apiVersion: "viaduct.ai/v1", kind: "ksops", metadata: { name: "g" }, secretFrom: [{ metadata: { name: "s" }, files }] })
      const expectRefused = (dir: string, message: RegExp, extra: Record<string, string> = {}) => {
        const r = build(dir, extra)
        expect(r.code).not.toBe(0)
        expect(r.stdout).toBe("")
        expect(r.stderr).toMatch(message)
        expect(r.stderr).not.toContain("hunter2")
        return r
      }

      it("should refuse a path that escapes the root (the git work tree), unless TSOPS_KRM_ROOT widens it", () => {
        const dir = home.app({
          "repo/.git/HEAD": "ref: refs/heads/main\n",
          "repo/app/kustomization.yaml": yamlOf({ generators: ["gen.yaml"] }),
          "repo/app/gen.yaml": generator(["../../outside/secret.yaml"]),
          "repo/app/inside.yaml": enc("k8s-secret.yaml"),
          "outside/secret.yaml": enc("k8s-secret.yaml"),
        })
        expectRefused(join(dir, "repo/app"), /refusing to read \.\.\/\.\.\/outside\/secret\.yaml: it lies outside the root .*repo/)
        const widened = build(join(dir, "repo/app"), { TSOPS_KRM_ROOT: dir })
        expect(widened.code).toBe(0)
        expect(widened.stdout).toContain("secret.yaml: |")
      })

      it("should confine to the kustomization directory when there is no git work tree", () => {
        const dir = home.app({
          "app/kustomization.yaml": yamlOf({ generators: ["gen.yaml"] }),
          "app/gen.yaml": generator(["../secret.yaml"]),
          "secret.yaml": enc("k8s-secret.yaml"),
        })
        expectRefused(join(dir, "app"), /refusing to read \.\.\/secret\.yaml: it lies outside the root .*app/)
      })

      it("should refuse a symlink that points out of the root", () => {
        const dir = home.app({
          "repo/.git/HEAD": "ref: refs/heads/main\n",
          "repo/kustomization.yaml": yamlOf({ generators: ["gen.yaml"] }),
          "repo/gen.yaml": generator(["link.yaml"]),
          "outside/secret.yaml": enc("k8s-secret.yaml"),
        })
        symlinkSync(join(dir, "outside/secret.yaml"), join(dir, "repo/link.yaml"))
        expectRefused(join(dir, "repo"), /refusing to read link\.yaml: it resolves through a symlink to .*outside\/secret\.yaml, outside the root/)
      })

      it("should refuse a file above the 5 MiB cap, and honour TSOPS_KRM_MAX_FILE_SIZE", () => {
        const dir = home.app({
          "kustomization.yaml": yamlOf({ generators: ["gen.yaml"] }),
          "gen.yaml": generator(["big.yaml"]),
          "small.yaml": enc("k8s-secret.yaml"),
          "small/kustomization.yaml": yamlOf({ generators: ["gen.yaml"] }),
          "small/gen.yaml": generator(["secret.yaml"]),
          "small/secret.yaml": enc("k8s-secret.yaml"),
        })
        writeFileSync(join(dir, "big.yaml"), "")
        truncateSync(join(dir, "big.yaml"), 5 * 1024 * 1024 + 1)
        expectRefused(dir, /refusing to read big\.yaml: 5242881 bytes is above the 5 MiB limit/)
        expectRefused(join(dir, "small"), /refusing to read secret\.yaml: \d+ bytes is above the 1 KiB limit/, { TSOPS_KRM_MAX_FILE_SIZE: "1Ki" })
      })

      it("should fail on a missing key, naming the file and the recipients that could decrypt it", () => {
        const dir = home.app({
          "kustomization.yaml": yamlOf({ generators: ["gen.yaml"] }),
          "gen.yaml": yamlOf({ apiVersion: "tsops.dev/v1", kind: "SopsGenerator", metadata: { name: "g" }, secrets: [{ name: "s", envs: ["basic.env"], files: ["notes.txt"] }] }),
          "basic.env": enc("basic.env"),
          "notes.txt": enc("notes.txt"),
        })
        const r = expectRefused(dir, /cannot decrypt basic\.env: no key available here can decrypt it; it is encrypted for age age16t6mee/, { SOPS_AGE_KEY_FILE: ageKeyFile("b") })
        // Both files are reported, not just the first.
        expect(r.stderr).toContain(`cannot decrypt notes.txt: no key available here can decrypt it; it is encrypted for age ${recipientA}`)
      })

      it("should fail the transformer on a missing key, naming the resource and its recipients", () => {
        const dir = home.app({
          "kustomization.yaml": yamlOf({ resources: ["secret.yaml"], transformers: ["decrypt.yaml"] }),
          "decrypt.yaml": yamlOf({ apiVersion: "tsops.dev/v1", kind: "SopsTransformer", metadata: { name: "d" } }),
          "secret.yaml": enc("k8s-secret.yaml"),
        })
        expectRefused(dir, new RegExp(`cannot decrypt Secret prod/db-credentials: no key available here can decrypt it; it is encrypted for age ${recipientA}`), { SOPS_AGE_KEY_FILE: ageKeyFile("b") })
      })

      it("should fail the transformer on a tampered ENC value (the MAC is not checked, each value still is)", () => {
        const tampered = readFileSync(fixturePath("reference/enc/k8s-secret.yaml"), "utf8").replace("data:WH55E0rDBw==", "data:XH55E0rDBw==")
        expect(tampered).not.toBe(readFileSync(fixturePath("reference/enc/k8s-secret.yaml"), "utf8"))
        const dir = home.app({
          "kustomization.yaml": yamlOf({ resources: ["secret.yaml"], transformers: ["decrypt.yaml"] }),
          "decrypt.yaml": yamlOf({ apiVersion: "tsops.dev/v1", kind: "SopsTransformer", metadata: { name: "d" } }),
          "secret.yaml": tampered,
        })
        expectRefused(dir, /cannot decrypt Secret prod\/db-credentials: .*\["stringData"\]\["password"\]/)
      })

      it("should check the MAC of files a generator reads", () => {
        const dir = home.app({
          "kustomization.yaml": yamlOf({ generators: ["gen.yaml"] }),
          "gen.yaml": generator(["edited.yaml"]),
          "edited.yaml": { copy: fixturePath("reference/tampered/basic.unencrypted-value-edited.yaml") },
        })
        expectRefused(dir, /edited\.yaml: MAC mismatch/)
      })
    })
  })
}
