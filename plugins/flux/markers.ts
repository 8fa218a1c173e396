// The literal bytes Flux's kustomize-controller looks for to call a file or a Secret value "sops-encrypted"
// (plugins.md §2.4), and how it picks a sops format from a path or a Secret data key (§2.3).
export type SopsFormat = "yaml" | "json" | "dotenv" | "ini" | "binary"

/**
 * Exact substrings, as in kustomize-controller's `sopsFormatToMarkerBytes`: one space after the JSON colon,
 * an unquoted YAML `mac`. A file without its format's marker is left alone, silently — so an encryptor
 * that writes compact JSON or a quoted YAML `mac` is never decrypted by Flux.
 */
export const markers = {
  yaml: "mac: ENC[",
  json: "\"mac\": \"ENC[",
  binary: "\"mac\": \"ENC[",
  dotenv: "sops_mac=ENC[",
  ini: "[sops]",
} as const satisfies Record<SopsFormat, string>

/** Whether `bytes` carry the marker Flux requires before it decrypts a file of `format`. */
export function hasMarker(bytes: Uint8Array, format: SopsFormat): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(markers[format])
}

// Flux walks a Go map here (random order). JSON and binary share a marker and give the same plaintext
// for a binary envelope; INI's `[sops]` is the loosest, so it is tried last.
const detectionOrder: readonly SopsFormat[] = ["yaml", "json", "dotenv", "ini"]

/** The input format of a Secret `data` value that holds a sops document; undefined when it holds none. */
export function detectMarkerFormat(bytes: Uint8Array): SopsFormat | undefined {
  return detectionOrder.find(format => hasMarker(bytes, format))
}

/**
 * sops's `FormatForPath` (case-sensitive suffixes; anything else is binary), plus Flux's rule that a
 * name ending in `.dockerconfigjson` is JSON (image pull secrets).
 */
export function formatForPath(path: string): SopsFormat {
  if (path.endsWith(".dockerconfigjson")) return "json"
  if (path.endsWith(".yaml") || path.endsWith(".yml")) return "yaml"
  if (path.endsWith(".json")) return "json"
  if (path.endsWith(".env")) return "dotenv"
  if (path.endsWith(".ini")) return "ini"
  return "binary"
}

/** `secretGenerator[].envs` files: by extension, dotenv when the extension says nothing. */
export function formatForEnvFile(path: string): SopsFormat {
  const format = formatForPath(path)
  return format === "binary" ? "dotenv" : format
}
