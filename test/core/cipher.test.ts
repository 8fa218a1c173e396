// The ENC[...] grammar and the IV stash of src/core/cipher.ts (spec §2.1–2.4).
import { randomBytes } from "node:crypto"
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { Cipher, isEncrypted, parseEncrypted, randomIv } from "../../src/core/cipher.js"
import { largeValue } from "../../src/core/encrypted-bytes.js"

const runs = Number(process.env.TSOPS_FUZZ_RUNS ?? 25) * 40
const dataKey = new Uint8Array(32).fill(3)

// The reference: sops's regex, and a base64 check by regex plus re-encoding (what Go's strict
// decoder with canonical padding accepts).
const encPattern = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/s
function reference(value: string): unknown {
  const m = encPattern.exec(value)
  if (!m) return "no match"
  const decode = (text: string) => {
    const ok = /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0 && Buffer.from(text, "base64").toString("base64") === text
    return ok ? Buffer.from(text, "base64").toString("hex") : "bad base64"
  }
  const groups = [decode(m[1]!), decode(m[2]!), decode(m[3]!)]
  const bad = groups.indexOf("bad base64")
  return bad >= 0 ? `bad ${["data", "iv", "tag"][bad]}` : [...groups, m[4]]
}
function actual(value: string): unknown {
  try {
    const { ciphertext, iv, tag, type } = parseEncrypted(value)
    return [ciphertext.toString("hex"), iv.toString("hex"), tag.toString("hex"), type]
  } catch (error) {
    const message = (error as Error).message
    if (message.includes("does not match")) return "no match"
    return `bad ${/decoding (\w+)/.exec(message)![1]}`
  }
}

const sample = new Cipher(dataKey).encrypt(Buffer.from("hunter2"), "a:b:", "str")
const noise = fc.constantFrom(..."Aa0+/=,:[]]ENCivtagtype-_ \né\u0141".split(""))

describe("ENC grammar", () => {
  test.prop([fc.nat(sample.length - 1), noise, fc.constantFrom("replace", "insert", "delete")], { numRuns: runs })(
    "should parse a changed ENC string exactly as the reference does", (at, ch, how) => {
      const changed = how === "replace" ? sample.slice(0, at) + ch + sample.slice(at + 1)
        : how === "insert" ? sample.slice(0, at) + ch + sample.slice(at) : sample.slice(0, at) + sample.slice(at + 1)
      expect(actual(changed)).toEqual(reference(changed))
      expect(isEncrypted(changed)).toBe(encPattern.test(changed))
    })

  test.prop([fc.array(fc.oneof(noise, fc.constantFrom(",iv:", ",tag:", ",type:", "]", "==")), { maxLength: 30 }).map(parts => `ENC[AES256_GCM,data:${parts.join("")}`)], { numRuns: runs })(
    "should split like sops's greedy regex", value => {
      expect(actual(value)).toEqual(reference(value))
      expect(isEncrypted(value)).toBe(encPattern.test(value))
    })

  it("should refuse non-canonical padding bits and foreign alphabets", () => {
    const enc = (data: string) => `ENC[AES256_GCM,data:${data},iv:AAAA,tag:AAAA,type:str]`
    expect(actual(enc("QQ=="))).toEqual(["41", "000000", "000000", "str"])
    expect(actual(enc("QR=="))).toBe("bad data")
    expect(actual(enc("QUK="))).toBe("bad data")
    expect(actual(enc("QU-D"))).toBe("bad data")
    expect(actual(enc("QU\u0141D"))).toBe("bad data")
    expect(actual(enc("Q==="))).toBe("bad data")
  })
})

describe("IV stash", () => {
  const reencrypt = (plaintext: Buffer, aad: string, options: { remember?: boolean } = {}) => {
    const first = new Cipher(dataKey).encrypt(plaintext, aad, "str")
    const cipher = new Cipher(dataKey, undefined, undefined, options)
    cipher.decrypt(first, aad)
    return { first, again: cipher.encrypt(plaintext, aad, "str"), cipher }
  }

  it.each([16, 256, 257, 100_000])("should re-encrypt an unchanged %i-byte value to the same ENC string", size => {
    const { first, again } = reencrypt(Buffer.alloc(size, 7), "k:")
    expect(again).toBe(first)
  })

  it.each([16, 100_000])("should give a changed %i-byte value, or another AAD, a new IV", size => {
    const { first, cipher } = reencrypt(Buffer.alloc(size, 7), "k:")
    const changed = Buffer.alloc(size, 7)
    changed[size - 1] = 8
    expect(parseEncrypted(cipher.encrypt(changed, "k:", "str")).iv).not.toEqual(parseEncrypted(first).iv)
    expect(parseEncrypted(cipher.encrypt(Buffer.alloc(size, 7), "j:", "str")).iv).not.toEqual(parseEncrypted(first).iv)
  })

  it("should keep the stash in a cipher made from another one", () => {
    const { first, cipher } = reencrypt(Buffer.alloc(300, 1), "k:")
    expect(new Cipher(dataKey, randomIv, cipher).encrypt(Buffer.alloc(300, 1), "k:", "str")).toBe(first)
  })

  it.each([16, 1000, largeValue + 1])("should reuse a %i-byte value's IV under a new data key (rotate), for that value only", size => {
    const plaintext = randomBytes(size)
    const { first, cipher } = reencrypt(plaintext, "k:")
    const rotated = new Cipher(new Uint8Array(32).fill(4), randomIv, cipher)
    const ivOf = (value: string | Uint8Array) => parseEncrypted(typeof value === "string" ? value : Buffer.from(value).toString("latin1")).iv
    expect(ivOf(rotated.encryptValue(plaintext, "k:", "str"))).toEqual(ivOf(first))
    const changed = Buffer.from(plaintext)
    changed[0] = changed[0]! ^ 1
    expect(ivOf(rotated.encryptValue(changed, "k:", "str"))).not.toEqual(ivOf(first))
  })

  it("should remember nothing when told so", () => {
    const { first, again } = reencrypt(Buffer.from("x"), "k:", { remember: false })
    expect(again).not.toBe(first)
  })

  it("should hand out a fresh random IV every time", () => {
    const seen = new Set<string>()
    for (let i = 0; i < 600; i++) seen.add(Buffer.from(randomIv(new Uint8Array(), "")).toString("hex"))
    expect(seen.size).toBe(600)
  })
})
