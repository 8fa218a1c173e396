// sops's own YAML layout (spec §9.1): the tree is turned into yaml.v3 nodes exactly as sops's
// YAML store does (comments as head/line/foot comments), then into events for the emitter.
import { isUtf8 } from "../../src/core/scalar.js"
import { formatFloatYaml } from "../../src/core/scalar.js"
import { Comment, isList, isMap, SopsTime, type TreeMap, type TreeValue } from "../../src/core/tree.js"
import { emitEvents, type EmitEvent } from "./emitter.js"
import { S, analyzeScalar, canUsePlain, selectScalarStyle, type StyleCode } from "./scalar-style.js"

/** A yaml.v3 Node as sops builds it for output. */
interface OutNode {
  kind: "map" | "seq" | "scalar"
  value: string
  style: StyleCode
  tag: string
  head: string
  line: string
  foot: string
  content: OutNode[]
}

const newNode = (kind: OutNode["kind"]): OutNode => ({ kind, value: "", style: S.Plain, tag: "", head: "", line: "", foot: "", content: [] })

const join = (comments: string[]): string => `#${comments.join("\n#")}`

function addHead(node: OutNode, comments: string[]): void {
  if (comments.length === 0) return
  node.head = node.head === "" ? join(comments) : `${join(comments)}\n${node.head}`
}
function addFoot(node: OutNode, comments: string[]): void {
  if (comments.length === 0) return
  node.foot = node.foot === "" ? join(comments) : `${node.foot}\n${join(comments)}`
}
function addLine(node: OutNode, comments: string[]): void {
  if (comments.length === 0) return
  node.line = node.line === "" ? join(comments) : `${node.line}\n${join(comments)}`
}

/**
 * An encrypted list comment is a string element in sops (spec §2.6): our walk keeps it a
 * Comment whose text is the `ENC[…,type:comment]` string, so it is written as an element.
 */
export function isEncryptedComment(comment: Comment): boolean {
  return /^ENC\[AES256_GCM,data:.+,iv:.+,tag:.+,type:comment\]/.test(comment.value)
}

function treeValueToNode(value: TreeValue): OutNode {
  if (isMap(value)) {
    const node = newNode("map")
    appendTreeBranch(value, node)
    return node
  }
  if (isList(value)) {
    const node = newNode("seq")
    appendSequence(value.items.map(item => item.value), node)
    return node
  }
  return scalarNode(value)
}

/** Node.Encode of a Go value: the scalar text, tag and the style the first encoding gives it. */
export function scalarNode(value: Exclude<TreeValue, TreeMap | { kind: "list" }> | Uint8Array): OutNode {
  const node = newNode("scalar")
  if (value === null) node.value = "null"
  else if (typeof value === "bigint") node.value = value.toString()
  else if (typeof value === "number") node.value = formatFloatYaml(value)
  else if (typeof value === "boolean") node.value = value ? "true" : "false"
  else if (value instanceof SopsTime) node.value = value.text
  else if (value instanceof Uint8Array && !isUtf8(value)) {
    node.tag = "!!binary"
    node.value = encodeBase64(value)
    node.style = node.value.includes("\n") ? S.Literal : S.Plain
  } else {
    const text = typeof value === "string" ? value : Buffer.from(value as Uint8Array).toString("utf8")
    node.value = text
    if (text === "<<") node.tag = "!!merge"
    else {
      const requested = text.includes("\n") ? S.Literal : canUsePlain(text) ? S.Plain : S.Double
      // Node.Encode emits the string at the root first; that emission may already change the style.
      node.style = selectScalarStyle(requested, text, analyzeScalar(text), { flow: false, simpleKey: false, hasTag: false })
    }
  }
  return node
}

/** yaml.v3 encodeBase64: 70-column lines, each ending in "\n" when there is more than one. */
function encodeBase64(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString("base64")
  const lines = Math.floor(b64.length / 70) + 1
  if (lines <= 1) return b64
  let out = ""
  for (let i = 0; i < b64.length; i += 70) out += `${b64.slice(i, i + 70)}\n`
  return out
}

function appendSequence(items: (TreeValue | Comment)[], sequence: OutNode): void {
  let head: string[] = []
  let inline: string[] = []
  let beginning = true
  for (const item of items) {
    if (item instanceof Comment && !isEncryptedComment(item)) {
      if (item.inline) inline.push(item.value)
      else head.push(item.value)
      continue
    }
    if (beginning) {
      addHead(sequence, head)
      head = []
      beginning = false
    }
    const node = item instanceof Comment ? scalarNode(item.value) : treeValueToNode(item)
    addHead(node, head)
    head = []
    addLine(node, inline)
    inline = []
    sequence.content.push(node)
  }
  head = head.concat(inline)
  if (head.length > 0) {
    if (beginning) addHead(sequence, head)
    else addFoot(sequence.content[sequence.content.length - 1]!, head)
  }
}

function appendTreeBranch(branch: TreeMap, mapping: OutNode): void {
  let head: string[] = []
  let inline: string[] = []
  let beginning = true
  for (const item of branch.items) {
    if (item.key instanceof Comment) {
      if (item.key.inline) inline.push(item.key.value)
      else head.push(item.key.value)
      continue
    }
    if (beginning) {
      addHead(mapping, head)
      head = []
      beginning = false
    }
    const keyNode = scalarNode(item.key)
    addHead(keyNode, head)
    head = []
    const valueNode = treeValueToNode(item.value)
    addLine(valueNode, inline)
    inline = []
    mapping.content.push(keyNode, valueNode)
  }
  head = head.concat(inline)
  if (head.length > 0) {
    if (beginning) addHead(mapping, head)
    else addFoot(mapping.content[mapping.content.length - 2]!, head)
  }
}

/** yaml.v3 encoder.node: events for a node (foot comments of keys move to the next key as "tail"). */
function nodeEvents(node: OutNode, tail: string, out: EmitEvent[]): void {
  if (node.kind === "seq") {
    out.push({ type: "seqStart", head: node.head })
    for (const child of node.content) nodeEvents(child, "", out)
    out.push({ type: "seqEnd", line: node.line, foot: node.foot })
    return
  }
  if (node.kind === "map") {
    out.push({ type: "mapStart", head: node.head, tail })
    let pending = ""
    for (let i = 0; i + 1 < node.content.length; i += 2) {
      const key = node.content[i]!
      const foot = key.foot
      nodeEvents(foot !== "" ? { ...key, foot: "" } : key, pending, out)
      pending = foot
      nodeEvents(node.content[i + 1]!, "", out)
    }
    out.push({ type: "mapEnd", tail: pending, line: node.line, foot: node.foot })
    return
  }
  // a plain/literal style that came out of Node.Encode is kept; a Go string with "\n" is literal
  out.push({ type: "scalar", value: node.value, style: node.style, tag: node.tag, head: node.head, line: node.line, foot: node.foot, tail })
}

/** The branches (and metadata as the last key of every document) in sops's layout. */
export function emitSops(branches: readonly TreeMap[], metadata: TreeMap | undefined, indent: number): string {
  const events: EmitEvent[] = []
  for (const branch of branches) {
    const mapping = newNode("map")
    const withMetadata: TreeMap = metadata === undefined ? branch : { kind: "map", items: [...branch.items, { key: "sops", value: metadata }] }
    appendTreeBranch(withMetadata, mapping)
    events.push({ type: "docStart" })
    nodeEvents(mapping, "", events)
    events.push({ type: "docEnd" })
  }
  return emitEvents(events, indent)
}

/** One value as `sops decrypt --extract` prints it (yaml.Marshal of the node: indent 4). */
export function emitSopsValue(value: TreeValue): string {
  const events: EmitEvent[] = [{ type: "docStart" }]
  nodeEvents(treeValueToNode(value), "", events)
  events.push({ type: "docEnd" })
  return emitEvents(events, 4)
}
