// Identity discovery (spec §6.1): default keys.txt, SOPS_AGE_KEY*, commands, SSH keys, passphrase-protected identity
// files, per-context caching, and the "Did not find keys in locations" description.
import { Encrypter, armor } from "age-encryption"
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { AgeKeySource, describeIdentitySources, unusedIdentityLocations } from "../../../kms/age.js"
import { KeySourceError } from "../../../src/core/errors.js"
import { isolatedContext, sopsKeys, tempDir } from "./support.js"

const mockKey = new AgeKeySource(sopsKeys.mockRecipient)
const mockSshKey = new AgeKeySource(sopsKeys.mockSshRecipient)
const text = (bytes: Uint8Array | null): string | null => (bytes === null ? null : new TextDecoder().decode(bytes))

function write(path: string, contents: string | Uint8Array): string {
  mkdirSync(join(path, ".."), { recursive: true })
  writeFileSync(path, contents, { mode: 0o600 })
  return path
}

async function passphraseFile(contents: string, passphrase: string): Promise<Uint8Array> {
  const encrypter = new Encrypter()
  encrypter.setPassphrase(passphrase)
  encrypter.setScryptWorkFactor(10) // fast; real files use 18
  return encrypter.encrypt(contents)
}

async function failureOf(promise: Promise<unknown>): Promise<KeySourceError> {
  const error: unknown = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(KeySourceError)
  return error as KeySourceError
}

describe("default keys.txt", () => {
  it("should read $XDG_CONFIG_HOME/sops/age/keys.txt", async () => {
    const context = isolatedContext()
    write(join(context.env.XDG_CONFIG_HOME!, "sops", "age", "keys.txt"), `# test\n${sopsKeys.mockIdentity}\n`)
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
  })

  it("should fall back to the home directory's config dir when XDG_CONFIG_HOME is unset", async () => {
    const context = isolatedContext({ XDG_CONFIG_HOME: undefined })
    const configDir = process.platform === "darwin" ? join("Library", "Application Support") : ".config"
    write(join(context.env.HOME!, configDir, "sops", "age", "keys.txt"), `${sopsKeys.mockIdentity}\r\n`)
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
  })

  it("should load every source, not the first one found", async () => {
    const dir = tempDir()
    const context = isolatedContext({
      SOPS_AGE_KEY: sopsKeys.mockOtherIdentity,
      SOPS_AGE_KEY_FILE: write(join(dir, "other.txt"), sopsKeys.mockOtherIdentity),
    })
    write(join(context.env.XDG_CONFIG_HOME!, "sops", "age", "keys.txt"), sopsKeys.mockIdentity)
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
  })
})

describe("SOPS_AGE_KEY_CMD and SOPS_AGE_SSH_PRIVATE_KEY_CMD", () => {
  it("should run the key command directly with SOPS_AGE_RECIPIENT, once per context and recipient", async () => {
    const dir = tempDir()
    const keys = write(join(dir, "keys.txt"), sopsKeys.mockIdentity)
    const log = join(dir, "log")
    const command = `sh -c 'printf "%s\\n" "$SOPS_AGE_RECIPIENT" >> "$0"; cat "$1"' ${log} "${keys}"`
    const context = isolatedContext({ SOPS_AGE_KEY_CMD: command })
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
    expect(readFileSync(log, "utf8")).toBe(`${sopsKeys.mockRecipient}\n`)
    await new AgeKeySource("age1tmaae3ld5vpevmsh5yacsauzx8jetg300mpvc4ugp5zr5l6ssq9sla97ep").unwrap(sopsKeys.mockEncryptedKey, context)
    expect(readFileSync(log, "utf8").split("\n")).toHaveLength(3)
  })

  it("should not run the command through a shell", async () => {
    const error = await failureOf(mockKey.unwrap(sopsKeys.mockEncryptedKey, isolatedContext({ SOPS_AGE_KEY_CMD: `echo ${sopsKeys.mockIdentity} | cat` })))
    expect(error.message).toContain('shell operator "|" is not supported')
  })

  it("should report a failing or missing command without its output", async () => {
    const failing = await failureOf(mockKey.unwrap(sopsKeys.mockEncryptedKey,
      isolatedContext({ SOPS_AGE_KEY_CMD: `sh -c 'echo ${sopsKeys.mockIdentity}; exit 3'` }))),
    missing = await failureOf(mockKey.unwrap(sopsKeys.mockEncryptedKey, isolatedContext({ SOPS_AGE_KEY_CMD: "meow" })))
    expect(failing.message).toContain("failed to load age identities")
    expect(failing.message).toContain("exit status 3")
    expect(failing.message).not.toContain(sopsKeys.mockIdentity.slice(16))
    expect(missing.message).toContain('failed to execute the SOPS_AGE_KEY_CMD command "meow": exec: "meow": executable file not found')
  })

  it("should read an SSH key from SOPS_AGE_SSH_PRIVATE_KEY_CMD", async () => {
    const dir = tempDir()
    const key = write(join(dir, "id"), sopsKeys.mockSshIdentity)
    const log = join(dir, "log")
    const context = isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_CMD: `sh -c 'printf %s "$SOPS_AGE_RECIPIENT" > "$0"; cat "$1"' ${log} ${key}` })
    expect(text(await mockSshKey.unwrap(sopsKeys.mockEncryptedSshKey, context))).toBe("data")
    expect(readFileSync(log, "utf8")).toBe(sopsKeys.mockSshRecipient)
  })
})

describe("SSH keys", () => {
  it("should read SOPS_AGE_SSH_PRIVATE_KEY_FILE", async () => {
    const key = write(join(tempDir(), "id"), sopsKeys.mockSshIdentity)
    expect(text(await mockSshKey.unwrap(sopsKeys.mockEncryptedSshKey, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: key })))).toBe("data")
  })

  it("should read ~/.ssh/id_ed25519", async () => {
    const context = isolatedContext()
    write(join(context.env.HOME!, ".ssh", "id_ed25519"), sopsKeys.mockSshIdentity)
    expect(text(await mockSshKey.unwrap(sopsKeys.mockEncryptedSshKey, context))).toBe("data")
  })

  it("should report an unreadable SSH key when nothing matched", async () => {
    const key = write(join(tempDir(), "id"), "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n")
    const error = await failureOf(mockSshKey.unwrap(sopsKeys.mockEncryptedSshKey, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: key })))
    expect(error.message).toContain(`malformed SSH identity in ${JSON.stringify(key)}`)
  })
})

describe("identity file syntax", () => {
  it("should skip age plugin identities with a warning and use the others", async () => {
    const plugin = "AGE-PLUGIN-YUBIKEY-1QQQQQQQQQQQQQQQQQQQQQQQQ"
    const context = isolatedContext({ SOPS_AGE_KEY: `${plugin}\n${sopsKeys.mockIdentity}` })
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
    expect(context.warnings).toHaveLength(1)
    expect(context.warnings[0]).toContain("line 1")
    expect(context.warnings[0]).not.toContain(plugin)
  })

  it("should name the file and line of an unknown identity type, never the line", async () => {
    const secretish = `AGE-SECRET-KEY1${sopsKeys.mockIdentity.slice(16)}`
    const file = write(join(tempDir(), "keys.txt"), `# comment\n\n${secretish}\n`)
    const error = await failureOf(mockKey.unwrap(sopsKeys.mockEncryptedKey, isolatedContext({ SOPS_AGE_KEY_FILE: file })))
    expect(error.message).toContain(`failed to parse '${ageFileEnv}' age identities: unknown identity type at line 3`)
    expect(error.message).not.toContain(secretish)
  })

  it("should refuse a malformed identity without quoting it", async () => {
    const broken = `${sopsKeys.mockIdentity.slice(0, -1)}Q`
    const error = await failureOf(mockKey.unwrap(sopsKeys.mockEncryptedKey, isolatedContext({ SOPS_AGE_KEY: broken })))
    expect(error.message).toContain("malformed identity at line 1")
    expect(error.message).not.toContain(broken.slice(16, 40))
  })

  it("should load identities once per context", async () => {
    const file = write(join(tempDir(), "keys.txt"), sopsKeys.mockIdentity)
    const context = isolatedContext({ SOPS_AGE_KEY_FILE: file })
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
    rmSync(file)
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
    await failureOf(mockKey.unwrap(sopsKeys.mockEncryptedKey, { ...context }))
  })
})

const ageFileEnv = "SOPS_AGE_KEY_FILE"

describe("passphrase-protected identity files", () => {
  it("should decrypt a binary identity file with the passphrase, asking once per context", async () => {
    const file = write(join(tempDir(), "keys.age"), await passphraseFile(`${sopsKeys.mockIdentity}\n`, "hunter22"))
    const prompts: string[] = []
    const context = isolatedContext({ SOPS_AGE_KEY_FILE: file }, {
      askPassphrase: async prompt => {
        prompts.push(prompt)
        return "hunter22"
      },
    })
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
    expect(prompts).toEqual([`Enter passphrase for identity '${ageFileEnv}':`])
  })

  it("should decrypt an armored identity file as the default keys.txt", async () => {
    const context = isolatedContext({}, { askPassphrase: async () => "hunter22" })
    const path = join(context.env.XDG_CONFIG_HOME!, "sops", "age", "keys.txt")
    write(path, armor.encode(await passphraseFile(sopsKeys.mockIdentity, "hunter22")))
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
  })

  it("should decrypt sops's mockEncryptedIdentity given in SOPS_AGE_KEY", async () => {
    const context = isolatedContext({ SOPS_AGE_KEY: sopsKeys.mockEncryptedIdentity }, {
      askPassphrase: async () => sopsKeys.mockIdentityPassphrase,
    })
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
  })

  it("should not ask when a plain identity already matched", async () => {
    let asked = 0
    const context = isolatedContext({
      SOPS_AGE_KEY: sopsKeys.mockIdentity,
      SOPS_AGE_KEY_FILE: write(join(tempDir(), "keys.age"), await passphraseFile(sopsKeys.mockOtherIdentity, "pw")),
    }, { askPassphrase: async () => `${asked++}` })
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
    expect(asked).toBe(0)
  })

  it("should fail clearly without a prompt or with a wrong passphrase, and ask again after a failure", async () => {
    const file = write(join(tempDir(), "keys.age"), await passphraseFile(sopsKeys.mockIdentity, "right"))
    const noPrompt = await failureOf(mockKey.unwrap(sopsKeys.mockEncryptedKey, isolatedContext({ SOPS_AGE_KEY_FILE: file })))
    expect(noPrompt.message).toContain("passphrase-protected and no passphrase prompt is available")
    const answers = ["wrong", "right"]
    const context = isolatedContext({ SOPS_AGE_KEY_FILE: file }, { askPassphrase: async () => answers.shift()! })
    const wrong = await failureOf(mockKey.unwrap(sopsKeys.mockEncryptedKey, context))
    expect(wrong.message).toContain("incorrect passphrase")
    expect(wrong.message).not.toContain("wrong")
    expect(text(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context))).toBe("data")
  })

  it("should warn when the decrypted identities do not match", async () => {
    const file = write(join(tempDir(), "keys.age"), await passphraseFile(sopsKeys.mockOtherIdentity, "pw"))
    const context = isolatedContext({ SOPS_AGE_KEY_FILE: file }, { askPassphrase: async () => "pw" })
    expect(await mockKey.unwrap(sopsKeys.mockEncryptedKey, context)).toBeNull()
    expect(context.warnings).toEqual([`encrypted identity '${ageFileEnv}' didn't match file's recipients`])
  })
})

describe("describeIdentitySources", () => {
  it("should list every unused location in sops's order, with sops's wording", async () => {
    const context = isolatedContext()
    const home = context.env.HOME!
    const keysTxt = join(context.env.XDG_CONFIG_HOME!, "sops", "age", "keys.txt")
    expect(await unusedIdentityLocations(context)).toEqual([
      "SOPS_AGE_SSH_PRIVATE_KEY_FILE", "SOPS_AGE_SSH_PRIVATE_KEY_CMD",
      join(home, ".ssh", "id_ed25519"), join(home, ".ssh", "id_rsa"),
      "SOPS_AGE_KEY", "SOPS_AGE_KEY_FILE", "SOPS_AGE_KEY_CMD", keysTxt,
    ])
    expect(await describeIdentitySources(context)).toBe(
      `Did not find keys in locations 'SOPS_AGE_SSH_PRIVATE_KEY_FILE', 'SOPS_AGE_SSH_PRIVATE_KEY_CMD', '${join(home, ".ssh", "id_ed25519")}', `
      + `'${join(home, ".ssh", "id_rsa")}', 'SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', 'SOPS_AGE_KEY_CMD', and '${keysTxt}'.`)
  })

  it("should drop configured sources and the default file once something is configured, naming no identity", async () => {
    const context = isolatedContext({ SOPS_AGE_KEY: sopsKeys.mockIdentity, SOPS_AGE_KEY_CMD: "true" })
    const unused = await unusedIdentityLocations(context)
    expect(unused).not.toContain("SOPS_AGE_KEY")
    expect(unused).not.toContain("SOPS_AGE_KEY_CMD")
    expect(unused.some(location => location.endsWith("keys.txt"))).toBe(false)
    expect(await describeIdentitySources(context)).not.toContain(sopsKeys.mockIdentity)
  })

  it("should list a configured source that held no identity", async () => {
    const context = isolatedContext({ SOPS_AGE_KEY: "# nothing here\n" })
    expect(await unusedIdentityLocations(context)).toContain("SOPS_AGE_KEY")
  })
})
