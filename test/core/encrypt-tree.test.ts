// Known answers of spec §11.3: fed the same data key, IVs and lastmodified, the ENC strings and MAC are sops's.
import { describe, expect, it } from "vitest"
import { Cipher } from "../../src/core/cipher.js"
import { decryptTree } from "../../src/core/decrypt-tree.js"
import { encryptTree } from "../../src/core/encrypt-tree.js"
import { encryptMac, verifyMac } from "../../src/core/mac.js"
import { Comment, newList, newMap, type TreeMap } from "../../src/core/tree.js"

const dataKey = Uint8Array.from({ length: 32 }, (_, i) => i)
const ivOf = (byte: number) => new Uint8Array(32).fill(byte)

function katTree(): TreeMap {
  return newMap([
    { key: new Comment(" top comment"), value: null },
    { key: "foo", value: newMap([{ key: "bar", value: "hello" }]) },
    { key: "num", value: 42n },
    { key: "pi", value: 3.14 },
    { key: "ok", value: true },
    { key: "list", value: newList([{ value: "a" }, { value: 1n }]) },
    { key: "secret_unencrypted", value: "visible" },
  ])
}

// IVs by (AAD, plaintext) as the spec's table gives them.
const katIvs: Record<string, number> = {
  ": top comment": 1, "foo:bar:hello": 2, "num:42": 3, "pi:3.14": 4, "ok:True": 5, "list:a": 6, "list:1": 7,
}
const katIvSource = (plaintext: Uint8Array, aad: string) => {
  const byte = katIvs[aad + Buffer.from(plaintext).toString()]
  if (byte === undefined) throw new Error(`no IV for ${aad}`)
  return ivOf(byte)
}

const expected = {
  comment: "ENC[AES256_GCM,data:mdDGl/nJBgEYWokE,iv:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=,tag:Hyf/1JLPqd8pLEi5F56mwQ==,type:comment]",
  bar: "ENC[AES256_GCM,data:Bx6VKSU=,iv:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=,tag:aO9QLJNDW1fejNnHsgBo3g==,type:str]",
  num: "ENC[AES256_GCM,data:XkY=,iv:AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=,tag:0eGccXR1QQksZFV6D7jslw==,type:int]",
  pi: "ENC[AES256_GCM,data:XSJeXQ==,iv:BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=,tag:D13FHt+uogqZ11gxgWGkgg==,type:float]",
  ok: "ENC[AES256_GCM,data:pMiN2Q==,iv:BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU=,tag:DpBmK/KHncGE1Y8li13xNw==,type:bool]",
  listA: "ENC[AES256_GCM,data:2Q==,iv:BgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgY=,tag:ukIPVm5FUhdAsjCcbN95tQ==,type:str]",
  list1: "ENC[AES256_GCM,data:CA==,iv:BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=,tag:c86lQ7piyV8OYcg/uN+tFw==,type:int]",
  mac: "8562F45378A8DCCEA8D99E74DF4C176A07A90F50996AF1E20F5312D090DD6DE661FFCCD8C6F0C9FBFBE5E29C7064D32B1751226CFFB3846BEC3AD7B62DA10D6E",
  encryptedMac: "ENC[AES256_GCM,data:rpzT9q7x5ONhAApFzxR41/a4PE32MNia2omDJWmh57a/71nbjwoyOPci3iH3S9TCwa86eXQL3LTxPp2DMciQrJSfDRHW1tfHWqP40FxT7k1Hzt2InJLN42Yxf/itR9HxIYZnYrpw2RKCB8zOtc+euNruFl3suiiZnglq+N2Kfdo=,iv:CAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAg=,tag:o4FesTJgxVPnH8QhucAYCA==,type:str]",
}

describe("encryptTree (spec §11.3 known answers)", () => {
  it("should produce sops's ENC strings and MAC for the YAML KAT tree", () => {
    const tree = katTree()
    const mac = encryptTree([tree], new Cipher(dataKey, katIvSource), {})
    expect(mac).toBe(expected.mac)
    const [comment, foo, num, pi, ok, list, plain] = tree.items
    expect((comment!.key as Comment).value).toBe(expected.comment)
    expect((foo!.value as TreeMap).items[0]!.value).toBe(expected.bar)
    expect(num!.value).toBe(expected.num)
    expect(pi!.value).toBe(expected.pi)
    expect(ok!.value).toBe(expected.ok)
    expect((list!.value as { items: { value: unknown }[] }).items.map(i => i.value)).toEqual([expected.listA, expected.list1])
    expect(plain!.value).toBe("visible")
    expect(encryptMac(new Cipher(dataKey, () => ivOf(8)), mac, "2024-01-01T00:00:00Z")).toBe(expected.encryptedMac)
  })

  it("should decrypt the KAT values back to the typed tree and verify the MAC", () => {
    const tree = katTree()
    encryptTree([tree], new Cipher(dataKey, katIvSource), {})
    const cipher = new Cipher(dataKey)
    const mac = decryptTree([tree], cipher, {})
    expect(tree).toEqual(katTree())
    expect(() => verifyMac(cipher, expected.encryptedMac, "2024-01-01T00:00:00Z", mac)).not.toThrow()
    expect(() => verifyMac(cipher, expected.encryptedMac, "2024-01-01T00:00:01Z", mac)).toThrow(/Cannot decrypt MAC/)
    expect(() => verifyMac(cipher, "", "2024-01-01T00:00:00Z", mac)).toThrow(/MAC mismatch. File has no MAC/)
  })

  it("should reuse the IV of an unchanged value when re-encrypting (spec §2.4)", () => {
    const tree = katTree()
    encryptTree([tree], new Cipher(dataKey), {})
    const before = JSON.stringify(tree.items.map(i => String(i.value)))
    const cipher = new Cipher(dataKey)
    decryptTree([tree], cipher, {})
    encryptTree([tree], cipher, {})
    expect(JSON.stringify(tree.items.map(i => String(i.value)))).toBe(before)
  })

  it("should refuse a tampered value with exit code 25", () => {
    const tree = katTree()
    encryptTree([tree], new Cipher(dataKey), {})
    const num = tree.items[2]!
    num.value = (num.value as string).replace(/data:(.)/, (_, c: string) => `data:${c === "A" ? "B" : "A"}`)
    expect(() => decryptTree([tree], new Cipher(dataKey), {})).toThrow(expect.objectContaining({ exitCode: 25 }))
  })
})
