// A Flux decryption Secret manifest (`spec.decryption.secretRef`, plugins.md §2.2) read into keys:
// `*.agekey` age identities, `*.asc` armored PGP secret keys, and the cloud/Vault credential entries.
// Messages name entries, never their contents.
import { readdir, readFile, stat } from "node:fs/promises"
import { join } from "node:path"
import { ExitCode, TsopsError } from "../../src/index.js"
import { loadYaml } from "./load-yaml.js"
import { parseCloudEntry, type CloudCredentials, type CloudEntryName } from "./cloud-entries.js"

export interface PgpKeyEntry {
  readonly entry: string
  readonly armored: Uint8Array
}

export interface DecryptionKeys {
  /** "decryption Secret flux-system/sops-keys": how messages name where the keys came from. */
  readonly source: string
  /** `AGE-SECRET-KEY-1…` (and `AGE-SECRET-KEY-PQ-1…`) lines of every `*.agekey` entry. */
  readonly ageIdentities: readonly string[]
  readonly pgpKeys: readonly PgpKeyEntry[]
  /** The cloud and Vault entries present, parsed (tsops cannot use those key types yet). */
  readonly cloud: ReadonlyMap<CloudEntryName, CloudCredentials>
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Go's filepath.Ext: the suffix from the last dot of the last path element. */
function extension(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1)
  const dot = base.lastIndexOf(".")
  return dot < 0 ? "" : base.slice(dot)
}

const strictBase64 = /^[A-Za-z0-9+/]*={0,2}$/

function decodeDataValue(value: unknown, entry: string, source: string): Uint8Array {
  const text = typeof value === "string" ? value.replace(/\s+/g, "") : ""
  if (typeof value !== "string" || text.length % 4 !== 0 || !strictBase64.test(text)) {
    throw new TsopsError(`${source}: data entry '${entry}' is not valid base64`, ExitCode.ErrorReadingConfig)
  }
  return Buffer.from(text, "base64")
}

/** The entries of a Secret object: `data` (base64) overlaid by `stringData`, as the API server merges them. */
function secretEntries(secret: Record<string, unknown>, source: string): Map<string, Uint8Array> {
  const entries = new Map<string, Uint8Array>()
  if (isRecord(secret.data)) {
    for (const [name, value] of Object.entries(secret.data)) entries.set(name, decodeDataValue(value, name, source))
  }
  if (isRecord(secret.stringData)) {
    for (const [name, value] of Object.entries(secret.stringData)) {
      if (typeof value !== "string") throw new TsopsError(`${source}: stringData entry '${name}' is not a string`, ExitCode.ErrorReadingConfig)
      entries.set(name, Buffer.from(value, "utf8"))
    }
  }
  return entries
}

/**
 * The age identities of one `*.agekey` entry: age-keygen output, comments and blank lines allowed.
 * Anything else fails the import, as Flux's `ParsedIdentities.Import` does.
 */
function ageIdentitiesOf(bytes: Uint8Array, entry: string, source: string): string[] {
  const identities: string[] = []
  const lines = Buffer.from(bytes).toString("utf8").split(/\r?\n/)
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(line)) {
      throw new TsopsError(`failed to import '${entry}' data from ${source}: line ${i + 1} is not an age identity`, ExitCode.ErrorReadingConfig)
    }
    identities.push(line)
  }
  if (identities.length === 0) throw new TsopsError(`failed to import '${entry}' data from ${source}: no age identity in it`, ExitCode.ErrorReadingConfig)
  return identities
}

/** The one Secret in a manifest (YAML or JSON, possibly several documents or a `List`). */
async function findSecret(text: string, file: string): Promise<Record<string, unknown>> {
  const YAML = await loadYaml()
  const objects: unknown[] = []
  for (const doc of YAML.parseAllDocuments(text, { prettyErrors: false })) {
    // Positions only: a decryption Secret is full of key material.
    if (doc.errors[0]) throw new TsopsError(`${file}: not valid YAML or JSON (${doc.errors[0].code})`, ExitCode.ErrorReadingConfig)
    const value: unknown = doc.toJS()
    if (isRecord(value) && value.kind === "List" && Array.isArray(value.items)) objects.push(...value.items)
    else if (value !== null) objects.push(value)
  }
  const secrets = objects.filter(isRecord).filter(o => o.kind === "Secret")
  if (secrets.length !== 1) {
    throw new TsopsError(`${file}: expected one Secret manifest, found ${secrets.length}`, ExitCode.ErrorReadingConfig)
  }
  return secrets[0]!
}

/** The entries of a Secret volume (what kubelet mounts: one file per entry, plus its hidden `..data` links). */
async function volumeEntries(dir: string): Promise<Map<string, Uint8Array>> {
  const entries = new Map<string, Uint8Array>()
  for (const entry of (await readdir(dir)).sort()) {
    if (entry.startsWith(".")) continue
    const path = join(dir, entry)
    if (!(await stat(path)).isFile()) continue
    entries.set(entry, await readFile(path))
  }
  return entries
}

/**
 * Reads the keys of a decryption Secret given as a manifest file (YAML or JSON) or as a mounted Secret
 * volume (a directory with one file per entry), e.g. the Flux Secret mounted into an Argo CD sidecar.
 */
export async function readDecryptionSecret(path: string, shown: string): Promise<DecryptionKeys> {
  let isDirectory: boolean
  try {
    isDirectory = (await stat(path)).isDirectory()
  } catch {
    throw new TsopsError(`cannot read the decryption Secret ${shown}`, ExitCode.CouldNotReadInputFile)
  }
  if (isDirectory) return keysFromEntries(await volumeEntries(path), `decryption Secret volume ${shown}`)
  return parseDecryptionSecret(await readFile(path, "utf8"), shown)
}

/**
 * Reads a decryption Secret manifest. Entries are matched as kustomize-controller's `ImportKeys` matches
 * them: `*.agekey` and `*.asc` by extension, the cloud and Vault entries by exact name; others are ignored.
 * @throws TsopsError (exit 5) for a malformed manifest or an entry that does not import
 */
export async function parseDecryptionSecret(text: string, file: string): Promise<DecryptionKeys> {
  const secret = await findSecret(text, file)
  const metadata = isRecord(secret.metadata) ? secret.metadata : {}
  const name = typeof metadata.name === "string" ? metadata.name : "(unnamed)"
  const namespace = typeof metadata.namespace === "string" ? `${metadata.namespace}/` : ""
  const source = `decryption Secret '${namespace}${name}' (${file})`
  return keysFromEntries(secretEntries(secret, source), source)
}

async function keysFromEntries(entries: Map<string, Uint8Array>, source: string): Promise<DecryptionKeys> {
  const ageIdentities: string[] = []
  const pgpKeys: PgpKeyEntry[] = []
  const cloud = new Map<CloudEntryName, CloudCredentials>()
  for (const [entry, bytes] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const ext = extension(entry)
    if (ext === ".agekey") ageIdentities.push(...ageIdentitiesOf(bytes, entry, source))
    else if (ext === ".asc") {
      if (!Buffer.from(bytes).toString("latin1").includes("-----BEGIN PGP PRIVATE KEY BLOCK-----")) {
        throw new TsopsError(`failed to import '${entry}' data from ${source}: not an armored PGP private key`, ExitCode.ErrorReadingConfig)
      }
      pgpKeys.push({ entry, armored: bytes })
    } else {
      const parsed = await parseCloudEntry(entry, bytes, source)
      if (parsed) cloud.set(parsed.entry, parsed)
    }
  }
  return { source, ageIdentities, pgpKeys, cloud }
}
