// The native age code (node:crypto header, MAC, STREAM, X25519, armor) against typage on the same inputs: every CCTV
// vector, randomly damaged files, armor, identities and recipients, and files written by one and opened by the other.
// tsops must accept and refuse exactly what typage (and so age) does.
import { test as propTest, fc } from "@fast-check/vitest"
import { Decrypter, Encrypter, armor } from "age-encryption"
import { createCipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { PassphraseIdentity, nativeIdentity, type AgeIdentity } from "../../../kms/age/age-identity.js"
import { ArmorError, decodeArmor, encodeArmor } from "../../../kms/age/armor.js"
import { decryptAge } from "../../../kms/age/decrypt.js"
import { encryptAge } from "../../../kms/age/encrypt.js"
import { X25519Recipient } from "../../../kms/age/x25519.js"
import { hex, readCctvVector, sopsKeys } from "./support.js"

const runs = Number(process.env.TSOPS_FUZZ_RUNS ?? 200)
const otherRecipient = "age1tmaae3ld5vpevmsh5yacsauzx8jetg300mpvc4ugp5zr5l6ssq9sla97ep"

type Outcome = "no match" | "error" | "armor error" | `plaintext ${string}`

async function typageOutcome(file: Uint8Array, identities: readonly string[], passphrases: readonly string[] = []): Promise<Outcome> {
  const decrypter = new Decrypter()
  for (const identity of identities) decrypter.addIdentity(identity)
  for (const passphrase of passphrases) decrypter.addPassphrase(passphrase)
  // Reached only when every identity said "not mine": typage's error is then "no identity matched".
  let exhausted = false
  decrypter.addIdentity({
    unwrapFileKey() {
      exhausted = true
      return null
    },
  })
  try {
    return `plaintext ${hex(await decrypter.decrypt(file))}`
  } catch {
    return exhausted ? "no match" : "error"
  }
}

async function nativeOutcome(file: Uint8Array, identities: readonly string[], passphrases: readonly string[] = []): Promise<Outcome> {
  const native: AgeIdentity[] = [
    ...identities.map(identity => nativeIdentity(identity, "test")),
    ...passphrases.map(passphrase => new PassphraseIdentity(passphrase, "test")),
  ]
  try {
    const plaintext = await decryptAge(file, native)
    return plaintext === null ? "no match" : `plaintext ${hex(plaintext)}`
  } catch {
    return "error"
  }
}

function typageArmor(text: string): Uint8Array | "armor error" {
  try {
    return armor.decode(text)
  } catch {
    return "armor error"
  }
}

function nativeArmor(text: string): Uint8Array | "armor error" {
  try {
    return decodeArmor(text)
  } catch (error) {
    expect(error).toBeInstanceOf(ArmorError)
    return "armor error"
  }
}

const sameArmor = (a: Uint8Array | "armor error", b: Uint8Array | "armor error"): void => {
  expect(typeof a === "string" ? a : hex(a)).toBe(typeof b === "string" ? b : hex(b))
}

describe("CCTV vectors, native and typage side by side", () => {
  const vectorDir = fileURLToPath(new URL("testdata/cctv", import.meta.url))
  const vectors = readdirSync(vectorDir).sort().map(name => readCctvVector(join(vectorDir, name), name))

  it.each(vectors.map(vector => [vector.name, vector] as const))("%s", async (_name, vector) => {
    let file = vector.file
    if (vector.armored) {
      const text = new TextDecoder("latin1").decode(vector.file)
      const decoded = typageArmor(text)
      sameArmor(nativeArmor(text), decoded)
      if (decoded === "armor error") return
      file = decoded
    }
    const expected = await typageOutcome(file, vector.identities, vector.passphrases)
    expect(await nativeOutcome(file, vector.identities, vector.passphrases)).toBe(expected)
  })
})

// Damage that reaches every parser state: header bytes (newlines, spaces, arrows, base64, CR, non-ASCII), the MAC, the
// nonce, chunk boundaries and tags.
const damage = fc.oneof(
  fc.record({ op: fc.constant("set" as const), at: fc.nat(), byte: fc.constantFrom(0x0a, 0x20, 0x2d, 0x3e, 0x3d, 0x41, 0x0d, 0x80, 0x00, 0x2f) }),
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), byte: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.constantFrom(...["\n", " ", "-> X25519 ", "\n\n", "--- ", "==", "\r\n"].map(text => new TextEncoder().encode(text))) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
)
type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never

function applyDamage(input: Uint8Array, changes: readonly Damage[], headerBias: number): Uint8Array {
  let bytes = Uint8Array.from(input)
  for (const change of changes) {
    // Most positions land in the header, where the parser has the most states.
    const span = change.at % 2 === 0 ? Math.min(bytes.length, headerBias) : bytes.length
    const at = span === 0 ? 0 : change.at % (span + 1)
    switch (change.op) {
      case "set":
        if (at < bytes.length) bytes[at] = change.byte
        break
      case "flip":
        if (at < bytes.length) bytes[at] = bytes[at]! ^ change.byte
        break
      case "delete":
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + change.length)])
        break
      case "insert":
        bytes = Uint8Array.from([...bytes.subarray(0, at), ...change.bytes, ...bytes.subarray(at)])
        break
      case "truncate":
        bytes = bytes.subarray(0, at)
        break
    }
  }
  return bytes
}

async function typageEncrypt(plaintext: Uint8Array, recipients: readonly string[]): Promise<Uint8Array> {
  const encrypter = new Encrypter()
  for (const recipient of recipients) encrypter.addRecipient(recipient)
  return encrypter.encrypt(plaintext)
}

const headerLength = (file: Uint8Array): number => {
  const end = new TextDecoder("latin1").decode(file).indexOf("\n---")
  return end < 0 ? file.length : end + 50
}

describe("damaged files, native and typage side by side", () => {
  propTest.prop([
    fc.constantFrom(0, 1, 32, 65536, 65537),
    fc.constantFrom([sopsKeys.mockIdentity], [sopsKeys.mockOtherIdentity, sopsKeys.mockIdentity], [sopsKeys.mockOtherIdentity]),
    fc.boolean(),
    fc.array(damage, { minLength: 1, maxLength: 3 }),
  ], { numRuns: runs })("decrypt accepts and refuses the same files", async (size, identities, twoRecipients, changes) => {
    const plaintext = Uint8Array.from({ length: size }, (_, i) => i % 251)
    const file = await typageEncrypt(plaintext, twoRecipients ? [otherRecipient, sopsKeys.mockRecipient] : [sopsKeys.mockRecipient])
    const damaged = applyDamage(file, changes, headerLength(file))
    expect(await nativeOutcome(damaged, identities)).toBe(await typageOutcome(damaged, identities))
  })

  propTest.prop([
    fc.uint8Array({ minLength: 0, maxLength: 200 }),
    fc.array(fc.oneof(
      fc.record({ at: fc.nat(), text: fc.constantFrom("\r\n", "\n", " ", "\t", "=", "==", "A", "-", "\r", "\u00a0", "", "#") }),
      fc.record({ at: fc.nat(), text: fc.string({ maxLength: 3 }) }),
    ), { minLength: 1, maxLength: 3 }),
    fc.array(fc.nat(), { maxLength: 2 }),
  ], { numRuns: runs })("armor decoding accepts and refuses the same text", (file, inserts, deletions) => {
    let text = armor.encode(file)
    for (const { at, text: piece } of inserts) {
      const i = at % (text.length + 1)
      text = text.slice(0, i) + piece + text.slice(i)
    }
    for (const at of deletions) {
      const i = at % Math.max(1, text.length)
      text = text.slice(0, i) + text.slice(i + 1)
    }
    sameArmor(nativeArmor(text), typageArmor(text))
  })
})

// Headers with a valid MAC, so that what differs is the stanzas: random extra stanzas (odd arguments, control and
// non-ASCII characters, empty or full body lines) around a real X25519 stanza, or instead of it.
const argument = fc.oneof(
  fc.constantFrom("X25519", "scrypt", "mlkem768x25519", "ssh-ed25519", "->", "---", "", "x25519", "grease"),
  fc.string({ unit: fc.constantFrom(..."aZ09+/=-> \r\t\u0001\u007f\u00e9"), maxLength: 8 }),
)
const bodyLines = fc.oneof(
  fc.uint8Array({ maxLength: 100 }).map(body => {
    const lines = []
    for (let at = 0; at < body.length; at += 48) lines.push(Buffer.from(body.subarray(at, at + 48)).toString("base64").replace(/=+$/, ""))
    if (body.length % 48 === 0) lines.push("")
    return lines
  }),
  fc.array(fc.string({ unit: fc.constantFrom(..."AQgw+/=\r é"), maxLength: 70 }), { minLength: 0, maxLength: 3 }),
)
const greaseStanza = fc.record({ args: fc.array(argument, { minLength: 0, maxLength: 3 }), lines: bodyLines })

function fileWithStanzas(fileKey: Uint8Array, stanzaText: readonly string[], plaintext: Uint8Array): Uint8Array {
  const signed = `age-encryption.org/v1\n${stanzaText.join("")}---`
  const macKey = hkdfSync("sha256", fileKey, new Uint8Array(0), "header", 32)
  const mac = createHmac("sha256", Buffer.from(macKey)).update(signed, "latin1").digest("base64").replace(/=+$/, "")
  const header = Buffer.from(`${signed} ${mac}\n`, "latin1")
  const nonce = randomBytes(16)
  const key = Buffer.from(hkdfSync("sha256", fileKey, nonce, "payload", 32))
  const cipher = createCipheriv("chacha20-poly1305", key, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), { authTagLength: 16 })
  return Buffer.concat([header, nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
}

describe("stanzas around a valid MAC, native and typage side by side", () => {
  propTest.prop([
    fc.array(greaseStanza, { maxLength: 3 }),
    fc.nat(),
    fc.boolean(),
    fc.constantFrom([sopsKeys.mockIdentity], [sopsKeys.mockOtherIdentity], [sopsKeys.mockOtherIdentity, sopsKeys.mockIdentity]),
  ], { numRuns: runs })("decrypt accepts and refuses the same headers", async (grease, at, withReal, identities) => {
    const fileKey = new Uint8Array(randomBytes(16))
    const stanzaText = grease.map(stanza => `-> ${stanza.args.join(" ")}\n${stanza.lines.map(line => `${line}\n`).join("")}`)
    if (withReal) {
      const [real] = await new X25519Recipient(sopsKeys.mockRecipient).wrapFileKey(fileKey)
      const body = Buffer.from(real!.body).toString("base64").replace(/=+$/, "")
      stanzaText.splice(at % (stanzaText.length + 1), 0, `-> ${real!.args.join(" ")}\n${body}\n`)
    }
    const file = fileWithStanzas(fileKey, stanzaText, new TextEncoder().encode("data key"))
    expect(await nativeOutcome(file, identities)).toBe(await typageOutcome(file, identities))
  })
})

describe("written by one, read by the other", () => {
  const sizes = [0, 1, 32, 65535, 65536, 65537, 131072, 131073, 200000]

  it.each(sizes)("typage opens a native file of %i bytes", async size => {
    const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 31) % 256)
    const file = await encryptAge(plaintext, [new X25519Recipient(sopsKeys.mockRecipient), new X25519Recipient(otherRecipient)])
    expect(await typageOutcome(file, [sopsKeys.mockIdentity])).toBe(`plaintext ${hex(plaintext)}`)
  })

  it.each(sizes)("tsops opens a typage file of %i bytes", async size => {
    const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 17) % 256)
    const file = await typageEncrypt(plaintext, [otherRecipient, sopsKeys.mockRecipient])
    expect(await nativeOutcome(file, [sopsKeys.mockIdentity])).toBe(`plaintext ${hex(plaintext)}`)
    expect(await nativeOutcome(file, [sopsKeys.mockOtherIdentity])).toBe("no match")
  })

  propTest.prop([fc.uint8Array({ maxLength: 500 })], { numRuns: runs })("armor encoding is typage's", file => {
    expect(encodeArmor(file)).toBe(armor.encode(file))
  })

  it("decrypts sops's mockEncryptedKey", async () => {
    const file = decodeArmor(sopsKeys.mockEncryptedKey)
    expect(await nativeOutcome(file, [sopsKeys.mockIdentity])).toBe(`plaintext ${hex(new TextEncoder().encode("data"))}`)
  })
})

// Bech32 alphabet, both cases, and characters bech32 never uses.
const keyCharacter = fc.constantFrom(..."qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L1bio- ")

function mutate(text: string, changes: readonly { at: number; kind: number; char: string }[]): string {
  let out = text
  for (const { at, kind, char } of changes) {
    const i = at % (out.length + 1)
    out = kind === 0 ? out.slice(0, i) + char + out.slice(i + 1) : kind === 1 ? out.slice(0, i) + char + out.slice(i) : out.slice(0, i) + out.slice(i + 1)
  }
  return out
}
const changes = fc.array(fc.record({ at: fc.nat(), kind: fc.integer({ min: 0, max: 2 }), char: keyCharacter }), { minLength: 1, maxLength: 2 })

describe("identities and recipients, native and typage side by side", () => {
  const accepts = (action: () => unknown): boolean => {
    try {
      action()
      return true
    } catch {
      return false
    }
  }

  propTest.prop([fc.constantFrom(sopsKeys.mockIdentity, sopsKeys.mockHybridIdentity), changes], { numRuns: runs })(
    "the same identity strings are valid", (identity, edits) => {
      const mutated = mutate(identity, edits)
      expect(accepts(() => nativeIdentity(mutated, "test"))).toBe(accepts(() => new Decrypter().addIdentity(mutated)))
    })

  propTest.prop([changes], { numRuns: runs })("the same X25519 recipient strings are valid", edits => {
    const mutated = mutate(sopsKeys.mockRecipient, edits)
    fc.pre(mutated.startsWith("age1") && !mutated.startsWith("age1pq1") && !mutated.startsWith("age1tag"))
    expect(accepts(() => new X25519Recipient(mutated))).toBe(accepts(() => new Encrypter().addRecipient(mutated)))
  })

  it("refuses the identity and recipient checks typage refuses (controls)", () => {
    expect(() => nativeIdentity(sopsKeys.mockIdentity.slice(0, -1), "test")).toThrowError("invalid identity")
    expect(() => nativeIdentity(sopsKeys.mockIdentity.toLowerCase(), "test")).toThrowError()
    expect(() => new X25519Recipient(`${sopsKeys.mockRecipient.slice(0, -1)}q`)).toThrowError()
    expect(() => new Decrypter().addIdentity(sopsKeys.mockIdentity.slice(0, -1))).toThrowError()
  })
})
