// The YAML store (spec §1.3, §9.1): parse with yaml.v3's typing and comment placement; emit
// either keeping the input's layout (splicing changes in) or in sops's own layout.
import type { EmitOptions, ParsedFile, Store } from "../../src/core/store.js"
import type { TreeMap, TreeValue } from "../../src/core/tree.js"
import { emitLayout } from "./emit-layout.js"
import { emitSops, emitSopsValue } from "./emit-sops.js"
import { parseYaml } from "./parse.js"
import { isYamlLayout } from "./src-info.js"

const encoder = new TextEncoder()

function emit(branches: TreeMap[], options: EmitOptions = {}): Uint8Array {
  const { metadata, layout, indent } = options
  if (indent === undefined && isYamlLayout(layout)) {
    const text = emitLayout(branches, layout, metadata)
    if (text !== undefined) return encoder.encode(text)
  }
  return encoder.encode(emitSops(branches, metadata, indent ?? 4))
}

/** `--extract` output of a non-string value: a map or list in sops's layout, a scalar as `42\n`. */
function emitValue(value: TreeValue): Uint8Array {
  return encoder.encode(emitSopsValue(value))
}

export const store: Store = {
  format: "yaml",
  parse: (input: Uint8Array): ParsedFile => parseYaml(input),
  emit,
  emitValue,
}
