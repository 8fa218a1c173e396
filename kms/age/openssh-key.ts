// SSH private key files: the OpenSSH format (openssh-key-v1, plain or bcrypt-pbkdf + AES encrypted) parsed by hand,
// PEM (PKCS#1, PKCS#8, legacy encrypted) through node:crypto. Hand-written because no npm package in the tree reads
// the OpenSSH container; the key types are those agessh accepts (ed25519, RSA).
import { createDecipheriv, createPrivateKey, type DecipherGCM, type KeyObject } from "node:crypto"
import { UnsupportedSshKeyTypeError, parseSshPublicKeyBlob, type SshPublicKey } from "./ssh-public-key.js"
import { SshReader, bytesToBigint, jwkBigint } from "./ssh-wire.js"

/** A decrypted private key. Short-lived: ssh.ts turns it into an identity that keeps the secrets in #private fields. */
export type SshPrivateKey =
  | { readonly type: "ssh-ed25519"; readonly seed: Uint8Array; readonly point: Uint8Array }
  | { readonly type: "ssh-rsa"; readonly key: KeyObject; readonly n: bigint; readonly e: bigint }

export type ParsedSshPrivateKey =
  | { readonly encrypted: false; readonly key: SshPrivateKey }
  | {
      readonly encrypted: true
      /** Embedded in the OpenSSH format; null for PEM files, whose public key must come from `<path>.pub`. */
      readonly publicKey: SshPublicKey | null
      /** Throws IncorrectPassphraseError for a wrong passphrase. */
      decrypt(passphrase: string): Promise<SshPrivateKey>
    }

export class IncorrectPassphraseError extends Error {
  constructor() {
    super("incorrect passphrase")
  }
}

/** Parses the first PEM block of a key file. Throws a plain Error (no key material in its message). */
export function parseSshPrivateKey(text: string): ParsedSshPrivateKey {
  const block = findPemBlock(text)
  if (block === null) throw new Error("ssh: no key found")
  switch (block.label) {
    case "OPENSSH PRIVATE KEY":
      return parseOpenSsh(block.body)
    case "RSA PRIVATE KEY":
    case "PRIVATE KEY":
    case "ENCRYPTED PRIVATE KEY":
      return parsePem(block.text, block.label === "ENCRYPTED PRIVATE KEY" || /^Proc-Type:\s*4,ENCRYPTED/m.test(block.text))
    default:
      throw new Error(`unsupported SSH identity type: ${block.label}`)
  }
}

interface PemBlock {
  readonly label: string
  readonly text: string
  readonly body: Uint8Array
}

function findPemBlock(text: string): PemBlock | null {
  const begin = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n/.exec(text)
  if (begin === null) return null
  const label = begin[1]!
  const endMarker = `-----END ${label}-----`
  const end = text.indexOf(endMarker, begin.index)
  if (end < 0) return null
  const inner = text.slice(begin.index + begin[0].length, end)
  // PEM headers (Proc-Type, DEK-Info) end at the first empty line; the base64 body follows.
  const base64Text = /^[A-Za-z-]+:/.test(inner) ? inner.slice(inner.search(/\r?\n\r?\n/) + 1) : inner
  const compact = base64Text.replace(/\s+/g, "")
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw new Error("ssh: malformed PEM block")
  return { label, text: text.slice(begin.index, end + endMarker.length) + "\n", body: Buffer.from(compact, "base64") }
}

const openSshMagic = "openssh-key-v1\0"

interface CipherSpec {
  readonly algorithm: string
  readonly keyLength: number
  readonly ivLength: number
  readonly tagLength: number
}

// The ciphers ssh-keygen offers for key files (`ssh-keygen -Z`), except chacha20-poly1305@openssh.com.
const ciphers: Readonly<Record<string, CipherSpec>> = {
  "aes128-ctr": { algorithm: "aes-128-ctr", keyLength: 16, ivLength: 16, tagLength: 0 },
  "aes192-ctr": { algorithm: "aes-192-ctr", keyLength: 24, ivLength: 16, tagLength: 0 },
  "aes256-ctr": { algorithm: "aes-256-ctr", keyLength: 32, ivLength: 16, tagLength: 0 },
  "aes128-cbc": { algorithm: "aes-128-cbc", keyLength: 16, ivLength: 16, tagLength: 0 },
  "aes192-cbc": { algorithm: "aes-192-cbc", keyLength: 24, ivLength: 16, tagLength: 0 },
  "aes256-cbc": { algorithm: "aes-256-cbc", keyLength: 32, ivLength: 16, tagLength: 0 },
  "aes128-gcm@openssh.com": { algorithm: "aes-128-gcm", keyLength: 16, ivLength: 12, tagLength: 16 },
  "aes256-gcm@openssh.com": { algorithm: "aes-256-gcm", keyLength: 32, ivLength: 12, tagLength: 16 },
}

// Layout (OpenSSH PROTOCOL.key): magic, string cipher, string kdf, string kdfoptions, uint32 n, n × string public key,
// string private section (encrypted as a whole), then for AEAD ciphers the authentication tag.
function parseOpenSsh(body: Uint8Array): ParsedSshPrivateKey {
  const magic = new TextEncoder().encode(openSshMagic)
  if (body.length < magic.length || !magic.every((byte, i) => body[i] === byte)) throw new Error("ssh: invalid openssh private key format")
  const reader = new SshReader(body.subarray(magic.length))
  const cipherName = reader.text()
  const kdfName = reader.text()
  const kdfOptions = reader.string()
  if (reader.uint32() !== 1) throw new Error("ssh: multi-key files are not supported")
  const publicBlob = reader.string()
  const privateSection = reader.string()

  if (cipherName === "none" && kdfName === "none") {
    return { encrypted: false, key: parsePrivateSection(privateSection, 8) }
  }
  const cipher = ciphers[cipherName]
  if (cipher === undefined) throw new Error(`ssh: unknown cipher ${JSON.stringify(cipherName)}, only aes-ctr, aes-cbc and aes-gcm are supported`)
  if (kdfName !== "bcrypt") throw new Error(`ssh: unknown KDF ${JSON.stringify(kdfName)}, only bcrypt is supported`)
  const options = new SshReader(kdfOptions)
  const salt = options.string()
  const rounds = options.uint32()
  const tag = reader.raw(cipher.tagLength)
  if (privateSection.length % 16 !== 0) throw new Error("ssh: invalid encrypted private key length")
  let publicKey: SshPublicKey
  try {
    publicKey = parseSshPublicKeyBlob(publicBlob)
  } catch (error) {
    if (error instanceof UnsupportedSshKeyTypeError) throw new Error(`unsupported SSH identity type: ${error.keyType}`)
    throw error
  }

  return {
    encrypted: true,
    publicKey,
    async decrypt(passphrase: string): Promise<SshPrivateKey> {
      const { default: bcryptPbkdf } = await import("bcrypt-pbkdf")
      const password = new TextEncoder().encode(passphrase)
      const derived = new Uint8Array(cipher.keyLength + cipher.ivLength)
      if (bcryptPbkdf.pbkdf(password, password.length, salt, salt.length, derived, derived.length, rounds) !== 0) {
        throw new Error("ssh: invalid bcrypt parameters")
      }
      const decipher = createDecipheriv(cipher.algorithm, derived.subarray(0, cipher.keyLength), derived.subarray(cipher.keyLength))
      decipher.setAutoPadding(false)
      if (cipher.tagLength > 0) (decipher as DecipherGCM).setAuthTag(tag)
      let plain: Uint8Array
      try {
        plain = Buffer.concat([decipher.update(privateSection), decipher.final()])
      } catch {
        throw new IncorrectPassphraseError()
      }
      return parsePrivateSection(plain, 16)
    },
  }
}

function parsePrivateSection(section: Uint8Array, blockSize: number): SshPrivateKey {
  const reader = new SshReader(section)
  // Two equal random words: different ones mean the decryption key (the passphrase) was wrong.
  if (reader.uint32() !== reader.uint32()) throw new IncorrectPassphraseError()
  const type = reader.text()
  let key: SshPrivateKey
  switch (type) {
    case "ssh-ed25519": {
      const point = reader.string()
      const secret = reader.string()
      if (point.length !== 32 || secret.length !== 64) throw new Error("ssh: invalid Ed25519 private key")
      key = { type, seed: Uint8Array.from(secret.subarray(0, 32)), point: Uint8Array.from(point) }
      break
    }
    case "ssh-rsa": {
      const n = reader.mpint()
      const e = reader.mpint()
      const d = reader.mpint()
      const iqmp = reader.mpint()
      const p = reader.mpint()
      const q = reader.mpint()
      key = rsaKey({ n, e, d, p, q, iqmp })
      break
    }
    default:
      throw new Error(`unsupported SSH identity type: ${type}`)
  }
  reader.string() // comment
  const padding = reader.rest()
  if (padding.length >= blockSize || !padding.every((byte, i) => byte === i + 1)) throw new Error("ssh: padding not as expected")
  return key
}

function rsaKey(parts: { n: bigint; e: bigint; d: bigint; p: bigint; q: bigint; iqmp: bigint }): SshPrivateKey {
  const { n, e, d, p, q, iqmp } = parts
  const b64 = jwkBigint
  let key: KeyObject
  try {
    key = createPrivateKey({
      key: { kty: "RSA", n: b64(n), e: b64(e), d: b64(d), p: b64(p), q: b64(q), dp: b64(d % (p - 1n)), dq: b64(d % (q - 1n)), qi: b64(iqmp) },
      format: "jwk",
    })
  } catch {
    throw new Error("ssh: invalid RSA private key")
  }
  return { type: "ssh-rsa", key, n, e }
}

function parsePem(pem: string, encrypted: boolean): ParsedSshPrivateKey {
  if (!encrypted) return { encrypted: false, key: fromKeyObject(loadPem(pem, undefined)) }
  return {
    encrypted: true,
    publicKey: null,
    decrypt: async (passphrase: string) => fromKeyObject(loadPem(pem, passphrase)),
  }
}

function loadPem(pem: string, passphrase: string | undefined): KeyObject {
  try {
    return createPrivateKey(passphrase === undefined ? { key: pem, format: "pem" } : { key: pem, format: "pem", passphrase })
  } catch {
    if (passphrase !== undefined) throw new IncorrectPassphraseError()
    throw new Error("ssh: malformed PEM private key")
  }
}

function fromKeyObject(key: KeyObject): SshPrivateKey {
  const jwk = key.export({ format: "jwk" })
  const bytes = (field: string | undefined): Uint8Array => Uint8Array.from(Buffer.from(field ?? "", "base64url"))
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { type: "ssh-rsa", key, n: bytesToBigint(bytes(jwk.n)), e: bytesToBigint(bytes(jwk.e)) }
    case "ed25519":
      return { type: "ssh-ed25519", seed: bytes(jwk.d), point: bytes(jwk.x) }
    default:
      throw new Error(`unsupported SSH identity type: ${key.asymmetricKeyType ?? "unknown"}`)
  }
}
