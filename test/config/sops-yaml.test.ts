// .sops.yaml: discovery from the working directory, creation rules with sops's first-match
// semantics, keys from flags replacing the rule's, stores settings (spec §8).
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { findConfigPath, loadConfig, selectCreationRule } from "../../src/config/sops-yaml.js"
import { decrypt, encrypt } from "../../src/index.js"
import { readFixture } from "../support/fixtures.js"
import { tempDir } from "../support/env.js"

const recipients = readFixture("reference/keys/recipients.txt").toString()
const [A, B, C] = [...recipients.matchAll(/age1[0-9a-z]{58}/g)].map(m => m[0])
const dir = tempDir()
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const env = (key: "a" | "b" | "c" | "all") => ({ HOME: dir, SOPS_AGE_KEY: readFixture(`reference/keys/age-${key}.txt`).toString() })

function write(path: string, text: string): string {
  const full = join(dir, path)
  mkdirSync(join(full, ".."), { recursive: true })
  writeFileSync(full, text)
  return full
}

const recipientsOf = (text: string) => [...text.matchAll(/recipient: (age1\w+)/g)].map(m => m[1])

describe(".sops.yaml", () => {
  write("repo/.sops.yaml", [
    "creation_rules:",
    "  - path_regex: prod/.*\\.yaml$",
    `    age: ${B}`,
    "    encrypted_regex: ^(password|token)$",
    "  - path_regex: shared/",
    "    key_groups:",
    `      - age: [${A}]`,
    `      - age: [${B}]`,
    `      - age: [${C}]`,
    "    shamir_threshold: 2",
    "  - path_regex: \\.env$",
    `    age: "${A}, ${C},"`,
    "    mac_only_encrypted: true",
    "stores:",
    "  yaml:",
    "    indent: 2",
  ].join("\n") + "\n")
  mkdirSync(join(dir, "repo/prod/deep"), { recursive: true })

  it("is found from the working directory upwards, not from the file's directory", () => {
    expect(findConfigPath(join(dir, "repo/prod/deep"))).toBe(join(dir, "repo/.sops.yaml"))
    expect(findConfigPath(dir)).toBeUndefined()
  })

  it("matches path_regex against the path relative to the config's directory, first match wins", async () => {
    const config = await loadConfig(join(dir, "repo/.sops.yaml"))
    expect(selectCreationRule(config, join(dir, "repo/prod/app.yaml"))?.keyGroups).toEqual([[{ type: "age", value: B }]])
    expect(selectCreationRule(config, join(dir, "repo/shared/x.env"))?.keyGroups).toHaveLength(3)
    expect(selectCreationRule(config, join(dir, "repo/x.env"))?.keyGroups).toEqual([[{ type: "age", value: A }, { type: "age", value: C }]])
    expect(() => selectCreationRule(config, join(dir, "repo/other.json"))).toThrow(/no matching creation rules found/)
  })

  it("encrypts with the rule's keys and regex, and the stores indent", async () => {
    const out = Buffer.from(await encrypt("user: admin\npassword: hunter2\n", { filename: "prod/app.yaml", cwd: join(dir, "repo"), env: env("b") })).toString()
    expect(recipientsOf(out)).toEqual([B])
    expect(out).toMatch(/^user: admin\npassword: ENC\[/)
    expect(out).toContain("  encrypted_regex: ^(password|token)$")
    expect(out).toContain("\n  mac: ENC[")
    const plain = Buffer.from(await decrypt(out, { filename: "prod/app.yaml", cwd: join(dir, "repo"), env: env("b") })).toString()
    expect(plain).toBe("user: admin\npassword: hunter2\n")
  })

  it("uses key groups with the rule's Shamir threshold", async () => {
    const out = Buffer.from(await encrypt("a: 1\n", { filename: "shared/s.yaml", cwd: join(dir, "repo"), env: env("a") })).toString()
    expect(out).toContain("key_groups:")
    expect(out).toContain("shamir_threshold: 2")
    await expect(decrypt(out, { filename: "s.yaml", config: false, env: env("a") })).rejects.toMatchObject({ exitCode: 128 })
    const both = { HOME: dir, SOPS_AGE_KEY: `${readFixture("reference/keys/age-a.txt")}\n${readFixture("reference/keys/age-c.txt")}` }
    expect(Buffer.from(await decrypt(out, { filename: "s.yaml", config: false, env: both })).toString()).toBe("a: 1\n")
  })

  it("takes keys from flags instead of the rule's, but keeps the rule's other settings", async () => {
    const out = Buffer.from(await encrypt("X=1\n", { filename: "app.env", age: C, cwd: join(dir, "repo"), env: env("c") })).toString()
    expect(out).toContain(`sops_age__list_0__map_recipient=${C}`)
    expect(out).not.toContain(A)
    expect(out).toContain("sops_mac_only_encrypted=true")
  })

  it("fails when rules exist but none matches, even with keys on the command line (sops quirk)", async () => {
    await expect(encrypt("a: 1\n", { filename: "other.json", age: A, cwd: join(dir, "repo"), env: env("a") }))
      .rejects.toThrow(/no matching creation rules found/)
  })

  it("takes the keys from SOPS_AGE_RECIPIENTS like a flag", async () => {
    const out = Buffer.from(await encrypt("a: 1\n", { filename: "x.yaml", config: false, env: { HOME: dir, SOPS_AGE_RECIPIENTS: `${A},${B}` } })).toString()
    expect(recipientsOf(out)).toEqual([A, B])
  })

  it("refuses conflicting rules between flags and config (exit 8)", async () => {
    await expect(encrypt("a: 1\n", { filename: "prod/app.yaml", unencryptedSuffix: "_plain", cwd: join(dir, "repo"), env: env("b") }))
      .rejects.toMatchObject({ exitCode: 8 })
  })
})
