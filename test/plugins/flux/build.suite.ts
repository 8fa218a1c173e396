// `tsops flux build`: a tree laid out like Flux's own SOPS test data builds to what `kubectl kustomize`
// prints for its plaintext twin; keys come from a Flux decryption Secret; the user's tree is never written
// and the private copy is gone after every run. The way tsops runs is a parameter: in-process, or a
// spawned executable (the self-contained binaries run the same suite).
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { CliResult } from "../../support/cli.js"
import { cleanEnv, gnupgHomeWithTestKeys, tempDir } from "../../support/env.js"
import { readFixture } from "../../support/fixtures.js"
import { canonicalObjects, decryptionSecretManifest, fluxTrees, kustomizeBuild, treeHash, writeTree, type FluxTrees } from "./flux-tree.js"

/** Runs tsops with `argv`; resolves to its exit code and output. */
export type TsopsRunner = (argv: string[], options: { env: Record<string, string>; cwd: string }) => Promise<CliResult>

export function fluxBuildSuite(label: string, run: TsopsRunner): void {
  const base = tempDir("tsops-flux-build-")
  const tmpRoot = join(base, "tmp")
  mkdirSync(tmpRoot)
  const env = cleanEnv(base, { TMPDIR: tmpRoot })
  let trees: FluxTrees
  let gnupg: { home: string; dispose: () => void }

  beforeAll(async () => {
    gnupg = gnupgHomeWithTestKeys()
    trees = await fluxTrees(gnupg.home)
  })
  afterAll(() => {
    gnupg.dispose()
    rmSync(base, { recursive: true, force: true })
  })

  const keysSecret = (entries: Record<string, string | Uint8Array>, name?: string): string => {
    const file = join(base, `keys-${Math.random().toString(36).slice(2)}.yaml`)
    writeFileSync(file, decryptionSecretManifest(entries, name))
    return file
  }
  const pgpFingerprintInMessage = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4"
  const ageAKey = () => readFixture("reference/keys/age-a.txt")
  const pgpKeys = () => readFixture("reference/keys/pgp-functional-tests.asc")

  /** Runs `tsops flux build`, checking the tree is untouched and no private directory is left. */
  async function fluxBuild(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
    const before = treeHash(dir)
    const result = await run(["flux", "build", dir, ...args], { env: { ...env, ...extraEnv }, cwd: base })
    expect(treeHash(dir)).toBe(before)
    expect(readdirSync(tmpRoot)).toEqual([])
    return result
  }

  function expectFailure(result: CliResult, ...fragments: string[]): void {
    expect(result.code).not.toBe(0)
    expect(result.stdout.length).toBe(0)
    for (const fragment of fragments) expect(result.stderr).toContain(fragment)
  }

  let counter = 0
  function makeTree(tree: Record<string, string | Uint8Array>): string {
    const dir = join(base, `tree-${counter++}`)
    writeTree(dir, tree)
    return dir
  }

  describe(`tsops flux build on a Flux-style tree (${label})`, () => {
    it("prints what kustomize builds from the plaintext twin, with keys from a decryption Secret", async () => {
      const dir = makeTree(trees.encrypted)
      const expected = kustomizeBuild(makeTree(trees.plain))
      const secretFile = keysSecret({ "age.agekey": ageAKey(), "pgp.asc": pgpKeys(), "sops.vault-token": "s.unused\n", "README": "ignored" })
      const result = await fluxBuild(dir, ["--decryption-secret", secretFile])
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      const actual = result.stdout.toString("utf8")
      expect(await canonicalObjects(actual)).toEqual(await canonicalObjects(expected))
      // Not vacuous: the expected objects carry plaintext, the encrypted tree none, and every kind of case is there.
      const names = (await canonicalObjects(actual)).map(o => `${String((o as { kind: string }).kind)}/${String((o as { metadata: { name: string } }).metadata.name)}`)
      for (const name of [
        "Secret/sops-algo-db-credentials", "Secret/sops-algo-pgp", "ConfigMap/sops-algo-encrypted-cm", "Secret/sops-algo-disabled",
        "Secret/sops-files-typed", "Secret/sops-files-pull", "Secret/sops-patches-secret", "Secret/sops-inside-secret", "Secret/sops-component",
      ]) expect(names).toContain(name)
      expect(names.some(n => /^Secret\/sops-envs-secret-[a-z0-9]{10}$/.test(n))).toBe(true)
      expect(names.some(n => /^ConfigMap\/sops-envs-configmap-[a-z0-9]{10}$/.test(n))).toBe(true)
      expect(actual).toContain("hunter2")
      expect(actual).toContain("value-from-pgp")
      expect(actual).toContain("merge2: merge2")
      // Decryption disabled: that object, and only that one, still has its sops block.
      expect(actual.match(/^sops:/gm)?.length).toBe(1)
      expect(actual).toMatch(/stays-encrypted|ENC\[AES256_GCM/)
      expect(actual).not.toContain("stays-encrypted")
    })

    it("decrypts a generated Secret's files to the exact plaintext bytes (and hash suffix) of reference/plain", async () => {
      const dir = makeTree(trees.encrypted)
      const result = await fluxBuild(dir, ["--decryption-secret", keysSecret({ "age.agekey": ageAKey(), "pgp.asc": pgpKeys() })])
      expect(result.code).toBe(0)
      const YAML = await import("yaml")
      const objects = YAML.parseAllDocuments(result.stdout.toString()).map(d => d.toJS() as { kind: string; metadata: { name: string }; data: Record<string, string> })
      const files = objects.find(o => o.metadata.name.startsWith("sops-files-secret-"))!
      expect(Buffer.from(files.data["notes.txt"]!, "base64")).toEqual(readFixture("reference/plain/notes.txt"))
      expect(Buffer.from(files.data["random.bin"]!, "base64")).toEqual(readFixture("reference/plain/random.bin"))
      expect(Buffer.from(files.data.token!, "base64")).toEqual(readFixture("reference/plain/notes.txt"))
      expect(Buffer.from(files.data["plain.txt"]!, "base64").toString()).toBe("not encrypted: left as it is\n")
      const inside = objects.find(o => o.metadata.name === "sops-inside-secret")!
      expect(Buffer.from(inside.data["notes.txt"]!, "base64")).toEqual(readFixture("reference/plain/notes.txt"))
      const patched = objects.find(o => o.metadata.name === "sops-patches-secret")! as unknown as { data: Record<string, string>; stringData: Record<string, string> }
      expect(patched.data.key).toBe(Buffer.from("value").toString("base64"))
      expect(patched.stringData).toEqual({ key: "merge1", merge2: "merge2" })
    })

    it("uses the usual key environment when no decryption Secret is given", async () => {
      const dir = makeTree(trees.encrypted)
      const keyFile = join(base, "age-a-only.txt")
      writeFileSync(keyFile, ageAKey())
      const result = await fluxBuild(dir, [], { SOPS_AGE_KEY_FILE: keyFile, GNUPGHOME: gnupg.home })
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(result.stdout.toString()).toContain("value-from-pgp")
    })

    it("reads the keys from a mounted Secret volume, named by --decryption-secret or TSOPS_FLUX_DECRYPTION_SECRET", async () => {
      // kubelet's layout: entries are links into a timestamped directory reached through `..data`.
      const volume = join(base, `volume-${Math.random().toString(36).slice(2)}`)
      mkdirSync(join(volume, "..2026_01_01_00_00_00.000000001"), { recursive: true })
      writeFileSync(join(volume, "..2026_01_01_00_00_00.000000001", "age.agekey"), ageAKey())
      writeFileSync(join(volume, "..2026_01_01_00_00_00.000000001", "pgp.asc"), pgpKeys())
      symlinkSync("..2026_01_01_00_00_00.000000001", join(volume, "..data"))
      symlinkSync("..data/age.agekey", join(volume, "age.agekey"))
      symlinkSync("..data/pgp.asc", join(volume, "pgp.asc"))
      const dir = makeTree(trees.encrypted)
      const expected = await canonicalObjects(kustomizeBuild(makeTree(trees.plain)))
      const byFlag = await fluxBuild(dir, ["--decryption-secret", volume])
      expect(byFlag.stderr).toBe("")
      expect(await canonicalObjects(byFlag.stdout.toString())).toEqual(expected)
      const byEnv = await fluxBuild(dir, [], { TSOPS_FLUX_DECRYPTION_SECRET: volume })
      expect(byEnv.stderr).toBe("")
      expect(await canonicalObjects(byEnv.stdout.toString())).toEqual(expected)
      // Only the volume's keys are used: without the PGP entry, the PGP-only object cannot be opened.
      rmSync(join(volume, "pgp.asc"))
      expectFailure(await fluxBuild(dir, [], { TSOPS_FLUX_DECRYPTION_SECRET: volume }), "decryption Secret volume", pgpFingerprintInMessage)
    })

    it("writes the manifests to --output", async () => {
      const dir = makeTree(trees.encrypted)
      const out = join(base, "out.yaml")
      const result = await fluxBuild(dir, ["--decryption-secret", keysSecret({ "age.agekey": ageAKey(), "pgp.asc": pgpKeys() }), "--output", out])
      expect(result.code).toBe(0)
      expect(result.stdout.length).toBe(0)
      expect(readFileSync(out, "utf8")).toContain("hunter2")
    })
  })

  describe(`tsops flux build refusals (${label})`, () => {
    const envSecret = (envs: string): Record<string, string | Uint8Array> => ({
      "kustomization.yaml": `secretGenerator:\n  - name: s\n    envs:\n      - ${envs}\n`,
    })
    const ageOnly = () => keysSecret({ "age.agekey": ageAKey() })

    it("refuses a path that escapes the root", async () => {
      const parent = join(base, `escape-${counter++}`)
      writeTree(parent, { "outside.env": readFixture("reference/enc/basic.env") })
      const dir = join(parent, "app")
      writeTree(dir, envSecret("../outside.env"))
      expectFailure(await fluxBuild(dir, ["--decryption-secret", ageOnly()]), "kustomization.yaml", "'../outside.env'", "outside the root")
    })

    it("refuses an absolute path", async () => {
      const dir = makeTree(envSecret(join(base, "anything.env")))
      expectFailure(await fluxBuild(dir, ["--decryption-secret", ageOnly()]), "absolute path")
    })

    it("refuses a symlink out of the root, for a file and for a resources directory", async () => {
      const outside = makeTree({ "secret.env": readFixture("reference/enc/basic.env"), "kustomization.yaml": "resources: []\n" })
      const dir = makeTree(envSecret("link.env"))
      symlinkSync(join(outside, "secret.env"), join(dir, "link.env"))
      expectFailure(await fluxBuild(dir, ["--decryption-secret", ageOnly()]), "'link.env'", "symlink", "outside the root")
      const dir2 = makeTree({ "kustomization.yaml": "resources:\n  - base\n" })
      symlinkSync(outside, join(dir2, "base"))
      expectFailure(await fluxBuild(dir2, ["--decryption-secret", ageOnly()]), "'base'", "symlink", "outside the root")
    })

    it("follows a symlink that stays inside the root", async () => {
      const dir = makeTree({ ...envSecret("link.env"), "real/secret.env": readFixture("reference/enc/basic.env") })
      symlinkSync("real/secret.env", join(dir, "link.env"))
      const result = await fluxBuild(dir, ["--decryption-secret", ageOnly()])
      expect(result.stderr).toBe("")
      expect(result.stdout.toString()).toContain(Buffer.from("a=b=c").toString("base64"))
    })

    it("refuses a file above the 5 MiB cap, before looking for the marker", async () => {
      const big = Buffer.alloc(5 * 1024 * 1024 + 1, "a")
      const dir = makeTree({ "kustomization.yaml": "secretGenerator:\n  - name: s\n    files:\n      - big.txt\n", "big.txt": big })
      expectFailure(await fluxBuild(dir, ["--decryption-secret", ageOnly()]), "'big.txt'", "5242881 bytes", "5 MiB")
      // The cap itself is fine, and --max-file-size moves it.
      const atCap = makeTree({ "kustomization.yaml": "secretGenerator:\n  - name: s\n    files:\n      - ok.txt\n", "ok.txt": Buffer.alloc(5 * 1024 * 1024, "a") })
      expect((await fluxBuild(atCap, ["--decryption-secret", ageOnly()])).code).toBe(0)
      expectFailure(await fluxBuild(atCap, ["--decryption-secret", ageOnly(), "--max-file-size", "1Mi"]), "'ok.txt'", "above the 1 MiB limit")
    })

    it("fails on a missing key, naming the file and its recipients, and prints no Secret", async () => {
      const dir = makeTree({ ...envSecret("basic.env"), "basic.env": readFixture("reference/enc/basic.env") })
      const result = await fluxBuild(dir, ["--decryption-secret", keysSecret({ "b.agekey": readFixture("reference/keys/age-b.txt") })])
      expectFailure(result, "kustomization.yaml", "'basic.env'", "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7", "decryption Secret 'flux-system/sops-keys'")
      expect(result.code).toBe(128)
      // Without any key at all, the same.
      expectFailure(await fluxBuild(dir, []), "'basic.env'", "age16t6mee20")
    })

    it("fails on a missing key for an encrypted resource, naming the object", async () => {
      const dir = makeTree({ "kustomization.yaml": "namespace: demo\nresources:\n  - secret.yaml\n", "secret.yaml": readFixture("reference/enc/k8s-secret.yaml") })
      const result = await fluxBuild(dir, ["--decryption-secret", keysSecret({ "b.agekey": readFixture("reference/keys/age-b.txt") })])
      expectFailure(result, "'demo/db-credentials' Secret", "age16t6mee20")
      expect(result.stderr).not.toContain("hunter2")
    })

    it("names the decryption Secret entry a Vault or KMS key would need", async () => {
      const YAML = await import("yaml")
      const doc = YAML.parseDocument(readFixture("reference/enc/k8s-secret.yaml").toString())
      doc.setIn(["sops", "age"], [])
      doc.setIn(["sops", "hc_vault"], [{ vault_address: "https://vault.example:8200", engine_path: "sops", key_name: "k", created_at: "2026-01-01T00:00:00Z", enc: "vault:v1:AAAA" }])
      doc.setIn(["sops", "kms"], [{ arn: "arn:aws:kms:eu-west-1:111122223333:key/abc", created_at: "2026-01-01T00:00:00Z", enc: "AAAA", aws_profile: "" }])
      const dir = makeTree({ "kustomization.yaml": "resources:\n  - secret.yaml\n", "secret.yaml": doc.toString() })
      const withToken = await fluxBuild(dir, ["--decryption-secret", keysSecret({ "sops.vault-token": "s.token\n", "sops.aws-kms": "aws_access_key_id: AKIA\naws_secret_access_key: secret\n" })])
      expectFailure(withToken, "'sops.vault-token'", "was read", "'sops.aws-kms'", "hc_vault")
      expect(withToken.stderr).not.toContain("s.token")
      const without = await fluxBuild(dir, ["--decryption-secret", ageOnly()])
      expectFailure(without, "'sops.vault-token'", "'sops.aws-kms'")
    })

    it("refuses a malformed decryption Secret entry, naming it", async () => {
      const dir = makeTree({ "kustomization.yaml": "resources: []\n" })
      expectFailure(await fluxBuild(dir, ["--decryption-secret", keysSecret({ "bad.agekey": "not a key\n" })]), "'bad.agekey'")
      expectFailure(await fluxBuild(dir, ["--decryption-secret", keysSecret({ "sops.azure-kv": "{}" })]), "'sops.azure-kv'", "clientId")
      expectFailure(await fluxBuild(dir, ["--decryption-secret", keysSecret({ "key.asc": "garbage" })]), "'key.asc'")
    })

    it("fails when kustomize fails, naming the user's paths rather than the private copy's", async () => {
      const dir = makeTree({ "kustomization.yaml": "resources:\n  - missing.yaml\n" })
      const result = await fluxBuild(dir, ["--decryption-secret", ageOnly()])
      expectFailure(result, "kustomize build failed", dir)
      expect(result.stderr).not.toContain(tmpRoot)
    })

    it("leaves an unencrypted file, and a file without its format's marker, as they are", async () => {
      // Compact JSON has no `"mac": "ENC[`: Flux does not recognise it, so neither does flux build.
      const compact = JSON.stringify(JSON.parse(readFixture("reference/enc/basic.json").toString()))
      const dir = makeTree({ "kustomization.yaml": "secretGenerator:\n  - name: s\n    options:\n      disableNameSuffixHash: true\n    files:\n      - c.json\n", "c.json": compact })
      const result = await fluxBuild(dir, [])
      expect(result.code).toBe(0)
      expect(result.stdout.toString()).toContain(Buffer.from(compact).toString("base64").slice(0, 40))
    })
  })

  describe(`tsops flux build roots (${label})`, () => {
    const shared = { "shared/creds.env": readFixture("reference/enc/basic.env") }
    const app = { "apps/demo/kustomization.yaml": "secretGenerator:\n  - name: s\n    envs:\n      - ../../shared/creds.env\n" }

    it("confines to the enclosing git work tree by default", async () => {
      const repo = makeTree({ ...shared, ...app, ".git/HEAD": "ref: refs/heads/main\n" })
      const result = await fluxBuild(join(repo, "apps/demo"), ["--decryption-secret", keysSecret({ "age.agekey": ageAKey() })])
      expect(result.stderr).toBe("")
      expect(result.stdout.toString()).toContain(Buffer.from("a=b=c").toString("base64"))
    })

    it("takes the root from --root, or from Argo CD's ARGOCD_APP_SOURCE_PATH", async () => {
      const repo = makeTree({ ...shared, ...app })
      const keys = ["--decryption-secret", keysSecret({ "age.agekey": ageAKey() })]
      expectFailure(await fluxBuild(join(repo, "apps/demo"), keys), "outside the root")
      expect((await fluxBuild(join(repo, "apps/demo"), [...keys, "--root", repo])).code).toBe(0)
      expect((await fluxBuild(join(repo, "apps/demo"), keys, { ARGOCD_APP_SOURCE_PATH: "apps/demo" })).code).toBe(0)
    })
  })
}
