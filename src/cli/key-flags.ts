// Flags generated from the key-type table (kms/index.ts): `--age`/`-a`, `--pgp`/`-p`, … for every type.
import { Option, type Command } from "commander"
import { keyTypes, keyTypeNames, type KeyTypeEntry } from "../../kms/index.js"

export function addKeyFlags(command: Command): Command {
  for (const type of keyTypeNames) {
    const entry: KeyTypeEntry = keyTypes[type]
    const flags = entry.short ? `-${entry.short}, --${entry.flag} <list>` : `--${entry.flag} <list>`
    command.addOption(new Option(flags, `${entry.description} [$${entry.env}]`))
  }
  return command
}

/** The recipients given per key type in parsed flags. */
export function keyFlagValues(flags: Record<string, unknown>): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {}
  for (const type of keyTypeNames) {
    const value = flags[camel(keyTypes[type].flag)]
    if (typeof value === "string") values[type] = value
  }
  return values
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
