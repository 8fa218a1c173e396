// Shamir shares interoperate with sops (spec §7.2 vector, produced by sops's own split code).
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { combine, split } from "../../src/core/shamir.js"

const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"))
const runs = Number(process.env.TSOPS_FUZZ_RUNS ?? 50)

describe("shamir", () => {
  it("should combine sops's shares of the spec §7.2 vector into its data key", () => {
    const share1 = hex("3f888ef63b0c2b50e5bc1623fee09965fc5bcac5f13dabead0ca3d50f629b19e01")
    const share2 = hex("339bc225eea33547867c0ee833b355c9058a96a4f4bf6ffcec7bf0b5ab28228c02")
    const key = "3b70434e8169215dc4fc1e934cd1dd01ab14fe13f2431e11c4a58ffa34dfc090"
    expect(Buffer.from(combine([share1, share2])).toString("hex")).toBe(key)
    expect(Buffer.from(combine([share2, share1])).toString("hex")).toBe(key)
  })

  it("should refuse duplicate parts and bad thresholds", () => {
    const [a] = split(new Uint8Array(32).fill(7), 3, 2)
    expect(() => combine([a!, a!])).toThrow(/duplicate part/)
    expect(() => split(new Uint8Array(32), 2, 3)).toThrow(/parts cannot be less than threshold/)
    expect(() => split(new Uint8Array(32), 3, 1)).toThrow(/threshold must be at least 2/)
  })

  test.prop([fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 4 })], { numRuns: runs })(
    "should recover the secret from any threshold-sized subset of shares",
    (secret, threshold, extra) => {
      const shares = split(secret, threshold + extra, threshold)
      expect(shares.every((s, i) => s.length === 33 && s[32] === i + 1)).toBe(true)
      expect(combine(shares.slice(extra, extra + threshold))).toEqual(secret)
      expect(combine(shares)).toEqual(secret)
    },
  )
})
