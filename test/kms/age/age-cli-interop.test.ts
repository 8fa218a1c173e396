// Interop with the real `age` CLI (1.1.1) both ways, for X25519, ssh-ed25519 and ssh-rsa keys made by age-keygen and
// ssh-keygen, including passphrase-protected SSH keys (OpenSSH aes256-ctr / aes256-gcm, legacy encrypted PEM).
import { generateKeyPairSync, randomBytes } from "node:crypto"
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { keyType } from "../../../kms/age.js"
import { KeySourceError } from "../../../src/core/errors.js"
import { hex, isolatedContext, run, tempDir } from "./support.js"

const passphrase = "correct horse"
let dir: string

const path = (name: string): string => join(dir, name)
const publicKeyOf = (name: string): string => readFileSync(path(`${name}.pub`), "utf8").trim()

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tsops-age-cli-"))
  run("age-keygen", ["-o", path("x25519.txt")])
  const sshKeygen = (name: string, ...args: string[]): void => {
    run("ssh-keygen", ["-q", "-N", "", "-C", `${name}@tsops-test`, "-f", path(name), ...args])
  }
  sshKeygen("ed25519", "-t", "ed25519")
  sshKeygen("rsa", "-t", "rsa", "-b", "3072")
  sshKeygen("ed25519-ctr", "-t", "ed25519", "-N", passphrase)
  sshKeygen("ed25519-gcm", "-t", "ed25519", "-N", passphrase, "-Z", "aes256-gcm@openssh.com")
  sshKeygen("rsa-ctr", "-t", "rsa", "-b", "2048", "-N", passphrase)
  sshKeygen("rsa-pem", "-t", "rsa", "-b", "2048", "-m", "PEM")
  sshKeygen("rsa-pem-encrypted", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", passphrase)
  sshKeygen("ed25519-other", "-t", "ed25519")
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface KeyCase {
  readonly name: string
  readonly recipient: () => string
  /** What `age -i` reads. */
  readonly identityFile: () => string
  /** How tsops finds the identity. */
  readonly env: () => Record<string, string>
}

const cases: KeyCase[] = [
  {
    name: "X25519",
    recipient: () => run("age-keygen", ["-y", path("x25519.txt")]).toString().trim(),
    identityFile: () => path("x25519.txt"),
    env: () => ({ SOPS_AGE_KEY_FILE: path("x25519.txt") }),
  },
  ...["ed25519", "rsa", "rsa-pem"].map((name): KeyCase => ({
    name: `ssh ${name}`,
    recipient: () => publicKeyOf(name),
    identityFile: () => path(name),
    env: () => ({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: path(name) }),
  })),
]

describe.each(cases)("$name", keyCase => {
  it("should write an enc that `age -d` decrypts to the data key", async () => {
    const dataKey = randomBytes(32)
    const [key] = keyType.fromList(keyCase.recipient())
    const enc = await key!.wrap(dataKey, isolatedContext())
    const encPath = join(tempDir(), "enc.age")
    writeFileSync(encPath, enc)
    expect(hex(run("age", ["-d", "-i", keyCase.identityFile(), encPath]))).toBe(hex(dataKey))
  })

  it("should unwrap what `age -r <recipient> -a` wrote", async () => {
    const dataKey = randomBytes(33)
    const enc = run("age", ["-r", keyCase.recipient(), "-a"], dataKey).toString()
    const [key] = keyType.fromList(keyCase.recipient())
    expect(hex((await key!.unwrap(enc, isolatedContext(keyCase.env())))!)).toBe(hex(dataKey))
  })

  it("should return null for what `age` wrote to another recipient", async () => {
    const other = publicKeyOf("ed25519-other")
    const enc = run("age", ["-r", other, "-a"], randomBytes(32)).toString()
    const [key] = keyType.fromList(other)
    expect(await key!.unwrap(enc, isolatedContext(keyCase.env()))).toBeNull()
  })
})

describe("SSH recipients given as files", () => {
  it("should unwrap what `age -R <key.pub>` wrote, with the comment kept in the recipient", async () => {
    const dataKey = randomBytes(32)
    const enc = run("age", ["-R", path("rsa.pub"), "-a"], dataKey).toString()
    const [key] = keyType.fromList(` ${publicKeyOf("rsa")} `)
    expect(key!.id).toBe(publicKeyOf("rsa"))
    expect(key!.id.endsWith("rsa@tsops-test")).toBe(true)
    const found = await key!.unwrap(enc, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: path("rsa") }))
    expect(hex(found!)).toBe(hex(dataKey))
  })
})

describe("passphrase-protected SSH keys", () => {
  const encryptedKeys = ["ed25519-ctr", "ed25519-gcm", "rsa-ctr", "rsa-pem-encrypted"]

  it.each(encryptedKeys)("should unwrap with %s after asking for the passphrase once", async name => {
    const dataKey = randomBytes(32)
    const enc = run("age", ["-R", path(`${name}.pub`), "-a"], dataKey).toString()
    const [key] = keyType.fromList(publicKeyOf(name))
    const prompts: string[] = []
    const context = isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: path(name) }, {
      askPassphrase: async prompt => {
        prompts.push(prompt)
        return passphrase
      },
    })
    expect(hex((await key!.unwrap(enc, context))!)).toBe(hex(dataKey))
    expect(hex((await key!.unwrap(enc, context))!)).toBe(hex(dataKey))
    expect(prompts).toEqual([`Enter passphrase for ${JSON.stringify(path(name))}:`])
  })

  it("should not ask for a passphrase when the file is for another key", async () => {
    const other = publicKeyOf("ed25519-other")
    const enc = run("age", ["-r", other, "-a"], randomBytes(32)).toString()
    let asked = 0
    const context = isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: path("ed25519-ctr") }, {
      askPassphrase: async () => {
        asked++
        return passphrase
      },
    })
    expect(await keyType.fromList(other)[0]!.unwrap(enc, context)).toBeNull()
    expect(asked).toBe(0)
  })

  it("should fail clearly on a wrong passphrase, and without a prompt", async () => {
    const enc = run("age", ["-R", path("ed25519-gcm.pub"), "-a"], randomBytes(32)).toString()
    const [key] = keyType.fromList(publicKeyOf("ed25519-gcm"))
    const wrong = await key!.unwrap(enc, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: path("ed25519-gcm") }, {
      askPassphrase: async () => "not it",
    })).catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(KeySourceError)
    expect((wrong as Error).message).toContain("incorrect passphrase")
    expect((wrong as Error).message).not.toContain("not it")
    const noPrompt = await key!.unwrap(enc, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: path("ed25519-gcm") }))
      .catch((e: unknown) => e)
    expect(noPrompt).toBeInstanceOf(KeySourceError)
    expect((noPrompt as Error).message).toContain("no passphrase prompt is available")
  })

  it("should need <key>.pub for a legacy encrypted PEM key, and refuse a mismatched one", async () => {
    const enc = run("age", ["-R", path("rsa-pem-encrypted.pub"), "-a"], randomBytes(32)).toString()
    const [key] = keyType.fromList(publicKeyOf("rsa-pem-encrypted"))
    const ask = { askPassphrase: async () => passphrase }
    const alone = join(tempDir(), "id_rsa")
    copyFileSync(path("rsa-pem-encrypted"), alone)
    const missing = await key!.unwrap(enc, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: alone }, ask)).catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(KeySourceError)
    expect((missing as Error).message).toContain(`${alone}.pub`)

    // The .pub of another RSA key: its tag matches the stanza age wrote for it, the private key does not.
    const otherEnc = run("age", ["-R", path("rsa-ctr.pub"), "-a"], randomBytes(32)).toString()
    copyFileSync(path("rsa-ctr.pub"), `${alone}.pub`)
    const mismatched = await keyType.fromList(publicKeyOf("rsa-ctr"))[0]!
      .unwrap(otherEnc, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: alone }, ask)).catch((e: unknown) => e)
    expect(mismatched).toBeInstanceOf(KeySourceError)
    expect((mismatched as Error).message).toContain("mismatched private and public SSH key")
  })

  it("should read an unencrypted PKCS#8 Ed25519 key", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519")
    const keyPath = join(tempDir(), "ed25519.pem")
    writeFileSync(keyPath, privateKey.export({ format: "pem", type: "pkcs8" }))
    const point = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url")
    const blob = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from("ssh-ed25519"), Buffer.from([0, 0, 0, 32]), point])
    const recipient = `ssh-ed25519 ${blob.toString("base64")}`
    const dataKey = randomBytes(32)
    const enc = run("age", ["-r", recipient, "-a"], dataKey).toString()
    const found = await keyType.fromList(recipient)[0]!.unwrap(enc, isolatedContext({ SOPS_AGE_SSH_PRIVATE_KEY_FILE: keyPath }))
    expect(hex(found!)).toBe(hex(dataKey))
  })
})
