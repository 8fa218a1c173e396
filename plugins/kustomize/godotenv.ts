// The dotenv dialect ksops uses for `secretFrom[].envs` (github.com/joho/godotenv v1.5.1, re-implemented
// from its documented behaviour): `export` prefixes, `KEY: value` too, quotes stripped, `\n`/`\r`
// escapes and `${VAR}` expansion in double quotes and bare values, ` #` comments after bare values.
// A ksops user must get the same keys and values, so its quirks are kept. Errors give a line number,
// never the text: the input is decrypted.
import { TsopsError } from "../../src/index.js"

// godotenv's isSpace: a space that is not a line break.
const isSpace = (c: string | undefined): boolean =>
  c === "\t" || c === "\v" || c === "\f" || c === "\r" || c === " " || c === "\u0085" || c === "\u00a0"

// Go's unicode.IsSpace.
const isUnicodeSpace = (c: string): boolean => /^[\t\n\v\f\r \u0085\u00a0\p{Zs}\u2028\u2029]$/u.test(c)

// godotenv checks key characters byte by byte, each byte taken as a Latin-1 rune.
function isKeyChar(c: string): boolean {
  if (c.charCodeAt(0) < 0x80) return /^[\p{L}\p{N}.]$/u.test(c)
  return [...Buffer.from(c, "utf8")].every(byte => {
    const latin1 = String.fromCharCode(byte)
    return isSpace(latin1) || /^[\p{L}\p{N}]$/u.test(latin1)
  })
}

const expandVarPattern = /(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?/g

function expandVariables(value: string, vars: ReadonlyMap<string, string>): string {
  // godotenv compares the `$` group with "(" (never true), so only `\$` escapes; unknown names expand to "".
  return value.replace(expandVarPattern, (match: string, escape: string | undefined, _dollar: string, _paren: string | undefined, name: string | undefined) => {
    if (escape === "\\") return match.slice(1)
    if (name) return vars.get(name) ?? ""
    return match
  })
}

function expandEscapes(value: string): string {
  const out = value.replace(/\\./g, match => (match === "\\n" ? "\n" : match === "\\r" ? "\r" : match))
  return out.replace(/\\([^$])/g, "$1")
}

function trimLeft(text: string, at: number, space: (c: string) => boolean): number {
  while (at < text.length && space(text[at]!)) at++
  return at
}

function trimString(text: string, space: (c: string) => boolean): string {
  let start = 0
  let end = text.length
  while (start < end && space(text[start]!)) start++
  while (end > start && space(text[end - 1]!)) end--
  return text.slice(start, end)
}

/** Parses decrypted dotenv text as godotenv.Unmarshal does; later assignments win. */
export function parseGodotenv(input: string, what: string): Map<string, string> {
  const text = input.replaceAll("\r\n", "\n")
  const out = new Map<string, string>()
  const fail = (at: number, reason: string): never => {
    throw new TsopsError(`error unmarshalling .env file ${what}: line ${text.slice(0, at).split("\n").length}: ${reason}`)
  }
  let at = 0
  for (;;) {
    // Statement start: skip whitespace and whole comment lines.
    for (;;) {
      at = trimLeft(text, at, isUnicodeSpace)
      if (at >= text.length) return out
      if (text[at] !== "#") break
      const newline = text.indexOf("\n", at)
      if (newline < 0) return out
      at = newline
    }
    // Key: an optional `export ` prefix, then letters, digits, `.` and `_` up to `=` or `:`.
    at = trimLeft(text, at, isSpace)
    if (text.startsWith("export", at) && isSpace(text[at + 6])) at = trimLeft(text, at + 6, isSpace)
    const keyStart = at
    let key = ""
    let valueStart = at
    let i = at
    for (; i < text.length; i++) {
      const c = text[i]!
      if (isSpace(c)) continue
      if (c === "=" || c === ":") {
        key = text.slice(keyStart, i)
        valueStart = i + 1
        break
      }
      if (c !== "_" && !isKeyChar(c)) fail(i, "unexpected character in variable name")
    }
    if (keyStart >= text.length) fail(keyStart, "zero length string")
    key = key.replace(/[\t\n\v\f\r \u0085\u00a0\p{Zs}\u2028\u2029]+$/u, "")
    at = trimLeft(text, valueStart, isSpace)
    // Value.
    const quote = text[at]
    if (quote !== "'" && quote !== '"') {
      let endOfLine = at
      while (endOfLine < text.length && text[endOfLine] !== "\n" && text[endOfLine] !== "\r") endOfLine++
      const line = [...text.slice(at, endOfLine)]
      let endOfVar = line.length
      for (let j = endOfVar - 1; j > 0; j--) {
        if (line[j] === "#" && isSpace(line[j - 1])) {
          endOfVar = j
          break
        }
      }
      out.set(key, expandVariables(trimString(line.slice(0, endOfVar).join(""), isSpace), out))
      at = endOfLine
      continue
    }
    let close = -1
    for (let j = at + 1; j < text.length; j++) {
      if (text[j] === quote && text[j - 1] !== "\\") {
        close = j
        break
      }
    }
    if (close < 0) fail(at, "unterminated quoted value")
    // godotenv trims every quote character at both ends, not just one.
    let value = text.slice(at, close)
    let end = value.length
    while (end > 0 && value[end - 1] === quote) end--
    let start = 0
    while (start < end && value[start] === quote) start++
    value = value.slice(start, end)
    out.set(key, quote === '"' ? expandVariables(expandEscapes(value), out) : value)
    at = close + 1
  }
}
