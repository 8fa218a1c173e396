// Values and types of a file, layout ignored: what "decrypts to the same values and types" compares.
import { loadStore, selectFormat } from "../../formats/index.js"
import { Comment, isList, isMap, SopsTime, type TreeValue } from "../../src/core/tree.js"

export type Typed = string | { int: string } | { float: string } | { bool: boolean } | { time: string } | { bytes: string } | null | Typed[] | { map: [string, Typed][] }

export function typed(value: TreeValue | Comment): Typed {
  if (value instanceof Comment) return null
  if (isMap(value)) return { map: value.items.flatMap(i => (typeof i.key === "string" ? [[i.key, typed(i.value)] as [string, Typed]] : [])) }
  if (isList(value)) return value.items.flatMap(i => (i.value instanceof Comment ? [] : [typed(i.value)]))
  if (value === null) return null
  if (typeof value === "string") return value
  if (typeof value === "bigint") return { int: value.toString() }
  if (typeof value === "number") return { float: Object.is(value, -0) ? "-0" : String(value) }
  if (typeof value === "boolean") return { bool: value }
  if (value instanceof SopsTime) return { time: value.text }
  // Bytes that are valid UTF-8 (an empty payload included, spec §2.3) are the same value as that string.
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(value)
  } catch {
    return { bytes: Buffer.from(value).toString("hex") }
  }
}

/** Parses a plaintext file in the format its name (or `format`) says and returns its typed values. */
export async function valuesOf(bytes: Uint8Array, name: string, format?: string): Promise<Typed[]> {
  const store = await loadStore(selectFormat(format, name))
  return store.parse(bytes).branches.map(branch => typed(branch))
}
