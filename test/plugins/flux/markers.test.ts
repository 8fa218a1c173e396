// Files tsops writes carry the literal bytes Flux's kustomize-controller looks for before it decrypts
// (plugins.md §2.4) — in every format, whatever the input layout (compact JSON, 2-space YAML) — and a
// Flux-style build decrypts them. The marker strings are spelled out here, from the spec, not imported.
import { test as propTest, fc } from "@fast-check/vitest"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { encrypt } from "../../../src/index.js"
import { detectMarkerFormat, formatForPath, hasMarker } from "../../../plugins/flux/markers.js"
import { runCli } from "../../support/cli.js"
import { ageKeyFile, cleanEnv, tempDir } from "../../support/env.js"
import { readFixture } from "../../support/fixtures.js"

const runs = Number(process.env.TSOPS_FUZZ_RUNS ?? 20)
const ageA = "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7"
const fluxMarker = { yaml: "mac: ENC[", json: "\"mac\": \"ENC[", binary: "\"mac\": \"ENC[", dotenv: "sops_mac=ENC[", ini: "[sops]" } as const

const dir = tempDir("tsops-flux-markers-")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Case {
  name: string
  format: keyof typeof fluxMarker
  plaintext: string | Uint8Array
  options?: { indent?: number; encryptedRegex?: string; macOnlyEncrypted?: boolean }
}

const cases: Case[] = [
  { name: "YAML, 2-space indent", format: "yaml", plaintext: "app:\n  password: hunter2\n  list:\n    - a\n" },
  { name: "YAML, 4-space indent", format: "yaml", plaintext: "app:\n    password: hunter2\n" },
  { name: "YAML, flow style", format: "yaml", plaintext: "{app: {password: hunter2}, list: [a, b]}\n" },
  { name: "YAML, --indent 2", format: "yaml", plaintext: "app:\n  password: hunter2\n", options: { indent: 2 } },
  { name: "YAML, multi-document", format: "yaml", plaintext: "a: 1\n---\nb: 2\n" },
  { name: "YAML, Kubernetes Secret with an encrypted regex", format: "yaml", plaintext: readFixture("reference/plain/k8s-secret.yaml"), options: { encryptedRegex: "^(data|stringData)$" } },
  { name: "YAML, mac_only_encrypted", format: "yaml", plaintext: "a: 1\nb_unencrypted: 2\n", options: { macOnlyEncrypted: true } },
  { name: "JSON, compact input", format: "json", plaintext: "{\"password\":\"hunter2\",\"n\":{\"x\":[1,2,{\"y\":true}]}}" },
  { name: "JSON, one line with spaces", format: "json", plaintext: "{ \"password\": \"hunter2\" }\n" },
  { name: "JSON, 2-space input", format: "json", plaintext: "{\n  \"password\": \"hunter2\"\n}\n" },
  { name: "JSON, --indent 2", format: "json", plaintext: "{\"password\":\"hunter2\"}", options: { indent: 2 } },
  { name: "JSON, --indent 0", format: "json", plaintext: "{\"password\":\"hunter2\"}", options: { indent: 0 } },
  { name: "JSON, reference basic.json", format: "json", plaintext: readFixture("reference/plain/basic.json") },
  { name: "dotenv", format: "dotenv", plaintext: "PASSWORD=hunter2\nEMPTY=\n" },
  { name: "dotenv, reference basic.env", format: "dotenv", plaintext: readFixture("reference/plain/basic.env") },
  { name: "INI", format: "ini", plaintext: "[db]\npassword = hunter2\n" },
  { name: "INI, reference basic.ini", format: "ini", plaintext: readFixture("reference/plain/basic.ini") },
  { name: "binary, text", format: "binary", plaintext: "just some\ntext\n" },
  { name: "binary, random bytes", format: "binary", plaintext: readFixture("reference/plain/random.bin") },
  { name: "binary, empty", format: "binary", plaintext: "" },
]

const encryptCase = (c: Case): Promise<Uint8Array> =>
  encrypt(c.plaintext, { inputType: c.format, outputType: c.format, age: ageA, config: false, env: {}, ...c.options })

describe("markers in files tsops writes", () => {
  it.each(cases)("$name carries Flux's marker", async c => {
    const out = Buffer.from(await encryptCase(c))
    expect(out.includes(fluxMarker[c.format])).toBe(true)
    // The format Flux would pick from the marker decrypts it (JSON and binary share one).
    expect(detectMarkerFormat(out)).toBe(c.format === "binary" ? "json" : c.format)
  })

  it("the tsops CLI writes the markers too (compact JSON in, 2-space YAML in)", async () => {
    const env = cleanEnv(dir)
    writeFileSync(join(dir, "c.json"), "{\"a\":\"b\"}")
    writeFileSync(join(dir, "s.yaml"), "a:\n  b: c\n")
    for (const [file, marker] of [["c.json", fluxMarker.json], ["s.yaml", fluxMarker.yaml]] as const) {
      const r = await runCli(["encrypt", "--age", ageA, file], { env, cwd: dir })
      expect(r.stderr).toBe("")
      expect(r.stdout.includes(marker)).toBe(true)
    }
  })

  propTest.prop([fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter(k => k !== "sops"), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { minKeys: 1, maxKeys: 6 }), fc.integer({ min: 0, max: 4 })], { numRuns: runs })(
    "any JSON object, compact or indented, comes out with the JSON marker",
    async (object, indent) => {
      for (const text of [JSON.stringify(object), JSON.stringify(object, null, indent)]) {
        const out = Buffer.from(await encrypt(text, { inputType: "json", outputType: "json", age: ageA, config: false, env: {} }))
        expect(out.includes(fluxMarker.json)).toBe(true)
      }
    },
  )

  it("each format's encrypted file builds to its plaintext under tsops flux build", async () => {
    // A secretGenerator file entry's KEY picks the format Flux decrypts it with.
    const tree = join(dir, "tree")
    mkdirSync(tree, { recursive: true })
    const keyFor = { yaml: "f.yaml", json: "f.json", dotenv: "f.env", ini: "f.ini", binary: "f" } as const
    const chosen = cases.filter(c => ["YAML, 2-space indent", "JSON, compact input", "dotenv", "INI", "binary, random bytes"].includes(c.name))
    const files: string[] = []
    for (const [i, c] of chosen.entries()) {
      writeFileSync(join(tree, `src${i}`), await encryptCase(c))
      files.push(`      - ${keyFor[c.format]}=src${i}`)
    }
    writeFileSync(join(tree, "kustomization.yaml"), `secretGenerator:\n  - name: s\n    options:\n      disableNameSuffixHash: true\n    files:\n${files.join("\n")}\n`)
    const r = await runCli(["flux", "build", tree], { env: cleanEnv(dir, { SOPS_AGE_KEY_FILE: ageKeyFile("a") }), cwd: dir })
    expect(r.stderr).toBe("")
    const YAML = await import("yaml")
    const data = (YAML.parse(r.stdout.toString()) as { data: Record<string, string> }).data
    for (const c of chosen) {
      const decoded = Buffer.from(data[keyFor[c.format]]!, "base64")
      if (c.format === "binary") expect(decoded).toEqual(Buffer.from(c.plaintext))
      else expect(decoded.toString()).not.toContain("ENC[")
    }
    expect(Buffer.from(data["f.yaml"]!, "base64").toString()).toContain("password: hunter2")
    expect(JSON.parse(Buffer.from(data["f.json"]!, "base64").toString())).toEqual(JSON.parse(chosen[1]!.plaintext as string))
  })
})

describe("marker detection, as Flux does it", () => {
  it("is literal: a quoted YAML mac or compact JSON is not recognised", () => {
    expect(hasMarker(Buffer.from("sops:\n  mac: \"ENC[AES256_GCM,data:x]\"\n"), "yaml")).toBe(false)
    expect(hasMarker(Buffer.from("{\"sops\":{\"mac\":\"ENC[AES256_GCM,data:x]\"}}"), "json")).toBe(false)
    expect(hasMarker(Buffer.from("sops_mac = ENC[x]\n"), "dotenv")).toBe(false)
    expect(detectMarkerFormat(Buffer.from("plain: value\n"))).toBeUndefined()
  })

  it("recognises every file real sops wrote in reference/enc", () => {
    for (const name of ["basic.yaml", "basic.json", "basic.env", "basic.ini", "notes.txt", "random.bin", "k8s-secret.yaml"]) {
      const format = formatForPath(name)
      expect(hasMarker(readFixture("reference/enc", name), format), name).toBe(true)
    }
  })

  it("picks formats by path as sops does, with .dockerconfigjson as JSON", () => {
    expect(formatForPath("config.yml")).toBe("yaml")
    expect(formatForPath(".dockerconfigjson")).toBe("json")
    expect(formatForPath("token")).toBe("binary")
    expect(formatForPath("x.env")).toBe("dotenv")
    expect(formatForPath("X.JSON")).toBe("binary")
  })
})
