// Metadata flattening for the flat formats (spec §5.5, getsops/sops stores/flatten.go): dotenv writes
// `sops_age__list_0__map_enc=…`, INI a `[sops]` section with `age__list_0__map_enc = …`.
import { MetadataError, TsopsError } from "../src/core/errors.js"
import { Comment, isList, isMap, newList, newMap, type Scalar, type TreeMap, type TreeValue } from "../src/core/tree.js"

const mapSeparator = "__map_"
const listSeparator = "__list_"

export interface FlatEntry {
  readonly key: string
  /** a scalar (or null) as the metadata held it; the store stringifies it (ValToString) */
  readonly value: Scalar | null
}

/**
 * Depth-first over the map in its order: map keys join with `__map_`, list elements (comments not
 * counted) with `__list_<i>`; empty maps and lists vanish. Throws on a key collision, as sops does.
 */
export function flatten(metadata: TreeMap, prefix = ""): FlatEntry[] {
  const out: FlatEntry[] = []
  const seen = new Set<string>()
  const descend = (value: TreeValue, key: string): void => {
    if (isMap(value)) {
      for (const item of value.items) {
        if (item.key instanceof Comment) continue
        descend(item.value, key + mapSeparator + item.key)
      }
      return
    }
    if (isList(value)) {
      let index = 0
      for (const item of value.items) {
        if (item.value instanceof Comment) continue
        descend(item.value, `${key}${listSeparator}${index++}`)
      }
      return
    }
    if (seen.has(key)) {
      throw new TsopsError(`Error while flattening metadata: Found key collision ${JSON.stringify(key)} while flattening`)
    }
    seen.add(key)
    out.push({ key, value })
  }
  for (const item of metadata.items) {
    if (item.key instanceof Comment) continue
    descend(item.value, prefix + item.key)
  }
  return out
}

type Token = { map: string } | { index: number }

/** sops's tokenize: the text before the first separator, then one token per `__map_`/`__list_`. */
function tokenize(path: string): Token[] {
  const tokens: Token[] = []
  let state: "normal" | "map" | "list" = "normal"
  let tokenStart = 0
  const finish = (i: number) => {
    if (state === "normal") tokens.push({ map: path.slice(tokenStart, i) })
    else if (state === "map") tokens.push({ map: path.slice(tokenStart + mapSeparator.length, i) })
    // Go's strconv.Atoi error is ignored there: a non-numeric index reads as 0.
    else tokens.push({ index: /^[+-]?\d+$/.test(path.slice(tokenStart + listSeparator.length, i)) ? Number(path.slice(tokenStart + listSeparator.length, i)) : 0 })
    tokenStart = i
  }
  let i = 0
  while (i < path.length) {
    if (path.startsWith(mapSeparator, i)) {
      finish(i)
      state = "map"
      i += mapSeparator.length
    } else if (path.startsWith(listSeparator, i)) {
      finish(i)
      state = "list"
      i += listSeparator.length
    } else {
      i++
    }
  }
  finish(i)
  return tokens
}

interface Node {
  hasValue: boolean
  value: TreeValue
  subkeys?: Map<string, Node>
  indices?: Map<number, Node>
}

const newNode = (): Node => ({ hasValue: false, value: null })

/** Byte order of the UTF-8 encodings, as Go's sort.Strings compares. */
const compareBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"))

function convert(node: Node): TreeValue {
  const kinds = Number(node.hasValue) + Number((node.subkeys?.size ?? 0) > 0) + Number((node.indices?.size ?? 0) > 0)
  if (kinds > 1) throw new MetadataError("Error while unflattening: Type mismatch")
  if (node.hasValue) return node.value
  if (node.subkeys && node.subkeys.size > 0) {
    const keys = [...node.subkeys.keys()].sort(compareBytes)
    return newMap(keys.map(key => ({ key, value: convert(node.subkeys!.get(key)!) })))
  }
  if (node.indices && node.indices.size > 0) {
    const indices = [...node.indices.keys()]
    const min = Math.min(...indices)
    const max = Math.max(...indices)
    if (min !== 0 || max + 1 !== indices.length) throw new MetadataError("Error while unflattening: Incomplete list")
    return newList(indices.sort((a, b) => a - b).map(index => ({ value: convert(node.indices!.get(index)!) })))
  }
  return newMap()
}

/**
 * Rebuilds the metadata map from flat entries (prefix already stripped). Maps come out with their keys
 * sorted; errors as sops words them: `Duplicate value`, `Type mismatch`, `Incomplete list`.
 */
export function unflatten(entries: readonly { key: string; value: TreeValue }[]): TreeMap {
  const root = newNode()
  for (const { key, value } of entries) {
    let node = root
    for (const token of tokenize(key)) {
      if ("map" in token) {
        node.subkeys ??= new Map()
        let next = node.subkeys.get(token.map)
        if (!next) node.subkeys.set(token.map, (next = newNode()))
        node = next
      } else {
        node.indices ??= new Map()
        let next = node.indices.get(token.index)
        if (!next) node.indices.set(token.index, (next = newNode()))
        node = next
      }
    }
    if (node.hasValue) throw new MetadataError(`Error while unflattening ${JSON.stringify(key)}: Duplicate value`)
    node.hasValue = true
    node.value = value
  }
  const result = convert(root)
  if (!isMap(result)) throw new MetadataError("Error while unflattening: Internal error: cannot find root")
  return result
}
