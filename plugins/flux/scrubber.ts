// Makes kustomize's error text fit to show: paths in the private copy become the user's paths, and
// anything that looks like decrypted content (lines and values of the files decrypted before the
// build) is replaced, since kustomize may quote a line of an env file it cannot parse.

const minLength = 4
const maxFragments = 20_000

export class PlaintextScrubber {
  readonly #pathPairs: readonly (readonly [from: string, to: string])[]
  readonly #fragments = new Set<string>()

  constructor(pathPairs: readonly (readonly [from: string, to: string])[]) {
    // Longest first, so a path is never replaced by a prefix of another's replacement.
    this.#pathPairs = [...pathPairs].sort(([a], [b]) => b.length - a.length)
  }

  /** Notes the text of a decrypted file; returns it unchanged. */
  remember(plaintext: Uint8Array): Uint8Array {
    const text = Buffer.from(plaintext).toString("utf8")
    for (const raw of text.split(/\r?\n/)) {
      if (this.#fragments.size >= maxFragments) break
      const line = raw.trim()
      if (line.length >= minLength) this.#fragments.add(line)
      const at = line.search(/[=:]/)
      const value = at >= 0 ? line.slice(at + 1).trim() : ""
      if (value.length >= minLength) this.#fragments.add(value)
    }
    return plaintext
  }

  /** Copy paths → user paths. */
  paths(text: string): string {
    let out = text
    for (const [from, to] of this.#pathPairs) out = out.split(from).join(to)
    return out
  }

  /** Copy paths → user paths, and every remembered fragment → `<redacted>`. */
  scrub(text: string): string {
    let out = this.paths(text)
    for (const fragment of [...this.#fragments].sort((a, b) => b.length - a.length)) {
      if (out.includes(fragment)) out = out.split(fragment).join("<redacted>")
    }
    return out
  }
}
