// The self-contained executables (`npm run build:sea`, Node SEA): built once here, then run through the
// CLI checks below and the same plugin suites as node + bin/ — Flux build, signals, the Argo CD plugins,
// and the kustomize plugin's KRM protocol and kubectl suites.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ageKeyFile, cleanEnv, gnupgHomeWithTestKeys, tempDir } from "../support/env.js"
import { fixturePath, readFixture } from "../support/fixtures.js"
import { valuesOf } from "../support/values.js"
import { cmpSuite } from "../plugins/argocd/cmp.suite.js"
import { fluxBuildSuite } from "../plugins/flux/build.suite.js"
import { signalSuite } from "../plugins/flux/signals.suite.js"
import { kubectlSuite } from "../plugins/kustomize/kubectl.suite.js"
import { protocolSuite } from "../plugins/kustomize/protocol.suite.js"
import { buildSea, commands, runnerFor, seaDir, spawnCommand } from "./executables.js"

beforeAll(() => buildSea(), 180_000)

const home = tempDir("tsops-sea-")
afterAll(() => rmSync(home, { recursive: true, force: true }))
// gpg and kubectl stay reachable; the binaries never run node (see "run on their own").
const env = (extra: Record<string, string> = {}) => ({ ...cleanEnv(home, extra), PATH: "/usr/bin:/bin" })
const tsops = (argv: string[], extra: Record<string, string> = {}, input?: string) =>
  spawnCommand(commands.tsops.sea, argv, { env: env(extra), cwd: home, ...(input !== undefined ? { input } : {}) })

describe("the SEA binaries", () => {
  it("are executables with the bundle injected, not scripts", () => {
    for (const name of ["tsops", "tsops-krm"]) {
      const file = join(seaDir, name)
      expect(statSync(file).mode & 0o111).not.toBe(0)
      expect(readFileSync(file).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))
    }
  })

  it("bundle every lazily loaded module into one CommonJS file each", () => {
    for (const name of ["tsops", "tsops-krm"]) {
      const meta = JSON.parse(readFileSync(join(seaDir, `${name}.meta.json`), "utf8")) as { inputs: Record<string, unknown>; outputs: Record<string, { imports: { path: string; external?: boolean }[] }> }
      const inputs = Object.keys(meta.inputs)
      for (const module of ["formats/yaml/index.ts", "formats/json.ts", "formats/dotenv.ts", "formats/ini.ts", "formats/binary.ts", "kms/age.ts", "kms/pgp.ts", "node_modules/openpgp/", "node_modules/age-encryption/", "node_modules/yaml/"]) {
        expect(inputs.some(input => input.includes(module)), `${name} bundles ${module}`).toBe(true)
      }
      expect(Object.keys(meta.outputs)).toHaveLength(1)
      const external = Object.values(meta.outputs).flatMap(o => o.imports).filter(i => i.external && !i.path.startsWith("node:") && !/^[a-z_]+$/.test(i.path))
      expect(external).toEqual([])
    }
  })

  it("run on their own: copied away from the repository, with an empty PATH", async () => {
    const away = join(home, "elsewhere")
    mkdirSync(away)
    for (const name of ["tsops", "tsops-krm"]) copyFileSync(join(seaDir, name), join(away, name))
    const bare = { HOME: home, PATH: "" }
    const version = await spawnCommand([join(away, "tsops")], ["--version"], { env: bare, cwd: away })
    expect(version.stderr).toBe("")
    expect(version.stdout.toString()).toMatch(/^tsops \d+\.\d+\.\d+ \(sops 3\.\d+\.\d+ compatible\)\n$/)
    const decrypted = await spawnCommand([join(away, "tsops")], ["decrypt", fixturePath("reference/enc/basic.yaml")], { env: { ...bare, SOPS_AGE_KEY_FILE: ageKeyFile("a") }, cwd: away })
    expect(decrypted.stderr).toBe("")
    expect(await valuesOf(decrypted.stdout, "x.yaml")).toEqual(await valuesOf(readFixture("reference/dec/basic.yaml"), "x.yaml"))
    const krm = await spawnCommand([join(away, "tsops-krm")], ["--help"], { env: bare, cwd: away })
    expect(krm.code).toBe(0)
    expect(krm.stdout.toString()).toContain("tsops-krm install")
  })

  const encNames = readdirSync(fixturePath("reference/enc")).filter(n => statSync(fixturePath("reference/enc", n)).isFile()).sort()
  it.each(encNames)("decrypt %s like real sops", async name => {
    const r = await tsops(["decrypt", fixturePath("reference/enc", name)], { SOPS_AGE_KEY_FILE: ageKeyFile("all") })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const expected = readFixture("reference/dec", name)
    if (!/\.(ya?ml|json|env|ini)$/.test(name)) expect(r.stdout).toEqual(expected)
    else expect(await valuesOf(r.stdout, name)).toEqual(await valuesOf(expected, name))
  })

  it("decrypts PGP files through gpg and through the openpgp.js fallback", async () => {
    const gnupg = gnupgHomeWithTestKeys()
    try {
      const file = fixturePath("reference/enc/multi-recipient.yaml")
      const expected = await valuesOf(readFixture("reference/dec/multi-recipient.yaml"), "m.yaml")
      const viaGpg = await tsops(["decrypt", file], { GNUPGHOME: gnupg.home })
      expect(viaGpg.stderr).toBe("")
      expect(await valuesOf(viaGpg.stdout, "m.yaml")).toEqual(expected)
      const viaLibrary = await tsops(["decrypt", file], { SOPS_GPG_EXEC: "/nonexistent/gpg", TSOPS_PGP_PRIVATE_KEY_FILE: fixturePath("reference/keys/pgp-functional-tests.asc") })
      expect(viaLibrary.code).toBe(0)
      expect(await valuesOf(viaLibrary.stdout, "m.yaml")).toEqual(expected)
    } finally {
      gnupg.dispose()
    }
  })

  it("encrypts every format and decrypts it back", async () => {
    for (const name of ["basic.yaml", "basic.json", "basic.env", "basic.ini", "notes.txt"]) {
      const encrypted = await tsops(["encrypt", "--age", "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7", fixturePath("reference/plain", name)])
      expect(encrypted.stderr).toBe("")
      const file = join(home, `round-trip-${name}`)
      writeFileSync(file, encrypted.stdout)
      const decrypted = await tsops(["decrypt", file], { SOPS_AGE_KEY_FILE: ageKeyFile("a") })
      expect(decrypted.code).toBe(0)
      // JSON: numbers compared as JSON readers see them (sops prints 1.5e10 as 15000000000).
      if (name.endsWith(".json")) expect(JSON.parse(decrypted.stdout.toString())).toEqual(JSON.parse(readFixture("reference/plain", name).toString()))
      else expect(await valuesOf(decrypted.stdout, name)).toEqual(await valuesOf(readFixture("reference/plain", name), name))
    }
  })

  it("writes a decryption Secret with tsops flux secret", async () => {
    const r = await tsops(["flux", "secret", "--namespace", "apps"], { SOPS_AGE_KEY_FILE: ageKeyFile("a") })
    expect(r.code).toBe(0)
    expect(r.stdout.toString()).toMatch(/^apiVersion: v1\nkind: Secret\nmetadata:\n {2}name: sops-keys\n {2}namespace: apps\ntype: Opaque\ndata:\n {2}age\.agekey: /)
  })
})

fluxBuildSuite("sea", runnerFor(commands.tsops.sea))
signalSuite("sea", commands.tsops.sea)
cmpSuite("sea", { tsops: commands.tsops.sea, krm: commands.krm.sea })
protocolSuite(commands.krm.sea)
kubectlSuite(commands.krm.sea)
