// The SSH wire encoding (RFC 4251 §5: uint32, string, mpint) that SSH public keys and OpenSSH private keys use.
import { concatBytes } from "./primitives.js"

/** Reads SSH wire fields from a byte buffer; every read checks bounds and throws a plain Error when short. */
export class SshReader {
  readonly #bytes: Uint8Array
  #at = 0

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
  }

  get remaining(): number {
    return this.#bytes.length - this.#at
  }

  uint32(): number {
    const raw = this.raw(4)
    return ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0
  }

  string(): Uint8Array {
    return this.raw(this.uint32())
  }

  text(): string {
    return new TextDecoder().decode(this.string())
  }

  /** An mpint as a non-negative bigint (RFC 4251 §5: two's complement, big-endian). Negative values are refused. */
  mpint(): bigint {
    const raw = this.string()
    if (raw.length > 0 && (raw[0]! & 0x80) !== 0) throw new Error("negative mpint")
    return bytesToBigint(raw)
  }

  raw(length: number): Uint8Array {
    if (length > this.remaining) throw new Error("truncated SSH data")
    const out = this.#bytes.subarray(this.#at, this.#at + length)
    this.#at += length
    return out
  }

  rest(): Uint8Array {
    return this.raw(this.remaining)
  }
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value
}

/** Minimal unsigned big-endian bytes of a non-negative bigint (empty for zero). */
export function bigintToBytes(value: bigint): Uint8Array {
  const out: number[] = []
  for (let v = value; v > 0n; v >>= 8n) out.unshift(Number(v & 0xffn))
  return Uint8Array.from(out)
}

export function sshString(bytes: Uint8Array | string): Uint8Array {
  const body = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes
  const out = new Uint8Array(4 + body.length)
  new DataView(out.buffer).setUint32(0, body.length)
  out.set(body, 4)
  return out
}

/** The canonical mpint encoding: minimal bytes, plus a leading zero when the top bit is set. */
export function sshMpint(value: bigint): Uint8Array {
  const bytes = bigintToBytes(value)
  return sshString(bytes.length > 0 && (bytes[0]! & 0x80) !== 0 ? concatBytes(Uint8Array.of(0), bytes) : bytes)
}

/** Unpadded base64url of a bigint's minimal bytes, as JWK wants RSA parameters (node:crypto imports them that way). */
export function jwkBigint(value: bigint): string {
  return Buffer.from(bigintToBytes(value)).toString("base64url")
}
