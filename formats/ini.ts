// INI store (spec §1.3, §5.5, §9.4): sections of string values read like gopkg.in/ini.v1 does, the
// `[sops]` section as flattened metadata, output in sops's layout or with the input's layout kept.
import { ExitCode, MetadataError, TsopsError } from "../src/core/errors.js"
import type { EmitOptions, ParsedFile, Store } from "../src/core/store.js"
import { Comment, isList, isMap, newMap, SopsTime, type MapItem, type TreeMap, type TreeValue } from "../src/core/tree.js"
import { unflatten } from "./flatten.js"
import { emitIniLayout, IniKeySrc, IniLayout, IniSectionSrc, stripCommentChar } from "./ini-layout.js"
import { parseIni, type IniSection } from "./ini-parse.js"
import { metadataSection, renderIni, sectionOut } from "./ini-write.js"
import { formatJsonScalar, quoteJson } from "./json-text.js"
import { decodeLossless, encodeLossless, leafFromText, textFromLeaf } from "./lossless-text.js"

function checkReservedKey(branch: TreeMap): void {
  if (branch.items.some(item => item.key === "sops")) {
    throw new TsopsError(`Found key "sops" in encrypted data, which is a reserved key used for SOPS metadata`, ExitCode.ErrorDumpingTree)
  }
}

/** sops's INI EmitValue for a non-string: Go's json.Marshal, compact (sops.TreeItem structs and all). */
function marshalGo(value: TreeValue | Comment): string {
  if (value instanceof Comment) return `{"Value":${quoteJson(value.value)},"Inline":${value.inline}}`
  if (isMap(value)) {
    return `[${value.items.map(item => `{"Key":${item.key instanceof Comment ? marshalGo(item.key) : quoteJson(item.key)},"Value":${marshalGo(item.value)}}`).join(",")}]`
  }
  if (isList(value)) return `[${value.items.map(item => marshalGo(item.value)).join(",")}]`
  if (value instanceof SopsTime) return quoteJson(value.text)
  return formatJsonScalar(value)
}

export const store: Store = {
  format: "ini",

  parse(input: Uint8Array): ParsedFile {
    const text = decodeLossless(input)
    const doc = parseIni(text)
    const sopsSections = doc.sections.filter(section => section.name === "sops")
    if (sopsSections.length > 1) throw new MetadataError("Found duplicate sops entry")
    const sopsSection: IniSection | undefined = sopsSections[0]
    const layout = new IniLayout(text, doc, sopsSection)
    const branch = newMap()
    let metadata: TreeMap | undefined
    for (const section of doc.sections) {
      const sectionSrc = new IniSectionSrc(layout, section)
      const items: MapItem[] = []
      if (section.comment !== "") items.push({ key: new Comment(stripCommentChar(section.comment)), value: null })
      for (const key of section.keys) {
        const value = leafFromText(key.value)
        items.push({ key: key.name, value, src: new IniKeySrc(sectionSrc, key, value) })
        if (key.comment !== "") items.push({ key: new Comment(stripCommentChar(key.comment)), value: null })
      }
      if (section === sopsSection) {
        // Metadata strings carry newlines as `\n`; 3.13.0/3.13.1 wrote `"""` blocks instead (spec §5.5).
        metadata = unflatten(items.flatMap(item => typeof item.key !== "string" ? [] : [{
          key: item.key,
          value: typeof item.value === "string" ? item.value.replaceAll("\\n", "\n") : item.value,
        }]))
        continue
      }
      const map = newMap(items)
      map.src = sectionSrc
      branch.items.push({ key: section.name, value: map, src: sectionSrc })
    }
    return { branches: [branch], metadata, layout }
  },

  emit(branches: TreeMap[], options: EmitOptions = {}): Uint8Array {
    const { metadata, layout } = options
    const branch = branches[0] ?? newMap()
    if (metadata) checkReservedKey(branch)
    if (layout instanceof IniLayout && options.indent === undefined) return encodeLossless(emitIniLayout(layout, branch, metadata))
    const sections = branch.items.flatMap(item => (item.key instanceof Comment ? [] : [sectionOut(item.key, item.value)]))
    if (metadata) sections.push(metadataSection(metadata))
    return encodeLossless(renderIni(sections))
  },

  emitValue(value: TreeValue): Uint8Array {
    if (typeof value === "string") return encodeLossless(textFromLeaf(value))
    if (value instanceof Uint8Array) return value
    if (isMap(value)) return store.emit([value])
    return Buffer.from(marshalGo(value), "utf8")
  },
}
