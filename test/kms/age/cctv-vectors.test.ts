// The C2SP/CCTV age test vectors (testdata/cctv, see testdata/README.md) through tsops's decrypt and armor paths: the
// native header, MAC, STREAM and X25519 code for all of them; hybrid and scrypt stanzas are unwrapped by typage.
import { createHash } from "node:crypto"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { PassphraseIdentity, type AgeIdentity } from "../../../kms/age/age-identity.js"
import { ArmorError, decodeArmor, encodeArmor } from "../../../kms/age/armor.js"
import { decryptAge, decryptArmored } from "../../../kms/age/decrypt.js"
import { decryptWithPassphrase, parseIdentityLines } from "../../../kms/age/identity-file.js"
import { readCctvVector, type CctvVector } from "./support.js"

const vectorDir = fileURLToPath(new URL("testdata/cctv", import.meta.url))
const names = readdirSync(vectorDir).sort()
const vectors = names.map(name => readCctvVector(join(vectorDir, name), name))

async function identitiesOf(vector: CctvVector): Promise<AgeIdentity[]> {
  const native = await parseIdentityLines(vector.identities.join("\n"), { location: vector.name, multiplePerLine: false })
  return [...native, ...vector.passphrases.map(passphrase => new PassphraseIdentity(passphrase, vector.name))]
}

// What tsops does with the vector: armored vectors go through the same path as an `enc` value; a vector with only a
// passphrase goes through the path of passphrase-encrypted identity files.
async function open(vector: CctvVector): Promise<Uint8Array | null> {
  if (vector.armored) return decryptArmored(new TextDecoder("latin1").decode(vector.file), await identitiesOf(vector))
  if (vector.identities.length === 0 && vector.passphrases.length === 1) {
    return decryptWithPassphrase(vector.file, vector.passphrases[0]!)
  }
  return decryptAge(vector.file, await identitiesOf(vector))
}

describe("CCTV age vectors", () => {
  it("covers every vector of the copied test data", () => {
    expect(names.length).toBe(143)
    for (const prefix of ["x25519", "hybrid", "armor_", "scrypt", "stanza_", "stream_", "hmac_"]) {
      expect(names.some(name => name.startsWith(prefix))).toBe(true)
    }
  })

  it.each(vectors.map(vector => [vector.name, vector] as const))("%s", async (_name, vector) => {
    const outcome = open(vector)
    switch (vector.expect) {
      case "success": {
        const plaintext = await outcome
        expect(plaintext).not.toBeNull()
        expect(createHash("sha256").update(plaintext!).digest("hex")).toBe(vector.payload)
        break
      }
      case "no match":
        await expect(outcome).resolves.toBeNull()
        break
      case "armor failure":
        await expect(outcome).rejects.toBeInstanceOf(ArmorError)
        break
      default: {
        // header, HMAC and payload failures: an error, never a silent "no match" nor an armor error.
        const error: unknown = await outcome.then(() => "resolved", (e: unknown) => e)
        expect(error).toBeInstanceOf(Error)
        expect(error).not.toBeInstanceOf(ArmorError)
      }
    }
  })

  const armoredSuccesses = vectors.filter(vector => vector.armored && vector.expect === "success")
  it.each(armoredSuccesses.map(vector => [vector.name, vector] as const))(
    "re-encodes %s to the canonical armor", async (_name, vector) => {
      const text = new TextDecoder("latin1").decode(vector.file)
      const canonical = `${text.trim().replaceAll("\r\n", "\n")}\n`
      expect(encodeArmor(decodeArmor(text))).toBe(canonical)
    })
})
