// The env-file dialect of kustomize's secretGenerator `envs` (api/kv: one `KEY=value` per line, value
// verbatim, `#` comment lines, a missing `=` meaning an empty value), so a SopsGenerator secret equals
// the secretGenerator Flux builds from the same file after decrypting it. Errors give line numbers only.
import { TsopsError } from "../../src/index.js"

// Kubernetes' IsEnvVarName (validation.IsEnvVarName): kustomize rejects other keys.
const envVarName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/

export function parseEnvFile(bytes: Uint8Array, what: string): [string, string][] {
  const pairs: [string, string][] = []
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes)
  } catch {
    throw new TsopsError(`${what}: env file is not valid UTF-8`)
  }
  if (text.startsWith("\ufeff")) text = text.slice(1)
  // Go's bufio.ScanLines: lines end at \n, a \r before it is dropped.
  const lines = text.split("\n")
  if (lines.at(-1) === "") lines.pop()
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "").replace(/^[\t\n\v\f\r \u0085\u00a0\p{Zs}\u2028\u2029]+/u, "")
    if (line === "" || line.startsWith("#")) return
    const at = line.indexOf("=")
    const key = at < 0 ? line : line.slice(0, at)
    if (!envVarName.test(key)) throw new TsopsError(`${what}: line ${i + 1}: invalid variable name (a valid one matches ${envVarName.source})`)
    pairs.push([key, at < 0 ? "" : line.slice(at + 1)])
  })
  return pairs
}
