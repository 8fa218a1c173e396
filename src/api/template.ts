// What `tsops edit` puts in the editor for a file that does not exist yet: sops's example trees,
// written by the format's own store (sops's `EmitExample`, spec §10.3).
import type { FormatName } from "../core/store.js"
import { Comment, newList, newMap, type TreeMap } from "../core/tree.js"
import { loadStore } from "../../formats/index.js"

const welcome = "Welcome to SOPS! Edit this file as you please!"

/**
 * The example tree sops uses for a format: nested for YAML/JSON, one section for INI, flat for dotenv.
 */
export function exampleTree(format: FormatName): TreeMap {
  switch (format) {
    case "yaml":
    case "json":
      return newMap([
        { key: "hello", value: welcome },
        { key: "example_key", value: "example_value" },
        // JSON has no comments; its store drops this item like sops's does.
        ...(format === "yaml" ? [{ key: new Comment(" Example comment"), value: null }] : []),
        { key: "example_array", value: newList([{ value: "example_value1" }, { value: "example_value2" }]) },
        { key: "example_number", value: 1234.56789 },
        { key: "example_booleans", value: newList([{ value: true }, { value: false }]) },
      ])
    case "ini":
      return newMap([{
        key: "Welcome!",
        value: newMap([
          { key: new Comment(" This is an example file."), value: null },
          { key: "hello", value: welcome },
          { key: "example_key", value: "example_value" },
        ]),
      }])
    case "dotenv":
      return newMap([
        { key: new Comment(" This is an example file."), value: null },
        { key: "hello", value: welcome },
        { key: "example_key", value: "example_value" },
        { key: "example_multiline", value: "foo\nbar\nbaz" },
      ])
    case "binary":
      return newMap([{ key: "data", value: Buffer.from(welcome, "utf8") }])
  }
}

/**
 * The bytes of the example file for a format, in sops's layout (spec §10.3).
 * @example
 *   const text = new TextDecoder().decode(await editTemplate("yaml"))   // "hello: Welcome to SOPS! …"
 */
export async function editTemplate(format: FormatName): Promise<Uint8Array> {
  const store = await loadStore(format)
  return store.emit([exampleTree(format)])
}
