// ksops's dotenv dialect (godotenv v1.5.1): expected values worked out by hand from its documented rules.
import { describe, expect, it } from "vitest"
import { parseGodotenv } from "../../../plugins/kustomize/godotenv.js"

const parse = (text: string) => Object.fromEntries(parseGodotenv(text, "test.env"))

describe("parseGodotenv", () => {
  it("should strip quotes, trim bare values and drop ` #` comments", () => {
    expect(parse("A=1\n  O  =  spaced  \nF=val # trailing comment\nG=val#kept\n# whole line\n\nQ='single'\nD=\"double\"\n")).toEqual({
      A: "1", O: "spaced", F: "val", G: "val#kept", Q: "single", D: "double",
    })
  })

  it("should expand \\n and \\r and unescape only inside double quotes", () => {
    expect(parse('B="x\\ny"\nS=\'x\\ny\'\nU=x\\ny\nV="a\\"b"\nW="tab\\there"\n')).toEqual({
      B: "x\ny", S: "x\\ny", U: "x\\ny", V: 'a"b', W: "tabthere",
    })
  })

  it("should keep a double-quoted value across lines", () => {
    expect(parse('C="line1\nline2"\nNEXT=1\n')).toEqual({ C: "line1\nline2", NEXT: "1" })
  })

  it("should accept `export` prefixes and `KEY: value`", () => {
    expect(parse("export E=5\nexport_like=value\nH: yes\n")).toEqual({ E: "5", export_like: "value", H: "yes" })
  })

  it("should expand ${VAR} and $VAR from earlier lines, except in single quotes or when escaped", () => {
    expect(parse("I=hello\nJ=${I} world\nK=\"$I!\"\nL='$I'\nM=\\$I\nN=$UNKNOWN\nlower=$lower\n")).toEqual({
      I: "hello", J: "hello world", K: "hello!", L: "$I", M: "$I", N: "", lower: "$lower",
    })
  })

  it("should let a later assignment win and read CRLF files", () => {
    expect(parse("S=1\r\nS=2\r\nT=3\r\n")).toEqual({ S: "2", T: "3" })
  })

  it("should report bad keys and unterminated quotes by line number, never by content", () => {
    expect(() => parse("A=1\nP-Q=secret\n")).toThrow(/test\.env: line 2: unexpected character in variable name$/)
    expect(() => parse('A=1\nR="secret\n')).toThrow(/line 2: unterminated quoted value$/)
    try {
      parse("A=1\nP-Q=secret\n")
    } catch (error) {
      expect((error as Error).message).not.toContain("secret")
    }
  })
})
