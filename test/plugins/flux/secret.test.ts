// `tsops flux secret`: a valid Flux decryption Secret from local keys, whose entries decrypt the Flux-style
// tree when fed back to `tsops flux build --decryption-secret`.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseDecryptionSecret } from "../../../plugins/flux/decryption-secret.js"
import { runCli } from "../../support/cli.js"
import { ageKeyFile, cleanEnv, gnupgHomeWithTestKeys, tempDir } from "../../support/env.js"
import { readFixture } from "../../support/fixtures.js"
import { canonicalObjects, fluxTrees, kustomizeBuild, pgpFingerprint, writeTree } from "./flux-tree.js"

const base = tempDir("tsops-flux-secret-")
const tmpRoot = join(base, "tmp")
mkdirSync(tmpRoot)
let gnupg: { home: string; dispose: () => void }
beforeAll(() => {
  gnupg = gnupgHomeWithTestKeys()
})
afterAll(() => {
  gnupg.dispose()
  rmSync(base, { recursive: true, force: true })
})

const ageAIdentity = readFixture("reference/keys/age-a.txt").toString().split("\n").find(l => l.startsWith("AGE-SECRET-KEY-"))!

async function fluxSecret(args: string[], extraEnv: Record<string, string> = {}) {
  return runCli(["flux", "secret", ...args], { env: cleanEnv(base, { TMPDIR: tmpRoot, ...extraEnv }), cwd: base })
}

interface SecretObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace: string }
  type: string
  data: Record<string, string>
}

async function parseManifest(text: string): Promise<SecretObject> {
  const YAML = await import("yaml")
  const docs = YAML.parseAllDocuments(text)
  expect(docs).toHaveLength(1)
  expect(docs[0]!.errors).toEqual([])
  return docs[0]!.toJS() as SecretObject
}

describe("tsops flux secret", () => {
  it("writes a valid Secret with the age identities and the exported PGP secret key", async () => {
    const r = await fluxSecret(["--pgp", pgpFingerprint], { SOPS_AGE_KEY_FILE: ageKeyFile("a"), GNUPGHOME: gnupg.home })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const secret = await parseManifest(r.stdout.toString())
    expect(secret).toMatchObject({ apiVersion: "v1", kind: "Secret", metadata: { name: "sops-keys", namespace: "flux-system" }, type: "Opaque" })
    expect(Object.keys(secret.data).sort()).toEqual([`${pgpFingerprint}.asc`, "age.agekey"])
    for (const value of Object.values(secret.data)) expect(Buffer.from(value, "base64").toString("base64")).toBe(value)
    expect(Buffer.from(secret.data["age.agekey"]!, "base64").toString()).toBe(`${ageAIdentity}\n`)
    expect(Buffer.from(secret.data[`${pgpFingerprint}.asc`]!, "base64").toString()).toContain("-----BEGIN PGP PRIVATE KEY BLOCK-----")
    // kustomize accepts it as an object, and tsops reads it back as a decryption Secret.
    const dir = join(base, "as-resource")
    writeTree(dir, { "kustomization.yaml": "resources:\n  - secret.yaml\n", "secret.yaml": r.stdout })
    expect(kustomizeBuild(dir)).toContain("name: sops-keys")
    const keys = await parseDecryptionSecret(r.stdout.toString(), "secret.yaml")
    expect(keys.ageIdentities).toEqual([ageAIdentity])
    expect(keys.pgpKeys.map(k => k.entry)).toEqual([`${pgpFingerprint}.asc`])
  })

  it("is a decryption Secret whose entries decrypt the Flux-style tree in tsops flux build", async () => {
    const r = await fluxSecret(["--pgp", pgpFingerprint, "--name", "sops-gpg", "--namespace", "apps", "--output", "keys.yaml"], { SOPS_AGE_KEY_FILE: ageKeyFile("a"), GNUPGHOME: gnupg.home })
    expect(r.code).toBe(0)
    expect(r.stdout.length).toBe(0)
    const trees = await fluxTrees(gnupg.home)
    const dir = join(base, "tree")
    const plain = join(base, "plain")
    writeTree(dir, trees.encrypted)
    writeTree(plain, trees.plain)
    const build = await runCli(["flux", "build", dir, "--decryption-secret", "keys.yaml"], { env: cleanEnv(base, { TMPDIR: tmpRoot }), cwd: base })
    expect(build.stderr).toBe("")
    expect(build.code).toBe(0)
    expect(await canonicalObjects(build.stdout.toString())).toEqual(await canonicalObjects(kustomizeBuild(plain)))
    expect(readdirSync(tmpRoot)).toEqual([])
  })

  it("finds sops's default keys.txt and SOPS_AGE_KEY, and honours --no-age", async () => {
    const home = join(base, "home-default")
    mkdirSync(join(home, ".config/sops/age"), { recursive: true })
    writeFileSync(join(home, ".config/sops/age/keys.txt"), readFixture("reference/keys/age-b.txt"))
    const bIdentity = readFixture("reference/keys/age-b.txt").toString().split("\n").find(l => l.startsWith("AGE-SECRET-KEY-"))!
    const r = await runCli(["flux", "secret"], { env: cleanEnv(home, { SOPS_AGE_KEY: ageAIdentity }), cwd: base })
    expect(r.code).toBe(0)
    const keys = await parseDecryptionSecret(r.stdout.toString(), "stdout")
    expect(keys.ageIdentities).toEqual([ageAIdentity, bIdentity])
    const pgpOnly = await fluxSecret(["--no-age", "--pgp", pgpFingerprint], { SOPS_AGE_KEY_FILE: ageKeyFile("a"), GNUPGHOME: gnupg.home })
    expect(Object.keys((await parseManifest(pgpOnly.stdout.toString())).data)).toEqual([`${pgpFingerprint}.asc`])
  })

  it("fails without keys, for an unknown fingerprint, and for an invalid name", async () => {
    const none = await fluxSecret([])
    expect(none.code).toBe(111)
    expect(none.stderr).toContain("no keys found")
    const unknown = await fluxSecret(["--no-age", "--pgp", "0123456789ABCDEF0123456789ABCDEF01234567"], { GNUPGHOME: gnupg.home })
    expect(unknown.code).not.toBe(0)
    expect(unknown.stdout.length).toBe(0)
    expect(unknown.stderr).toContain("0123456789ABCDEF0123456789ABCDEF01234567")
    const badName = await fluxSecret(["--name", "Not_Valid"], { SOPS_AGE_KEY_FILE: ageKeyFile("a") })
    expect(badName.code).not.toBe(0)
    expect(badName.stderr).toContain("--name")
    const missingFile = await fluxSecret(["--age-key-file", "nope.txt"])
    expect(missingFile.stderr).toContain("nope.txt")
  })
})
