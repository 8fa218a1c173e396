// Which master keys a new file gets (spec §8.3): keys from flags/env replace the creation rule's.
import { ExitCode, TsopsError } from "../core/errors.js"
import type { KeySource } from "../core/key-source.js"
import type { KeySpec } from "../config/sops-yaml.js"
import { keysFromList, keyTypes, type KeyTypeName } from "../../kms/index.js"

const isKnownType = (type: string): type is KeyTypeName => Object.hasOwn(keyTypes, type)

/** Recipient lists per key type from flags, falling back to each type's env var (SOPS_AGE_RECIPIENTS…). */
export function keySpecsFromFlags(
  flags: Partial<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): KeySpec[] {
  const specs: KeySpec[] = []
  for (const type of Object.keys(keyTypes) as KeyTypeName[]) {
    const value = flags[type] ?? env[keyTypes[type].env]
    if (value && value.trim() !== "") specs.push({ type, value })
  }
  return specs
}

/** Loads the key sources of key groups (lazily importing only the key types used). */
export async function loadKeyGroups(groups: readonly (readonly KeySpec[])[]): Promise<KeySource[][]> {
  return Promise.all(groups.map(async group => (await Promise.all(group.map(loadSpec))).flat()))
}

async function loadSpec(spec: KeySpec): Promise<KeySource[]> {
  if (!isKnownType(spec.type)) {
    throw new TsopsError(`tsops cannot encrypt with ${spec.type} keys yet`, ExitCode.ErrorGeneric)
  }
  return keysFromList(spec.type, spec.value)
}
