// Shamir secret sharing over GF(2^8) as sops's fork of HashiCorp Vault's (spec §7.2): shares are
// the secret's length plus one byte, the x-coordinate (group index + 1) stored last.
import { randomBytes } from "node:crypto"
import { TsopsError } from "./errors.js"

// Log/exp tables for the AES field (polynomial 0x11B, generator 3).
const EXP = new Uint8Array(510)
const LOG = new Uint8Array(256)
let tablesReady = false

function initTables(): void {
  if (tablesReady) return
  let x = 1
  for (let i = 0; i < 255; i++) {
    EXP[i] = x
    LOG[x] = i
    x ^= (x << 1) ^ (x & 0x80 ? 0x11b : 0) // x * 3
    x &= 0xff
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255]!
  tablesReady = true
}

const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!)
const div = (a: number, b: number): number => {
  if (b === 0) throw new TsopsError("divide by zero")
  return a === 0 ? 0 : EXP[(LOG[a]! + 255 - LOG[b]!) % 255]!
}

/** Splits `secret` into `parts` shares, any `threshold` of which recover it. */
export function split(secret: Uint8Array, parts: number, threshold: number, random: (n: number) => Uint8Array = randomBytes): Uint8Array[] {
  initTables()
  if (parts < threshold) throw new TsopsError("could not split data key into parts for Shamir: parts cannot be less than threshold")
  if (parts > 255) throw new TsopsError("could not split data key into parts for Shamir: parts cannot exceed 255")
  if (threshold < 2) throw new TsopsError("could not split data key into parts for Shamir: threshold must be at least 2")
  if (threshold > 255) throw new TsopsError("could not split data key into parts for Shamir: threshold cannot exceed 255")
  if (secret.length === 0) throw new TsopsError("could not split data key into parts for Shamir: cannot split an empty secret")
  const shares = Array.from({ length: parts }, (_, i) => {
    const share = new Uint8Array(secret.length + 1)
    share[secret.length] = i + 1
    return share
  })
  for (let j = 0; j < secret.length; j++) {
    const coefficients = random(threshold - 1)
    for (let i = 0; i < parts; i++) {
      const x = i + 1
      let y = 0
      for (let c = threshold - 2; c >= 0; c--) y = mul(y ^ coefficients[c]!, x)
      shares[i]![j] = y ^ secret[j]!
    }
  }
  return shares
}

/** Recovers the secret from two or more shares with distinct x-coordinates (Lagrange at x = 0). */
export function combine(shares: readonly Uint8Array[]): Uint8Array {
  initTables()
  if (shares.length < 2) throw new TsopsError("less than two parts cannot be used to reconstruct the secret")
  const length = shares[0]!.length
  if (length < 2) throw new TsopsError("parts must be at least two bytes")
  const xs = shares.map(share => {
    if (share.length !== length) throw new TsopsError("all parts must be the same length")
    return share[length - 1]!
  })
  if (new Set(xs).size !== xs.length) throw new TsopsError("duplicate part detected")
  const secret = new Uint8Array(length - 1)
  for (let i = 0; i < shares.length; i++) {
    let basis = 1
    for (let m = 0; m < shares.length; m++) if (m !== i) basis = mul(basis, div(xs[m]!, xs[i]! ^ xs[m]!))
    for (let j = 0; j < length - 1; j++) secret[j] = secret[j]! ^ mul(shares[i]![j]!, basis)
  }
  return secret
}
