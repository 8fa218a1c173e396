// JSON text ⇄ sops tree pieces shared by the JSON and binary stores: the top-level object rule and
// its errors (spec §1.3), the `sops` member (spec §5.4, §5.6) and sops's fresh rendering (spec §9.2).
import { ExitCode, InputParseError, MetadataError, TsopsError } from "../src/core/errors.js"
import { isMap, newList, newMap, type MapItem, type TreeMap, type TreeValue } from "../src/core/tree.js"
import { parseJsonValue, skipJsonSpace, type JsonNode } from "./json-parse.js"
import { jsonIndentUnit, renderJson } from "./json-text.js"

export type JsonObjectNode = Extract<JsonNode, { kind: "object" }>

const context = "Could not unmarshal input data"

/** The top-level object of a JSON text (sops's errors for anything else) and the offset after it. */
export function parseTopObject(text: string): { node: JsonObjectNode; end: number } {
  const start = skipJsonSpace(text, 0)
  if (start >= text.length) throw new InputParseError(`${context}: EOF`)
  if (text[start] === "[") {
    throw new InputParseError(
      `${context}: SOPS only supports JSON files with a top-level object (starting with '{'), not arrays or other types. Got delimiter [ instead. To encrypt this file, wrap it in an object, e.g., {"data": [...]}`,
    )
  }
  const { node, end } = parseJsonValue(text, start, context)
  if (node.kind === "object") return { node, end }
  // sops prints the value itself (%#v); a string or a number could be a secret, so only its type is named.
  const value = node.kind === "scalar" ? node.value : undefined
  const described = value === null ? "<nil> of type <nil>"
    : typeof value === "boolean" ? `${value} of type bool`
    : typeof value === "bigint" ? "a value of type int"
    : typeof value === "number" ? "a value of type float64"
    : "a value of type string"
  throw new InputParseError(`${context}: SOPS only supports JSON files with a top-level object (starting with '{'), not other JSON types. Got ${described} instead`)
}

/** A parsed node as a tree value, without source information. */
export function plainTree(node: JsonNode): TreeValue {
  if (node.kind === "scalar") return node.value
  if (node.kind === "object") return newMap(node.members.map(member => ({ key: member.key, value: plainTree(member.value) })))
  return newList(node.elements.map(element => ({ value: plainTree(element) })))
}

/** Removes the top-level `sops` member from a branch and returns it (spec §5.4: a second one is an error). */
export function extractSops(branch: TreeMap): MapItem | undefined {
  let sopsItem: MapItem | undefined
  const kept: MapItem[] = []
  for (const item of branch.items) {
    if (item.key !== "sops") {
      kept.push(item)
      continue
    }
    if (sopsItem) throw new MetadataError("Found duplicate sops entry")
    sopsItem = item
  }
  branch.items = kept
  return sopsItem
}

/** sops refuses to write a branch that has its own `sops` key next to the metadata (spec §5.1). */
export function checkReservedKey(branch: TreeMap): void {
  if (branch.items.some(item => item.key === "sops")) {
    throw new TsopsError(`Found key "sops" in encrypted data, which is a reserved key used for SOPS metadata`, ExitCode.ErrorDumpingTree)
  }
}

/** sops's rendering of branch 0 plus the metadata as last member, with its final newline. */
export function renderJsonFile(branches: readonly TreeMap[], metadata: TreeMap | undefined, indent: number | undefined): string {
  const branch = branches[0]
  if (!branch) throw new TsopsError("Error marshaling to json: there must be exactly one tree branch", ExitCode.ErrorDumpingTree)
  let root = branch
  if (metadata) {
    checkReservedKey(branch)
    root = newMap([...branch.items, { key: "sops", value: metadata }])
  }
  return `${renderJson(root, { prefix: "", indent: jsonIndentUnit(indent) })}\n`
}

/** `--extract` of a value that is not a string (spec §10.4): a map as a whole file, else indented JSON, no newline. */
export function renderJsonValue(value: TreeValue): string {
  if (isMap(value)) return renderJsonFile([value], undefined, undefined)
  return renderJson(value, { prefix: "", indent: "\t" })
}
