// SSH private key files made by ssh-keygen: OpenSSH format with each cipher, legacy PEM, wrong passphrases.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { IncorrectPassphraseError, parseSshPrivateKey, type SshPrivateKey } from "../../../kms/age/openssh-key.js"
import { parseAuthorizedKey } from "../../../kms/age/ssh-public-key.js"
import { publicKeyBlobOf } from "../../../kms/age/ssh.js"
import { hex, run, sopsKeys, tempDir } from "./support.js"

const passphrase = "open sesame"

function keygen(dir: string, name: string, ...args: string[]): { text: string; publicBlob: Uint8Array } {
  run("ssh-keygen", ["-q", "-C", "", "-f", join(dir, name), ...args])
  return {
    text: readFileSync(join(dir, name), "utf8"),
    publicBlob: parseAuthorizedKey(readFileSync(join(dir, `${name}.pub`), "utf8")).blob,
  }
}

async function decrypted(text: string, secret: string): Promise<SshPrivateKey> {
  const parsed = parseSshPrivateKey(text)
  if (!parsed.encrypted) throw new Error("expected an encrypted key")
  return parsed.decrypt(secret)
}

describe("parseSshPrivateKey", () => {
  it("should read sops's unencrypted mockSshIdentity", () => {
    const parsed = parseSshPrivateKey(sopsKeys.mockSshIdentity)
    expect(parsed.encrypted).toBe(false)
    if (parsed.encrypted) return
    expect(hex(publicKeyBlobOf(parsed.key))).toBe(hex(parseAuthorizedKey(sopsKeys.mockSshRecipient).blob))
  })

  it.each([
    ["ed25519", "aes256-ctr"], ["ed25519", "aes256-gcm@openssh.com"], ["ed25519", "aes128-ctr"], ["ed25519", "aes256-cbc"],
    ["ed25519", "aes128-gcm@openssh.com"], ["rsa", "aes256-ctr"],
  ])("should decrypt a %s key encrypted with %s and match its .pub", async (type, cipher) => {
    const dir = tempDir()
    const { text, publicBlob } = keygen(dir, "key", "-t", type, "-b", "2048", "-N", passphrase, "-Z", cipher)
    const parsed = parseSshPrivateKey(text)
    expect(parsed.encrypted).toBe(true)
    if (!parsed.encrypted) return
    expect(hex(parsed.publicKey!.blob)).toBe(hex(publicBlob)) // the OpenSSH format embeds the public key
    expect(hex(publicKeyBlobOf(await parsed.decrypt(passphrase)))).toBe(hex(publicBlob))
    await expect(parsed.decrypt("not the passphrase")).rejects.toBeInstanceOf(IncorrectPassphraseError)
  })

  it("should read legacy PEM RSA keys, plain and encrypted, without an embedded public key", async () => {
    const dir = tempDir()
    const plain = keygen(dir, "plain", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "")
    expect(plain.text.startsWith("-----BEGIN RSA PRIVATE KEY-----")).toBe(true)
    const parsedPlain = parseSshPrivateKey(plain.text)
    expect(parsedPlain.encrypted).toBe(false)
    if (!parsedPlain.encrypted) expect(hex(publicKeyBlobOf(parsedPlain.key))).toBe(hex(plain.publicBlob))

    const encrypted = keygen(dir, "encrypted", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", passphrase)
    expect(encrypted.text).toContain("Proc-Type: 4,ENCRYPTED")
    const parsed = parseSshPrivateKey(encrypted.text)
    expect(parsed.encrypted && parsed.publicKey).toBeNull()
    expect(hex(publicKeyBlobOf(await decrypted(encrypted.text, passphrase)))).toBe(hex(encrypted.publicBlob))
    await expect(decrypted(encrypted.text, "nope")).rejects.toBeInstanceOf(IncorrectPassphraseError)
  })

  it("should refuse key types age cannot use, and text without a key", () => {
    const dir = tempDir()
    for (const secret of ["", passphrase]) {
      run("ssh-keygen", ["-q", "-C", "", "-t", "ecdsa", "-N", secret, "-f", join(dir, `ecdsa${secret.length}`)])
      const text = readFileSync(join(dir, `ecdsa${secret.length}`), "utf8")
      expect(() => parseSshPrivateKey(text)).toThrowError("unsupported SSH identity type: ecdsa-sha2-nistp256")
    }
    expect(() => parseSshPrivateKey("hello")).toThrowError("ssh: no key found")
    expect(() => parseSshPrivateKey(sopsKeys.mockSshIdentity.replace("b3BlbnNzaC1rZXktdjEA", "b3BlbnNzaC1rZXktdjIA")))
      .toThrowError("invalid openssh private key format")
  })

  it("should read a key with CRLF line ends and text around it", () => {
    const parsed = parseSshPrivateKey(`junk\r\n${sopsKeys.mockSshIdentity.replaceAll("\n", "\r\n")}more junk`)
    expect(parsed.encrypted).toBe(false)
  })
})
