// SopsGenerator config validation, file sources and base64 wrapping (the builds themselves: kubectl.suite.ts).
import { describe, expect, it } from "vitest"
import { kustomizeBase64, parseFileSource, parseSopsGeneratorConfig } from "../../../plugins/kustomize/generator.js"
import { ksopsKeyPath, parseKsopsConfig } from "../../../plugins/kustomize/ksops.js"

describe("parseSopsGeneratorConfig", () => {
  const base = { apiVersion: "tsops.dev/v1", kind: "SopsGenerator", metadata: { name: "g" } }

  it("should merge generator-wide options into each secret, the secret's own winning", () => {
    const config = parseSopsGeneratorConfig({
      ...base,
      options: { labels: { a: "1", b: "1" }, disableNameSuffixHash: true },
      secrets: [{ name: "s", envs: ["e.env"], options: { labels: { b: "2" }, immutable: true } }, { name: "t", options: { disableNameSuffixHash: false } }],
    })
    expect(config.secrets[0]).toEqual({ name: "s", type: "Opaque", files: [], envs: ["e.env"], options: { labels: { a: "1", b: "2" }, annotations: {}, disableNameSuffixHash: true, immutable: true } })
    expect(config.secrets[1]!.options.disableNameSuffixHash).toBe(false)
  })

  it.each([
    [{ secrets: [{ files: ["a"] }] }, /secrets\[0\]\.name: required/],
    [{ secrets: [{ name: "s", behavior: "upsert" }] }, /behavior: expected one of create, merge, replace/],
    [{ secretFrom: [] }, /SopsGenerator g: unknown field secretFrom/],
    [{ secrets: [{ name: "s", env: ["a"] }] }, /secrets\[0\]: unknown field env/],
    [{ files: "a.yaml" }, /files: expected a list of strings/],
    [{ secrets: [{ name: "s", options: { labels: { n: 1 } } }] }, /labels\.n: expected a string/],
    [{}, /nothing to generate/],
  ])("should reject %j", (fields, message) => {
    expect(() => parseSopsGeneratorConfig({ ...base, ...fields })).toThrow(message)
  })
})

describe("file sources", () => {
  it("should parse kustomize's `path` and `key=path` forms", () => {
    expect(parseFileSource("dir/tls.crt", "w")).toEqual({ key: "tls.crt", path: "dir/tls.crt" })
    expect(parseFileSource("k=dir/f", "w")).toEqual({ key: "k", path: "dir/f" })
    expect(() => parseFileSource("=f", "w")).toThrow(/key name for file path f missing/)
    expect(() => parseFileSource("k=", "w")).toThrow(/file path for key name k missing/)
    expect(() => parseFileSource("a=b=c", "w")).toThrow(/cannot contain '='/)
  })

  it("should parse ksops's forms, failing on more than one '='", () => {
    expect(ksopsKeyPath("./secret.enc.yaml")).toEqual({ key: "secret.enc.yaml", path: "./secret.enc.yaml" })
    expect(ksopsKeyPath("secret.yaml=secret.enc.yaml")).toEqual({ key: "secret.yaml", path: "secret.enc.yaml" })
    expect(() => ksopsKeyPath("a=b=c")).toThrow(/invalid format in file generator a=b=c/)
  })
})

describe("parseKsopsConfig", () => {
  it("should fail only when both files and secretFrom are absent, as ksops does", () => {
    expect(() => parseKsopsConfig({ kind: "ksops" })).toThrow(/missing the required 'files' or 'secretFrom' key/)
    expect(parseKsopsConfig({ kind: "ksops", files: [] })).toEqual({ files: [], secretFrom: [] })
    expect(parseKsopsConfig({ kind: "ksops", secretFrom: [{ metadata: { name: "s", labels: {} }, unknownField: 1 }] }).secretFrom)
      .toEqual([{ metadata: { name: "s" }, files: [], binaryFiles: [], envs: [] }])
  })
})

describe("kustomizeBase64", () => {
  // Observed from kubectl kustomize v5.5.0's secretGenerator (literals of 51, 52 and 105 'x').
  it("should break base64 into 70-character lines once it reaches 70 characters", () => {
    expect(kustomizeBase64(Buffer.from("x".repeat(51)))).toBe("eHh4".repeat(17))
    expect(kustomizeBase64(Buffer.from("x".repeat(52)))).toBe(`${"eHh4".repeat(17)}eA\n==\n`)
    expect(kustomizeBase64(Buffer.from("x".repeat(105)))).toBe(`${"eHh4".repeat(17)}eH\n${"h4eH".repeat(17)}h4\n`)
  })
})
