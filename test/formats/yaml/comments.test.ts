// Comment placement (spec §1.3): the enclosing map/list of each comment is its AAD (§2.1). The
// encrypted fixtures were written by sops, so each `#ENC[…]` must decrypt with the AAD of the map
// we put it in: a wrong placement fails the GCM tag check.
import { execFileSync } from "node:child_process"
import { createDecipheriv } from "node:crypto"
import { describe, expect, it } from "vitest"
import { store } from "../../../formats/yaml/index.js"
import { Comment, isList, isMap, type TreeMap, type TreeValue } from "../../../src/core/tree.js"
import { fixturePath, readFixture } from "../../support/fixtures.js"

interface Placed {
  path: string
  value: string
  inline: boolean
}

/** Every comment with the path of its enclosing map/list (list indices are not in paths). */
function comments(value: TreeValue, path: string[], out: Placed[] = []): Placed[] {
  if (isMap(value)) {
    for (const item of value.items) {
      if (item.key instanceof Comment) out.push({ path: path.join(":"), value: item.key.value, inline: item.key.inline })
      else comments(item.value, [...path, item.key], out)
    }
  } else if (isList(value)) {
    for (const item of value.items) {
      if (item.value instanceof Comment) out.push({ path: path.join(":"), value: item.value.value, inline: item.value.inline })
      else comments(item.value, path, out)
    }
  }
  return out
}

function decryptComment(enc: string, dataKey: Buffer, path: string): string {
  const m = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:comment\]/.exec(enc)
  if (!m) throw new Error("not an encrypted comment")
  const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(m[2]!, "base64"))
  decipher.setAAD(Buffer.from(path === "" ? ":" : `${path}:`))
  decipher.setAuthTag(Buffer.from(m[3]!, "base64"))
  return Buffer.concat([decipher.update(Buffer.from(m[1]!, "base64")), decipher.final()]).toString("utf8")
}

function decryptedComments(name: string, dataKey: Buffer): { path: string; text: string }[] {
  const parsed = store.parse(readFixture(name))
  return parsed.branches.flatMap(branch => comments(branch, []))
    .map(c => ({ path: c.path, text: decryptComment(c.value, dataKey, c.path) }))
}

describe("YAML comment placement", () => {
  it("puts the comments of sops-upstream/example.yaml where sops encrypted them", () => {
    const dataKey = Buffer.from("8c68886c50b5b72965a3cb99c5172e1d74a8aca27b39ee880b535d6907e59f68", "hex")
    const found = decryptedComments("sops-upstream/example.yaml", dataKey)
    expect(found.map(c => c.path)).toEqual(["app2:db", "this:is:a:nested", "this:is:a:nested", "this:is:a:nested"])
  })

  it("puts the top-level comments of comments.enc.yaml in the top-level branch", () => {
    const dataKey = Buffer.from("61bec946f5783fd4cea3d1b1ce407fce2b6e81fc301cc539c422015e27f6d1be", "hex")
    const found = decryptedComments("sops-upstream/functional-tests/res/comments.enc.yaml", dataKey)
    expect(found).toEqual([{ path: "", text: " first comment in file" }, { path: "", text: " this-is-a-comment" }])
  })

  it("puts the comments of reference/enc/basic.yaml where sops encrypted them", () => {
    const parsed = store.parse(readFixture("reference/enc/basic.yaml"))
    const metadata = parsed.metadata as TreeMap
    const age = metadata.items.find(item => item.key === "age")!.value
    const enc = ((isList(age) ? age.items[0]!.value : undefined) as TreeMap).items.find(item => item.key === "enc")!.value as string
    const dataKey = execFileSync("age", ["-d", "-i", fixturePath("reference/keys/age-a.txt")], { input: enc })
    const found = decryptedComments("reference/enc/basic.yaml", dataKey)
    expect(found).toEqual([
      { path: "", text: " top comment" },
      { path: "app", text: " trailing comment" },
      { path: "", text: " closing comment" },
    ])
  })

  it("stores a trailing comment as an inline comment before its item", () => {
    const branch = store.parse(Buffer.from("# head\na: 1 # inline a\nk: # on key\n  sub: 2\nl:\n  - x # inline x\n  # foot of l\n# foot of doc\n")).branches[0]!
    const summary = (value: TreeValue): unknown[] => (isMap(value)
      ? value.items.map(item => item.key instanceof Comment ? [item.key.value, item.key.inline] : [item.key, summary(item.value)])
      : isList(value) ? value.items.map(item => item.value instanceof Comment ? [item.value.value, item.value.inline] : summary(item.value as TreeValue))
      : [value])
    // expected as go yaml.v3 + sops's store build it
    expect(summary(branch)).toEqual([
      [" head", false], [" inline a", true], ["a", [1n]], [" on key", false], ["k", [["sub", [2n]]]],
      ["l", [[" inline x", true], ["x"], [" foot of l", false]]], [" foot of doc", false],
    ])
  })

  it("keeps a blank line out of comments and separates document head comments", () => {
    const branch = store.parse(Buffer.from("# doc head\n\n# key head\na: 1\n\n# after blank\nb: 2\n")).branches[0]!
    expect(branch.items.map(item => item.key instanceof Comment ? item.key.value : item.key)).toEqual([
      " doc head", " key head", "a", " after blank", "b",
    ])
  })

  it("keeps an encrypted list comment in place in layout mode; sops's layout writes it as an element", () => {
    const source = "l:\n  - a\n  # note\n  - b\n"
    const parsed = store.parse(Buffer.from(source))
    const list = parsed.branches[0]!.items[0]!.value as { items: { value: unknown }[] }
    const enc = "ENC[AES256_GCM,data:bm90ZQ==,iv:AA==,tag:AA==,type:comment]"
    list.items[1]!.value = new Comment(enc)
    expect(Buffer.from(store.emit(parsed.branches, { layout: parsed.layout })).toString()).toBe(`l:\n  - a\n  #${enc}\n  - b\n`)
    expect(Buffer.from(store.emit(parsed.branches)).toString()).toBe(`l:\n    - a\n    - ${enc}\n    - b\n`)
  })

  it("turns a `- ENC[…,type:comment]` element written by sops back into a comment when decrypted", () => {
    const enc = "ENC[AES256_GCM,data:bm90ZQ==,iv:AA==,tag:AA==,type:comment]"
    const parsed = store.parse(Buffer.from(`l:\n  - a\n  - ${enc}\n  - b\n`))
    const list = parsed.branches[0]!.items[0]!.value as { items: { value: unknown }[] }
    expect(list.items[1]!.value).toBe(enc)
    list.items[1]!.value = new Comment(" note")
    expect(Buffer.from(store.emit(parsed.branches, { layout: parsed.layout })).toString()).toBe("l:\n  - a\n  # note\n  - b\n")
  })
})
