// Small readers for config fields: each checks one field's type and names the field when it is wrong.
import { TsopsError } from "../../src/index.js"

export type Plain = Record<string, unknown>

export const isPlain = (value: unknown): value is Plain =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export class ConfigError extends TsopsError {}

export function optionalString(object: Plain, field: string, where: string): string | undefined {
  const value = object[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "string") throw new ConfigError(`${where}.${field}: expected a string`)
  return value
}

export function optionalBool(object: Plain, field: string, where: string): boolean | undefined {
  const value = object[field]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "boolean") throw new ConfigError(`${where}.${field}: expected true or false`)
  return value
}

/** A list of strings; absent or null → undefined (ksops tells `files: []` from no `files`). */
export function optionalStringList(object: Plain, field: string, where: string): string[] | undefined {
  const value = object[field]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.some(item => typeof item !== "string")) throw new ConfigError(`${where}.${field}: expected a list of strings`)
  return value as string[]
}

export function optionalList(object: Plain, field: string, where: string): unknown[] | undefined {
  const value = object[field]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value)) throw new ConfigError(`${where}.${field}: expected a list`)
  return value
}

export function optionalObject(object: Plain, field: string, where: string): Plain | undefined {
  const value = object[field]
  if (value === undefined || value === null) return undefined
  if (!isPlain(value)) throw new ConfigError(`${where}.${field}: expected a mapping`)
  return value
}

/** A string → string map (labels, annotations); absent → {}. */
export function stringMap(object: Plain, field: string, where: string): Record<string, string> {
  const value = optionalObject(object, field, where) ?? {}
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string") throw new ConfigError(`${where}.${field}.${key}: expected a string (quote it)`)
  }
  return value as Record<string, string>
}

/** Rejects fields a strict schema does not know: a typo must not silently drop a secret. */
export function rejectUnknown(object: Plain, known: readonly string[], where: string): void {
  const unknown = Object.keys(object).filter(key => !known.includes(key))
  if (unknown.length > 0) throw new ConfigError(`${where}: unknown field${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} (known: ${known.join(", ")})`)
}
