// The bundled bin/tsops end to end (spawned): what in-process tests cannot see — the esbuild bundle,
// lazy chunks, CommonJS dependencies inside ESM, stdin/stdout, atomic writes.
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { readFixture } from "../support/fixtures.js"
import { cleanEnv, tempDir } from "../support/env.js"
import { spawnTsops } from "../support/cli.js"

const dir = tempDir()
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const A = "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7"
const env = cleanEnv(dir, { SOPS_AGE_KEY_FILE: join(dir, "keys.txt") })
writeFileSync(join(dir, "keys.txt"), readFixture("reference/keys/age-a.txt"))

describe("bin/tsops (bundled)", () => {
  it("encrypts in place with keys from .sops.yaml and decrypts to --output", () => {
    writeFileSync(join(dir, ".sops.yaml"), `creation_rules:\n  - path_regex: \\.(yaml|json)$\n    age: ${A}\n`)
    writeFileSync(join(dir, "app.yaml"), "db:\n  password: hunter2 # the password\n")
    const enc = spawnTsops(["encrypt", "-i", "app.yaml"], { env, cwd: dir })
    expect(enc.stderr).toBe("")
    expect(enc.code).toBe(0)
    expect(readFileSync(join(dir, "app.yaml"), "utf8")).toMatch(/^db:\n {2}password: ENC\[.*\] #ENC\[/)
    const dec = spawnTsops(["-d", "--output", "plain.yaml", "app.yaml"], { env, cwd: dir })
    expect(dec.code).toBe(0)
    expect(readFileSync(join(dir, "plain.yaml"), "utf8")).toBe("db:\n  password: hunter2 # the password\n")
  })

  it("reads stdin with --filename-override and extracts a value", () => {
    const enc = spawnTsops(["encrypt", "--age", A, "--filename-override", "x.json"], { env, cwd: dir, input: '{"a": {"b": 42}}' })
    expect(enc.code).toBe(0)
    expect(enc.stdout.toString()).toContain('"mac": "ENC[')
    const value = spawnTsops(["decrypt", "--input-type", "json", "--output-type", "json", "--extract", '["a"]["b"]'], { env, cwd: dir, input: enc.stdout })
    expect(value.code).toBe(0)
    expect(value.stdout.toString()).toBe("42")
  })

  it("prints a familiar --help and one error line with sops's exit code", () => {
    const help = spawnTsops(["--help"], { env, cwd: dir })
    expect(help.code).toBe(0)
    for (const word of ["encrypt", "decrypt", "--age", "--pgp", "--in-place", "--extract", "--encrypted-regex"]) expect(help.stdout.toString()).toContain(word)
    const missing = spawnTsops(["decrypt", "nope.yaml"], { env, cwd: dir })
    expect(missing.code).toBe(100)
    expect(missing.stderr.trim().split("\n")).toHaveLength(1)
  })
})
