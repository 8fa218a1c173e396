// kustomize's env-file dialect, used by SopsGenerator `envs` (values verbatim, as secretGenerator reads them).
import { describe, expect, it } from "vitest"
import { parseEnvFile } from "../../../plugins/kustomize/env-file.js"

const parse = (text: string | Uint8Array) => parseEnvFile(typeof text === "string" ? Buffer.from(text) : text, "a.env")

describe("parseEnvFile", () => {
  it("should keep values verbatim and skip comments and blank lines", () => {
    expect(parse('\ufeffA=1\n  B= spaced \nC="q"\n# c\n\nD\nE=a=b\nF=1\r\n')).toEqual([
      ["A", "1"], ["B", " spaced "], ["C", '"q"'], ["D", ""], ["E", "a=b"], ["F", "1"],
    ])
  })

  it("should reject invalid names and invalid UTF-8 by line, without the content", () => {
    expect(() => parse("A=1\n1X=secret\n")).toThrow(/^a\.env: line 2: invalid variable name/)
    expect(() => parse(new Uint8Array([0x41, 0x3d, 0xff]))).toThrow(/not valid UTF-8/)
  })
})
