// JSON store (spec §1.3, §9.2): an order-preserving parse with int64 ints, and output either in sops's
// own layout (json.Indent style) or in the input's layout with only the changed values spliced in.
import type { EmitOptions, ParsedFile, Store } from "../src/core/store.js"
import { newList, newMap, type TreeMap, type TreeValue } from "../src/core/tree.js"
import { emitJsonLayout, JsonContainer, JsonItemSrc, JsonLayout } from "./json-layout.js"
import type { JsonNode } from "./json-parse.js"
import { checkReservedKey, extractSops, parseTopObject, renderJsonFile, renderJsonValue } from "./json-tree.js"
import { decodeLossless, encodeLossless, textFromLeaf } from "./lossless-text.js"

const childContainer = (node: JsonNode): JsonContainer | undefined =>
  node.kind === "scalar" ? undefined : new JsonContainer(node.kind === "object" ? "map" : "list", node.start, node.end - 1)

/** The tree of a parsed node; every item's `src` records where its text is, for emitJsonLayout. */
function layoutTree(node: JsonNode, container: JsonContainer): TreeValue {
  if (node.kind === "object") {
    const map = newMap()
    map.src = container
    for (const member of node.members) {
      const child = childContainer(member.value)
      const src = container.add(member.key, member.keyStart, member.value, child)
      map.items.push({ key: member.key, value: child ? layoutTree(member.value, child) : scalarOf(member.value), src })
    }
    return map
  }
  const list = newList()
  list.src = container
  if (node.kind === "array") {
    for (const element of node.elements) {
      const child = childContainer(element)
      const src = container.add(undefined, element.start, element, child)
      list.items.push({ value: child ? layoutTree(element, child) : scalarOf(element), src })
    }
  }
  return list
}

const scalarOf = (node: JsonNode): TreeValue => (node.kind === "scalar" ? node.value : null)

export const store: Store = {
  format: "json",

  parse(input: Uint8Array): ParsedFile {
    const text = decodeLossless(input)
    const { node, end } = parseTopObject(text)
    const root = new JsonContainer("map", node.start, node.end - 1)
    const branch = layoutTree(node, root) as TreeMap
    const sopsItem = extractSops(branch)
    const layout = new JsonLayout(text, root, end, sopsItem?.src instanceof JsonItemSrc ? sopsItem.src : undefined)
    return { branches: [branch], metadata: sopsItem?.value, layout }
  },

  emit(branches: TreeMap[], options: EmitOptions = {}): Uint8Array {
    const { metadata, layout, indent } = options
    const branch = branches[0]
    if (layout instanceof JsonLayout && indent === undefined && branch) {
      if (metadata) checkReservedKey(branch)
      return encodeLossless(emitJsonLayout(layout, branch, metadata))
    }
    return encodeLossless(renderJsonFile(branches, metadata, indent))
  },

  emitValue(value: TreeValue): Uint8Array {
    if (typeof value === "string") return encodeLossless(textFromLeaf(value))
    if (value instanceof Uint8Array) return value
    return encodeLossless(renderJsonValue(value))
  },
}
