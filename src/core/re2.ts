// Go RE2 regular expressions (used by sops for encrypted_regex, path_regex…) translated to JS RegExp.
// Covers what RE2 has and JS spells differently: leading (?flags), (?P<name>…), \A, \z, POSIX classes, \pL.
import { TsopsError } from "./errors.js"

const posixClasses: Record<string, string> = {
  alnum: "0-9A-Za-z", alpha: "A-Za-z", ascii: "\\x00-\\x7F", blank: "\\t ", cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9", graph: "!-~", lower: "a-z", print: " -~", punct: "!-/:-@[-`{-~", space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z", word: "0-9A-Za-z_", xdigit: "0-9A-Fa-f",
}

/** Compiles an RE2 pattern for unanchored search, as Go's regexp.MatchString does. */
export function compileRe2(pattern: string, what = "regular expression"): RegExp {
  let source = pattern
  let flags = "u"
  const leading = /^\(\?([imsU]+)\)/.exec(source)
  if (leading) {
    source = source.slice(leading[0].length)
    for (const f of leading[1]!) if (f !== "U" && !flags.includes(f)) flags += f
  }
  source = source
    .replace(/\(\?P</g, "(?<")
    .replace(/\\A/g, "^")
    .replace(/\\z/g, "$")
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, negate: string, name: string) => {
      const cls = posixClasses[name]
      if (cls === undefined) return whole
      return negate ? `&&NEG${cls}&&` : cls
    })
    .replace(/\\p([A-Z])/g, "\\p{$1}")
    .replace(/\\P([A-Z])/g, "\\P{$1}")
  if (source.includes("&&NEG")) {
    throw new TsopsError(`unsupported ${what}: negated POSIX class in ${JSON.stringify(pattern)}`)
  }
  try {
    return new RegExp(source, flags)
  } catch {
    try {
      return new RegExp(source, flags.replace("u", ""))
    } catch (cause) {
      throw new TsopsError(`invalid ${what} ${JSON.stringify(pattern)}`, 1, { cause })
    }
  }
}
