// SSH public keys as age uses them: authorized_keys lines (`ssh-ed25519 AAAA… comment`), wire blobs and the 4-byte tag.
import { createHash } from "node:crypto"
import { base64nopad } from "@scure/base"
import { concatBytes } from "./primitives.js"
import { SshReader, sshMpint, sshString } from "./ssh-wire.js"

/** A parsed SSH public key of a type age supports; `blob` is its wire encoding (what the tag hashes). */
export type SshPublicKey =
  | { readonly type: "ssh-ed25519"; readonly blob: Uint8Array; readonly point: Uint8Array }
  | { readonly type: "ssh-rsa"; readonly blob: Uint8Array; readonly n: bigint; readonly e: bigint }

/** Parses a wire blob. Throws a plain Error (caller adds context) for malformed or unsupported keys. */
export function parseSshPublicKeyBlob(blob: Uint8Array): SshPublicKey {
  const reader = new SshReader(blob)
  const type = reader.text()
  switch (type) {
    case "ssh-ed25519": {
      const point = reader.string()
      if (point.length !== 32) throw new Error("invalid Ed25519 public key size")
      if (reader.remaining !== 0) throw new Error("trailing data after public key")
      return { type, blob, point }
    }
    case "ssh-rsa": {
      const e = reader.mpint()
      const n = reader.mpint()
      if (reader.remaining !== 0) throw new Error("trailing data after public key")
      // golang.org/x/crypto/ssh refuses exponents above 24 bits and even or tiny ones.
      if (e < 3n || e >= 1n << 24n || (e & 1n) === 0n) throw new Error("incorrect RSA exponent")
      return { type, blob, n, e }
    }
    default:
      throw new UnsupportedSshKeyTypeError(type)
  }
}

export class UnsupportedSshKeyTypeError extends Error {
  readonly keyType: string
  constructor(keyType: string) {
    super(`unknown SSH recipient type: ${JSON.stringify(keyType)}`)
    this.keyType = keyType
  }
}

/** Parses `type base64 [comment]` (one authorized_keys line without options). */
export function parseAuthorizedKey(line: string): SshPublicKey {
  const fields = line.trim().split(/[ \t]+/)
  const encoded = fields[1]
  if (encoded === undefined) throw new Error("missing key data")
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new Error("key data is not valid base64")
  return parseSshPublicKeyBlob(Uint8Array.from(Buffer.from(encoded, "base64")))
}

export function ed25519PublicKeyBlob(point: Uint8Array): Uint8Array {
  return concatBytes(sshString("ssh-ed25519"), sshString(point))
}

export function rsaPublicKeyBlob(n: bigint, e: bigint): Uint8Array {
  return concatBytes(sshString("ssh-rsa"), sshMpint(e), sshMpint(n))
}

/** The stanza's first argument: unpadded base64 of the first 4 bytes of SHA-256(blob) (agessh `sshFingerprint`). */
export function sshTag(blob: Uint8Array): string {
  return base64nopad.encode(createHash("sha256").update(blob).digest().subarray(0, 4))
}

/** Byte length of the RSA modulus. */
export function rsaModulusBytes(n: bigint): number {
  return Math.ceil(n.toString(2).length / 8)
}
