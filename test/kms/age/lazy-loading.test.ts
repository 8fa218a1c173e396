// kms/age.ts must not load typage, ML-KEM, the noble curves/hashes/ciphers, bcrypt, shell-quote or openpgp for an X25519
// key (style §6, and the start-up budget of `tsops decrypt`): checked on esbuild's chunk graph (as scripts/build.mjs
// bundles) and by running a bundled copy in a child process that records every module it loads.
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { generateHybridIdentity, generateX25519Identity, identityToRecipient } from "age-encryption"
import { build, type Metafile } from "esbuild"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { repoRoot } from "../../support/fixtures.js"
import { tempDir } from "./support.js"

/** Inputs that only hybrid, scrypt, SSH keys or key commands may load. */
const heavy = [
  "node_modules/age-encryption/", "node_modules/@noble/", "node_modules/bcrypt-pbkdf/", "node_modules/shell-quote/",
  "node_modules/openpgp/",
]
const isHeavy = (input: string): boolean => heavy.some(prefix => input.includes(prefix))

/** The modules of the X25519 path: all of them must come with kms/age.ts's static imports. */
const x25519Path = [
  "kms/age.ts", "kms/age/x25519.ts", "kms/age/header.ts", "kms/age/stream.ts", "kms/age/armor.ts",
  "kms/age/primitives.ts", "kms/age/decrypt.ts", "kms/age/encrypt.ts", "kms/age/identities.ts",
  "kms/age/identity-file.ts", "kms/age/age-identity.ts",
]

let outdir: string
let metafile: Metafile

// Bundled like scripts/build.mjs: dependencies included, code splitting, ESM chunks that may call require().
beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), "tsops-age-lazy-"))
  const result = await build({
    entryPoints: { age: join(repoRoot, "kms/age.ts") }, absWorkingDir: repoRoot, outdir, bundle: true, splitting: true,
    format: "esm", platform: "node", target: "node20", metafile: true, logLevel: "silent",
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  })
  metafile = result.metafile
})

afterAll(() => rmSync(outdir, { recursive: true, force: true }))

const entryOutput = (): string => Object.keys(metafile.outputs).find(path => metafile.outputs[path]!.entryPoint === "kms/age.ts")!

/** Output chunks reached from `from` through import edges of the given kinds. */
function reachable(from: readonly string[], kinds: readonly string[]): Set<string> {
  const seen = new Set(from)
  const queue = [...from]
  for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
    for (const edge of metafile.outputs[path]!.imports) {
      if (edge.external !== true && kinds.includes(edge.kind) && !seen.has(edge.path)) {
        seen.add(edge.path)
        queue.push(edge.path)
      }
    }
  }
  return seen
}

const inputsOf = (outputs: Iterable<string>): string[] => [...outputs].flatMap(path => Object.keys(metafile.outputs[path]!.inputs))

describe("kms/age.ts chunk graph", () => {
  it("should load no heavy package through its static imports, and hold the whole X25519 path there", () => {
    const staticInputs = inputsOf(reachable([entryOutput()], ["import-statement"]))
    expect(staticInputs.filter(isHeavy)).toEqual([])
    for (const module of x25519Path) expect(staticInputs).toContain(module)
  })

  it("should still reach typage, ML-KEM and the noble curves through dynamic imports", () => {
    const lazyInputs = inputsOf(reachable([entryOutput()], ["import-statement", "dynamic-import"]))
    for (const input of ["node_modules/age-encryption/dist/index.js", "node_modules/@noble/post-quantum/ml-kem.js",
      "node_modules/@noble/curves/ed25519.js", "node_modules/shell-quote/index.js"]) {
      expect(lazyInputs).toContain(input)
    }
  })
})

// The child imports the bundled kms/age.ts, runs one scenario, and a resolve hook prints every module URL it loads.
const hook = `export async function resolve(specifier, context, next) {
  const result = await next(specifier, context)
  process.stderr.write("LOADED " + result.url + "\\n")
  return result
}`
const register = `import { register } from "node:module"; register(${JSON.stringify("./hook.mjs")}, import.meta.url)`
const scenario = `const [entry, recipient, keysPath, home] = process.argv.slice(2)
const age = await import(entry)
const context = { env: { SOPS_AGE_KEY_FILE: keysPath, HOME: home, XDG_CONFIG_HOME: home } }
const dataKey = Uint8Array.from({ length: 32 }, (_, i) => i * 7)
const [key] = age.keyType.fromList(recipient)
const enc = await key.wrap(dataKey, context)
const unwrapped = await age.keyType.fromEntry(key.toEntry(enc)).key.unwrap(enc, context)
if (Buffer.compare(Buffer.from(unwrapped), Buffer.from(dataKey)) !== 0) throw new Error("round trip failed")
process.stdout.write("ok")`

/** Inputs of every bundled chunk the child loaded while wrapping to `recipient` and unwrapping with the `keys` file. */
function loadedInputs(recipient: string, keys: string): string[] {
  const dir = tempDir()
  writeFileSync(join(dir, "hook.mjs"), hook)
  writeFileSync(join(dir, "register.mjs"), register)
  writeFileSync(join(dir, "scenario.mjs"), scenario)
  writeFileSync(join(dir, "keys.txt"), keys, { mode: 0o600 })
  const child = spawnSync(process.execPath, [
    "--import", pathToFileURL(join(dir, "register.mjs")).href, join(dir, "scenario.mjs"),
    pathToFileURL(resolve(repoRoot, entryOutput())).href, recipient, join(dir, "keys.txt"), dir,
  ], { encoding: "utf8" })
  expect(child.stdout, child.stderr).toBe("ok")
  const loaded = new Set(child.stderr.split("\n").filter(line => line.startsWith("LOADED file:"))
    .map(line => fileURLToPath(line.slice("LOADED ".length))))
  const chunks = Object.keys(metafile.outputs).filter(path => loaded.has(resolve(repoRoot, path)))
  expect(chunks).toContain(entryOutput())
  return inputsOf(chunks)
}

describe("kms/age.ts at run time", () => {
  it("should wrap and unwrap for an X25519 key without loading any heavy package", async () => {
    const { identity, recipient } = await generateX25519()
    const inputs = loadedInputs(recipient, `# created: now\n${identity}\n`)
    expect(inputs.filter(isHeavy)).toEqual([])
    expect(inputs).toContain("kms/age/x25519.ts")
  })

  it("should still not load typage for an X25519 file when the keys file also holds a hybrid identity", async () => {
    const { identity, recipient } = await generateX25519()
    const inputs = loadedInputs(recipient, `${await generateHybridIdentity()}\n${identity}\n`)
    expect(inputs.filter(isHeavy)).toEqual([])
  })

  // The control: the same detection sees typage and ML-KEM when a hybrid key really needs them.
  it("should load typage and ML-KEM for a hybrid post-quantum key", async () => {
    const identity = await generateHybridIdentity()
    const inputs = loadedInputs(await identityToRecipient(identity), `${identity}\n`)
    expect(inputs).toContain("node_modules/age-encryption/dist/index.js")
    expect(inputs).toContain("node_modules/@noble/post-quantum/ml-kem.js")
  })
})

// Keys made by typage, so that the scenario does not depend on tsops's own key generation.
async function generateX25519(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateX25519Identity()
  return { identity, recipient: await identityToRecipient(identity) }
}
