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

/**
 * Sets the value at a path (sops `set`): a missing key is appended to its map, an index at or past
 * the end appends, missing levels are created (string → map, number → list). Returns whether
 * anything changed (for --idempotent).
 */
export function setAtPath(root: TreeValue & { kind: "map" }, path: readonly PathComponent[], value: TreeValue, same: (a: TreeValue, b: TreeValue) => boolean): boolean {
  if (path.length === 0) throw new TsopsError("Invalid set index format", ExitCode.ErrorInvalidSetFormat)
  let current: TreeValue = root
  for (let i = 0; i < path.length; i++) {
    const component = path[i]!
    const last = i === path.length - 1
    const next = path[i + 1]
    const fresh = (): TreeValue => (last ? value : typeof next === "number" ? { kind: "list", items: [] } : { kind: "map", items: [] })
    if (typeof component === "string") {
      if (!isMap(current)) throw new TsopsError(`Cannot set key ${describe(component)} on a value that is not a map`, ExitCode.ErrorInvalidSetFormat)
      const item = current.items.find(it => it.key === component)
      if (!item) {
        const created = fresh()
        current.items.push({ key: component, value: created })
        if (last) return true
        current = created
      } else if (last) {
        if (same(item.value, value)) return false
        item.value = value
        return true
      } else {
        if (!isMap(item.value) && !isList(item.value)) item.value = fresh()
        current = item.value
      }
    } else {
      if (!isList(current)) throw new TsopsError(`Cannot set index ${describe(component)} on a value that is not a list`, ExitCode.ErrorInvalidSetFormat)
      const values = current.items.filter(it => !(it.value instanceof Comment))
      const item = values[component]
      if (!item) {
        const created = fresh()
        current.items.push({ value: created })
        if (last) return true
        current = created
      } else if (last) {
        if (same(item.value as TreeValue, value)) return false
        item.value = value
        return true
      } else {
        if (!isMap(item.value) && !isList(item.value)) item.value = fresh()
        current = item.value as TreeValue
      }
    }
  }
  return true
}

/** Removes the key or element at a path (sops `unset`); false when it is not there. */
export function unsetAtPath(root: TreeValue, path: readonly PathComponent[]): boolean {
  if (path.length === 0) throw new TsopsError("Invalid unset index format", ExitCode.ErrorInvalidSetFormat)
  let parent: TreeValue = root
  for (let i = 0; i < path.length - 1; i++) {
    try {
      parent = valueAtPath(parent, [path[i]!])
    } catch {
      return false
    }
  }
  const last = path[path.length - 1]!
  if (typeof last === "string" && isMap(parent)) {
    const index = parent.items.findIndex(it => it.key === last)
    if (index === -1) return false
    parent.items.splice(index, 1)
    return true
  }
  if (typeof last === "number" && isList(parent)) {
    const values = parent.items.filter(it => !(it.value instanceof Comment))
    const item = values[last]
    if (!item) return false
    parent.items.splice(parent.items.indexOf(item), 1)
    return true
  }
  return false
}
