// KRM function protocol: ResourceLists piped through tsops-krm (kubectl cannot run exec functions,
// plugins.md §0.5), plus the legacy transformer's stdin/stdout contract, checked directly.
import { spawnSync } from "node:child_process"
import { readFileSync, rmSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest"
import { parse, stringify } from "yaml"
import { encrypt } from "../../../src/index.js"
import { ageKeyFile, tempDir } from "../../support/env.js"
import { fixturePath, readFixture } from "../../support/fixtures.js"
import { b64, enc, objects, pluginHome, spawnKrm, yamlOf, type PluginHome } from "../../support/kustomize.js"
import { basicEnvGodotenv } from "./kubectl.suite.js"

const recipients = Object.fromEntries(readFileSync(fixturePath("reference/keys/recipients.txt"), "utf8").trim().split("\n").map(line => line.split("=") as [string, string]))

type Obj = Record<string, unknown>

const resourceList = (items: Obj[], functionConfig?: Obj): string =>
  stringify({ apiVersion: "config.kubernetes.io/v1", kind: "ResourceList", items, ...(functionConfig ? { functionConfig } : {}) }, { aliasDuplicateObjects: false })

const plainSecret = (): Obj => parse(readFixture("reference/plain/k8s-secret.yaml").toString()) as Obj
const encryptedSecret = (): Obj => parse(readFixture("reference/enc/k8s-secret.yaml").toString()) as Obj
const configMap: Obj = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "other", annotations: { "config.kubernetes.io/index": "1" } }, data: { k: "v" } }

// What kustomize does to a resource before a transformer sees it (plugins.md §3.3, §4.3).
const kustomizeAnnotations = {
  "config.kubernetes.io/index": "0",
  "internal.config.kubernetes.io/index": "0",
  "internal.config.kubernetes.io/prefixes": "pre-",
  "internal.config.kubernetes.io/previousNames": "db-credentials,db-credentials",
  "internal.config.kubernetes.io/previousNamespaces": "prod,demo",
  "kustomize.config.k8s.io/id": "kind: Secret\nname: pre-db-credentials\nnamespace: demo\nversion: v1\n",
}
function asKustomizeSeesIt(object: Obj): Obj {
  const metadata = object.metadata as Obj
  return { ...object, metadata: { ...metadata, name: "pre-db-credentials", namespace: "demo", annotations: { ...(metadata.annotations as Obj | undefined), ...kustomizeAnnotations } } }
}

interface ListOut {
  items: Obj[]
  results?: { message: string; severity: string; resourceRef?: Obj }[]
}

export function protocolSuite(command: readonly string[]): void {
  describe("tsops-krm as a KRM function", () => {
    let home: PluginHome
    beforeAll(() => {
      home = pluginHome(command)
    })
    afterAll(() => home.dispose())

    const run = (cwd: string, input: string, extra: Record<string, string> = {}) => spawnKrm(command, [], { cwd, env: home.env(extra), input })
    const runList = (cwd: string, input: string, extra: Record<string, string> = {}) => {
      const r = run(cwd, input, extra)
      const list = parse(r.stdout) as ListOut
      return { ...r, list }
    }

    it("should generate from a SopsGenerator functionConfig, dropping the config copy and keeping other items", () => {
      const dir = home.app({ "basic.env": enc("basic.env"), "notes.txt": enc("notes.txt") })
      const config = { apiVersion: "tsops.dev/v1", kind: "SopsGenerator", metadata: { name: "gen", annotations: { "config.kubernetes.io/local-config": "true" } }, secrets: [{ name: "s", envs: ["basic.env"], files: ["notes.txt"] }] }
      const { code, stderr, list } = runList(dir, resourceList([config, configMap], config))
      expect(stderr).toBe("")
      expect(code).toBe(0)
      expect(list.items).toHaveLength(2)
      expect(list.items[0]).toEqual(configMap)
      const secret = list.items[1]!
      expect(secret).toMatchObject({ apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: "s", annotations: { "kustomize.config.k8s.io/needs-hash": "true" } } })
      const data = secret.data as Record<string, string>
      expect(Buffer.from(data["notes.txt"]!, "base64")).toEqual(readFixture("reference/plain/notes.txt"))
      // kustomize's env-file rules: values verbatim (quotes and spaces kept).
      expect(Buffer.from(data.QUOTED!, "base64").toString()).toBe('"double quoted"')
      expect(Buffer.from(data.SPACES!, "base64").toString()).toBe("  leading and trailing  ")
      expect(list.results ?? []).toEqual([])
    })

    it("should generate from a ksops functionConfig as ksops does (stringData, godotenv values)", () => {
      const dir = home.app({ "basic.env": enc("basic.env"), "notes.txt": enc("notes.txt"), "random.bin": enc("random.bin") })
      const config = { apiVersion: "viaduct.ai/v1", kind: "ksops", metadata: { name: "k" }, secretFrom: [{ metadata: { name: "s" }, envs: ["basic.env"], files: ["n=notes.txt"], binaryFiles: ["random.bin"] }] }
      const { code, list } = runList(dir, resourceList([config], config))
      expect(code).toBe(0)
      expect(list.items).toEqual([{
        apiVersion: "v1", kind: "Secret", metadata: { name: "s" },
        stringData: { n: readFixture("reference/plain/notes.txt").toString(), ...basicEnvGodotenv },
        data: { "random.bin": b64(readFixture("reference/plain/random.bin")) },
      }])
    })

    it("should treat every ksops item as a config when there is no functionConfig (ksops's own rule)", () => {
      const dir = home.app({ "secret.yaml": enc("k8s-secret.yaml") })
      const config = { apiVersion: "viaduct.ai/v1", kind: "ksops", metadata: { name: "k" }, files: ["secret.yaml"] }
      const { code, list } = runList(dir, resourceList([config, configMap]))
      expect(code).toBe(0)
      expect(list.items).toEqual([plainSecret(), configMap])
    })

    it("should decrypt items carrying sops metadata with a SopsTransformer, keeping kustomize's annotations", () => {
      const dir = home.app({})
      const config = { apiVersion: "tsops.dev/v1", kind: "SopsTransformer", metadata: { name: "t" } }
      const { code, stderr, list } = runList(dir, resourceList([asKustomizeSeesIt(encryptedSecret()), configMap], config))
      expect(stderr).toBe("")
      expect(code).toBe(0)
      expect(list.items).toEqual([asKustomizeSeesIt(plainSecret()), configMap])
    })

    it("should keep kustomize's annotations even when the file encrypted the metadata", async () => {
      const source = { ...plainSecret(), metadata: { name: "db-credentials", namespace: "prod", annotations: { owner: "team-a" } } }
      const encrypted = parse(Buffer.from(await encrypt(stringify(source), { filename: "s.yaml", age: recipients.A!, unencryptedRegex: "^(apiVersion|kind|name|namespace|type)$", config: false })).toString()) as Obj
      expect(String((encrypted.metadata as { annotations: Obj }).annotations.owner)).toMatch(/^ENC\[/)
      const config = { apiVersion: "tsops.dev/v1", kind: "SopsTransformer", metadata: { name: "t" } }
      const { code, stderr, list } = runList(home.app({}), resourceList([asKustomizeSeesIt(encrypted)], config))
      expect(stderr).toBe("")
      expect(code).toBe(0)
      expect(list.items).toEqual([asKustomizeSeesIt(source)])
    })

    it("should honour Flux's decrypt: disabled annotation and leave such a resource alone", () => {
      const skipped = encryptedSecret()
      ;(skipped.metadata as Obj).annotations = { "kustomize.toolkit.fluxcd.io/decrypt": "Disabled" }
      const config = { apiVersion: "tsops.dev/v1", kind: "SopsTransformer", metadata: { name: "t" } }
      const { code, list } = runList(home.app({}), resourceList([skipped], config))
      expect(code).toBe(0)
      expect(list.items).toEqual([skipped])
    })

    describe("errors: results with severity error and a non-zero exit", () => {
      it("should report a missing key as an error result naming the file and its recipients", () => {
        const dir = home.app({ "basic.env": enc("basic.env"), "notes.txt": enc("notes.txt") })
        const config = { apiVersion: "tsops.dev/v1", kind: "SopsGenerator", metadata: { name: "g" }, secrets: [{ name: "s", envs: ["basic.env"], files: ["notes.txt"] }] }
        const { code, stderr, list } = runList(dir, resourceList([config], config), { SOPS_AGE_KEY_FILE: ageKeyFile("b") })
        expect(code).not.toBe(0)
        expect(list.results).toHaveLength(2)
        for (const [result, file] of [[list.results![0]!, "basic.env"], [list.results![1]!, "notes.txt"]] as const) {
          expect(result.severity).toBe("error")
          expect(result.message).toBe(`cannot decrypt ${file}: no key available here can decrypt it; it is encrypted for age ${recipients.A} (provide one: SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, or a PGP secret key in GNUPGHOME)`)
        }
        expect(stderr).toContain("cannot decrypt basic.env")
        expect(list.items).toEqual([config])
      })

      it("should name the PGP fingerprint and every age recipient of a multi-recipient file", () => {
        const dir = home.app({ "m.yaml": enc("multi-recipient.yaml") })
        const config = { apiVersion: "viaduct.ai/v1", kind: "ksops", metadata: { name: "k" }, files: ["m.yaml"] }
        // An empty GNUPGHOME: the PGP key is tried and fails too.
        const gnupg = tempDir("tsops-gnupg-")
        onTestFinished(() => {
          spawnSync("gpgconf", ["--homedir", gnupg, "--kill", "gpg-agent"], { stdio: "ignore" })
          rmSync(gnupg, { recursive: true, force: true })
        })
        const { code, list } = runList(dir, resourceList([config], config), { SOPS_AGE_KEY_FILE: ageKeyFile("c"), GNUPGHOME: gnupg })
        expect(code).not.toBe(0)
        const message = list.results![0]!.message
        expect(message).toContain(`age ${recipients.A}`)
        expect(message).toContain(`age ${recipients.B}`)
        expect(message).toContain(`pgp ${recipients.PGP}`)
      })

      it("should report a tampered value as an error result on that resource", () => {
        const tampered = asKustomizeSeesIt(parse(readFixture("reference/enc/k8s-secret.yaml").toString().replace("data:WH55E0rDBw==", "data:XH55E0rDBw==")) as Obj)
        const config = { apiVersion: "tsops.dev/v1", kind: "SopsTransformer", metadata: { name: "t" } }
        const { code, list } = runList(home.app({}), resourceList([tampered, configMap], config))
        expect(code).not.toBe(0)
        expect(list.results).toHaveLength(1)
        expect(list.results![0]).toMatchObject({ severity: "error", resourceRef: { apiVersion: "v1", kind: "Secret", name: "pre-db-credentials", namespace: "demo" } })
        expect(list.results![0]!.message).toMatch(/^cannot decrypt Secret demo\/pre-db-credentials: .*\["stringData"\]\["password"\]/)
        expect(list.results![0]!.message).not.toContain("hunter2")
      })

      it("should report a path outside the root as an error result", () => {
        const dir = home.app({ "app/x": "" , "secret.yaml": enc("k8s-secret.yaml") })
        const config = { apiVersion: "viaduct.ai/v1", kind: "ksops", metadata: { name: "k" }, files: ["../secret.yaml"] }
        const { code, list } = runList(`${dir}/app`, resourceList([config], config))
        expect(code).not.toBe(0)
        expect(list.results![0]!.message).toMatch(/^refusing to read \.\.\/secret\.yaml: it lies outside the root /)
      })

      it("should reject an unknown functionConfig kind and unknown SopsGenerator fields", () => {
        const unknownKind = { apiVersion: "example.com/v1", kind: "Other", metadata: { name: "o" } }
        const a = runList(home.app({}), resourceList([], unknownKind))
        expect(a.code).not.toBe(0)
        expect(a.list.results![0]!.message).toMatch(/unsupported config example\.com\/v1 Other/)
        const typo = { apiVersion: "tsops.dev/v1", kind: "SopsGenerator", metadata: { name: "g" }, secretFrom: [] }
        const b = runList(home.app({}), resourceList([typo], typo))
        expect(b.code).not.toBe(0)
        expect(b.list.results![0]!.message).toMatch(/SopsGenerator g: unknown field secretFrom/)
      })

      it("should fail on input that is not YAML, without echoing it", () => {
        const r = run(home.app({}), "apiVersion: v1\nkind: ResourceList\nitems: [secret: hunter2\n")
        expect(r.code).not.toBe(0)
        expect(r.stderr).toMatch(/not valid YAML \(\w+ at line \d+, column \d+\)/)
        expect(r.stderr + r.stdout).not.toContain("hunter2")
      })
    })
  })

  describe("tsops-krm as a legacy plugin, run directly", () => {
    let home: PluginHome
    beforeAll(() => {
      home = pluginHome(command)
    })
    afterAll(() => home.dispose())

    it("should read the config from argv[1], resources from stdin, and print them decrypted (extra args ignored)", () => {
      const dir = home.app({ "t.yaml": yamlOf({ apiVersion: "tsops.dev/v1", kind: "SopsTransformer", metadata: { name: "t" } }) })
      const stream = `${stringify(asKustomizeSeesIt(encryptedSecret()))}---\n${stringify(configMap)}`
      const r = spawnKrm(command, ["t.yaml", "--extra", "args"], { cwd: dir, env: home.env(), input: stream })
      expect(r.stderr).toBe("")
      expect(r.code).toBe(0)
      expect(objects(r.stdout)).toEqual([asKustomizeSeesIt(plainSecret()), configMap].map(o => objects(stringify(o))[0]))
    })

    it("should print a generator's objects as a YAML stream, paths relative to the working directory", () => {
      const dir = home.app({ "g.yaml": yamlOf({ apiVersion: "viaduct.ai/v1", kind: "ksops", metadata: { name: "k" }, files: ["sub/secret.yaml"] }), "sub/secret.yaml": enc("k8s-secret.yaml") })
      const r = spawnKrm(command, ["g.yaml"], { cwd: dir, env: home.env() })
      expect(r.code).toBe(0)
      expect(objects(r.stdout)).toEqual(objects(readFixture("reference/plain/k8s-secret.yaml").toString()))
    })

    it("should run as a KRM function when the arguments are not a config file (kustomize ≥ 5.7 exec.args)", () => {
      const dir = home.app({ "secret.yaml": enc("k8s-secret.yaml") })
      const config = { apiVersion: "viaduct.ai/v1", kind: "ksops", metadata: { name: "k" }, files: ["secret.yaml"] }
      const r = spawnKrm(command, ["--some-arg"], { cwd: dir, env: home.env(), input: resourceList([config], config) })
      expect(r.code).toBe(0)
      expect((parse(r.stdout) as ListOut).items).toEqual([plainSecret()])
    })

    it("should name a config file it cannot read when there is no ResourceList either", () => {
      const r = spawnKrm(command, ["missing.yaml"], { cwd: home.root, env: home.env(), input: "" })
      expect(r.code).not.toBe(0)
      expect(r.stderr).toContain("cannot read the plugin config file missing.yaml")
    })

    it("should print usage and fail when run with no input on a terminal-less empty stdin", () => {
      const r = spawnKrm(command, [], { cwd: home.root, env: home.env(), input: "" })
      expect(r.code).not.toBe(0)
      expect(r.stderr).toContain("Usage:")
    })
  })
}
