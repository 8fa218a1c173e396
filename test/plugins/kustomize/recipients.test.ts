// Recipients read from sops metadata in every format, checked against reference/keys/recipients.txt.
import { describe, expect, it } from "vitest"
import { recipientsOf } from "../../../plugins/kustomize/recipients.js"
import { readFixture } from "../../support/fixtures.js"

const known = Object.fromEntries(readFixture("reference/keys/recipients.txt").toString().trim().split("\n").map(l => l.split("=") as [string, string]))

describe("recipientsOf", () => {
  it.each([
    ["basic.yaml", "yaml"], ["basic.json", "json"], ["basic.env", "dotenv"], ["basic.ini", "ini"], ["notes.txt", "binary"], ["random.bin", "binary"],
  ])("should read the age recipient of %s", async (name, format) => {
    expect(await recipientsOf(readFixture("reference/enc", name), format)).toEqual([`age ${known.A}`])
  })

  it("should read every recipient of a multi-recipient file", async () => {
    expect((await recipientsOf(readFixture("reference/enc/multi-recipient.yaml"), "yaml")).sort())
      .toEqual([`age ${known.A}`, `age ${known.B}`, `pgp ${known.PGP}`].sort())
  })

  it.each([["shamir.yaml", "yaml"], ["shamir.json", "json"]])("should read the recipients of every key group in %s", async (name, format) => {
    expect((await recipientsOf(readFixture("reference/enc", name), format)).sort()).toEqual([known.A, known.B, known.C].map(r => `age ${r}`).sort())
  })

  it("should return nothing for text without sops metadata", async () => {
    expect(await recipientsOf(Buffer.from("a: b\n"), "yaml")).toEqual([])
    expect(await recipientsOf(Buffer.from("{not json"), "json")).toEqual([])
  })
})
