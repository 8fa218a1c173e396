// Every file format, by name: its extensions and its (lazily loaded) store. A new format is one
// module exporting `store` plus one line here. Unknown extensions are binary, as in sops (spec §9).
import type { FormatName, Store } from "../src/core/store.js"

export interface FormatEntry {
  readonly extensions: readonly string[]
  readonly load: () => Promise<{ store: Store }>
}

export const formats = {
  yaml: { extensions: [".yaml", ".yml"], load: () => import("./yaml/index.js") },
  json: { extensions: [".json"], load: () => import("./json.js") },
  dotenv: { extensions: [".env"], load: () => import("./dotenv.js") },
  ini: { extensions: [".ini"], load: () => import("./ini.js") },
  binary: { extensions: [], load: () => import("./binary.js") },
} as const satisfies Record<FormatName, FormatEntry>

export const formatNames = Object.keys(formats) as FormatName[]

export const isFormatName = (name: string | undefined): name is FormatName =>
  name !== undefined && Object.hasOwn(formats, name)

/** The format sops picks for a file name: by extension, anything else binary. */
export function formatForPath(path: string): FormatName {
  const lower = path.toLowerCase()
  for (const name of formatNames) {
    if (formats[name].extensions.some((ext: string) => lower.endsWith(ext))) return name
  }
  return "binary"
}

/**
 * The format for a flag value, else from the file name. sops silently ignores an unknown
 * --input-type/--output-type and falls back to the extension (spec §9).
 */
export function selectFormat(flag: string | undefined, path: string): FormatName {
  return isFormatName(flag) ? flag : formatForPath(path)
}

export async function loadStore(name: FormatName): Promise<Store> {
  return (await formats[name].load()).store
}
