// Flags generated from the key-type table (kms/index.ts): `--age`/`-a`, `--pgp`/`-p`, … for every type.
import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { Option, type Command } from "commander"
import type { KeyLists } from "../api/rotate.js"
import { ExitCode, TsopsError } from "../core/errors.js"
import { keyTypes, keyTypeNames, type KeyTypeEntry } from "../../kms/index.js"
import type { Io } from "./io.js"

type Flags = Record<string, unknown>
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

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

/** `--add-<type>` and `--rm-<type>` for every key type of kms/index.ts. */
export function addKeyChangeFlags(command: Command): Command {
  for (const type of keyTypeNames) {
    const entry: KeyTypeEntry = keyTypes[type]
    command.addOption(new Option(`--add-${entry.flag} <list>`, `add the provided comma-separated list of ${type} master keys to the file's first key group`))
    command.addOption(new Option(`--rm-${entry.flag} <list>`, `remove the provided comma-separated list of ${type} master keys from every key group of the file`))
  }
  return command
}

/** The keys to add and remove given in parsed flags. */
export function keyChangeValues(flags: Flags): { add: KeyLists; remove: KeyLists; any: boolean } {
  const add: Record<string, string> = {}
  const remove: Record<string, string> = {}
  for (const type of keyTypeNames) {
    const added = str(flags[camel(`add-${keyTypes[type].flag}`)])
    const removed = str(flags[camel(`rm-${keyTypes[type].flag}`)])
    if (added) add[type] = added
    if (removed) remove[type] = removed
  }
  return { add, remove, any: Object.keys(add).length + Object.keys(remove).length > 0 }
}

/**
 * sops refuses --add-… and --rm-… flags on a file that does not exist (exit 49); the advice differs between
 * the subcommand and the legacy root command.
 */
export function checkKeyChangeTarget(file: string | undefined, flags: Flags, io: Io, legacy: boolean): void {
  if (file === undefined || file === "-" || !keyChangeValues(flags).any) return
  const path = resolve(io.cwd, file)
  if (existsSync(path)) return
  const advice = legacy ? "use `--kms` and `--pgp` instead" : "use the `edit` subcommand instead"
  throw new TsopsError(`Error: cannot add or remove keys on non-existent file "${path}", ${advice}.`, ExitCode.CannotChangeKeysFromNonExistentFile)
}
