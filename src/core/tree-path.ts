// sops's tree paths for --extract, set and unset: Python-style subscripts, `["app"]["port"]`, `["list"][4]` (spec §10.4).
import { ExitCode, TsopsError } from "./errors.js"
import { Comment, isList, isMap, type TreeValue } from "./tree.js"

export type PathComponent = string | number

/** Parses `["a"][0]`; throws with exit code `exitCode` (91 for --extract, 7 for set/unset). */
export function parseTreePath(text: string, exitCode: number = ExitCode.InvalidTreePathFormat, prefix = "error parsing --extract path"): PathComponent[] {
  const components: PathComponent[] = []
  for (const piece of text.split("[")) {
    if (piece === "") continue
    if (!piece.endsWith("]")) throw new TsopsError(`${prefix}: component ${piece} doesn't end with ]`, exitCode as ExitCode)
    const inner = piece.slice(0, -1)
    if (inner.startsWith('"') || inner.startsWith("'")) components.push(inner.slice(1, -1))
    else if (/^-?\d+$/.test(inner)) components.push(Number(inner))
    else throw new TsopsError(`${prefix}: invalid component ${inner}: not a quoted key or an integer index`, exitCode as ExitCode)
  }
  return components
}

const describe = (component: PathComponent) => (typeof component === "string" ? `['${component}']` : `[${component}]`)

/** The value at a path; throws `component ['x'] not found` like sops. */
export function valueAtPath(root: TreeValue, path: readonly PathComponent[]): TreeValue {
  let current: TreeValue = root
  for (const component of path) {
    if (typeof component === "string" && isMap(current)) {
      const item = current.items.find(i => i.key === component)
      if (!item) throw new TsopsError(`error truncating tree: component ${describe(component)} not found`)
      current = item.value
    } else if (typeof component === "number" && isList(current)) {
      const values = current.items.filter(i => !(i.value instanceof Comment))
      const item = values[component]
      if (!item) throw new TsopsError(`error truncating tree: component ${describe(component)} not found`)
      current = item.value as TreeValue
    } else {
      throw new TsopsError(`error truncating tree: component ${describe(component)} not found`)
    }
  }
  return current
}
