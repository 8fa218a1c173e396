// Where age identities are found (spec §6.1): SSH keys, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD and the
// default keys.txt — all of them are loaded and tried, as sops does. Results are cached per KeyContext.
import { existsSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import type { KeyContext } from "../../src/core/key-source.js"
import { CustomIdentity, type AgeIdentity, type LockedIdentities } from "./age-identity.js"
import { messageOf } from "./decrypt.js"
import { readIdentityFile } from "./identity-file.js"

export const ageEnvVars = {
  key: "SOPS_AGE_KEY",
  keyFile: "SOPS_AGE_KEY_FILE",
  keyCommand: "SOPS_AGE_KEY_CMD",
  sshKeyFile: "SOPS_AGE_SSH_PRIVATE_KEY_FILE",
  sshKeyCommand: "SOPS_AGE_SSH_PRIVATE_KEY_CMD",
  recipient: "SOPS_AGE_RECIPIENT",
} as const

export interface DiscoveredIdentities {
  readonly identities: readonly AgeIdentity[]
  readonly locked: readonly LockedIdentities[]
  /** Locations that were not configured or held no identity, in sops's order (env var names and paths). */
  readonly unused: readonly string[]
  /** Sources that were configured but failed to load (no secrets: locations and reasons only). */
  readonly errors: readonly string[]
}

// sops's order: SSH key file, SSH key command, ~/.ssh/id_ed25519, ~/.ssh/id_rsa, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE,
// SOPS_AGE_KEY_CMD, default keys.txt.
const rank = { sshFile: 0, sshCommand: 1, sshEd25519: 2, sshRsa: 3, key: 4, keyFile: 5, keyCommand: 6, keysTxt: 7 } as const

interface SourceResult {
  readonly rank: number
  readonly location: string
  /** unset: not configured / file absent; loaded: read (maybe zero identities); failed: see error. */
  readonly status: "unset" | "loaded" | "failed"
  readonly identities: readonly AgeIdentity[]
  readonly locked: readonly LockedIdentities[]
  readonly error?: string
  /** The default keys.txt is reported unused only when no other source is configured (as sops). */
  readonly fallback?: boolean
}

interface ContextCache {
  files?: Promise<SourceResult[]>
  // Commands get SOPS_AGE_RECIPIENT, so their output may differ per recipient.
  readonly commands: Map<string, Promise<SourceResult[]>>
}

const cache = new WeakMap<KeyContext, ContextCache>()

/** Every identity available in this context for decrypting the key of `recipient`. Loads each source once. */
export async function discoverIdentities(context: KeyContext, recipient: string): Promise<DiscoveredIdentities> {
  const entry = cacheFor(context)
  entry.files ??= loadFileSources(context)
  let commands = entry.commands.get(recipient)
  if (commands === undefined) {
    commands = loadCommandSources(context, recipient)
    entry.commands.set(recipient, commands)
  }
  return combine(orderLikeSops(await entry.files, await commands))
}

/** Locations sops would list as "Did not find keys in location(s) …": names, env var names and paths only. */
export async function unusedIdentityLocations(context: KeyContext): Promise<string[]> {
  const entry = cacheFor(context)
  entry.files ??= loadFileSources(context)
  const commandStubs = commandSourceSpecs(context).map((spec): SourceResult =>
    ({ ...unsetResult(spec.rank, spec.variable), status: spec.command === undefined ? "unset" : "loaded" }))
  return [...combine(orderLikeSops(await entry.files, commandStubs), { countCommandsAsUsed: true }).unused]
}

/** sops's suffix for a failed decryption, e.g. "Did not find keys in locations 'SOPS_AGE_KEY' and '…/keys.txt'." */
export async function describeIdentitySources(context: KeyContext): Promise<string> {
  return formatUnusedLocations(await unusedIdentityLocations(context))
}

export function formatUnusedLocations(locations: readonly string[]): string {
  const quoted = locations.map(location => `'${location}'`)
  if (quoted.length === 0) return ""
  if (quoted.length === 1) return `Did not find keys in location ${quoted[0]}.`
  if (quoted.length === 2) return `Did not find keys in locations ${quoted[0]} and ${quoted[1]}.`
  return `Did not find keys in locations ${quoted.slice(0, -1).join(", ")}, and ${quoted.at(-1)}.`
}

function cacheFor(context: KeyContext): ContextCache {
  let entry = cache.get(context)
  if (entry === undefined) {
    entry = { commands: new Map() }
    cache.set(context, entry)
  }
  return entry
}

function combine(sources: readonly SourceResult[], options: { countCommandsAsUsed?: boolean } = {}): DiscoveredIdentities {
  const configured = sources.some(source => source.status !== "unset" && source.fallback !== true)
  const unused: string[] = []
  for (const source of sources) {
    if (source.status === "unset" && (source.fallback !== true || !configured)) unused.push(source.location)
    const empty = source.identities.length === 0 && source.locked.length === 0
    const isCommand = source.location === ageEnvVars.keyCommand || source.location === ageEnvVars.sshKeyCommand
    if (source.status === "loaded" && empty && !(isCommand && options.countCommandsAsUsed === true)) unused.push(source.location)
  }
  return {
    identities: sources.flatMap(source => source.identities),
    locked: sources.flatMap(source => source.locked),
    unused,
    errors: sources.flatMap(source => (source.error === undefined ? [] : [source.error])),
  }
}

function orderLikeSops(files: readonly SourceResult[], commands: readonly SourceResult[]): SourceResult[] {
  return [...files, ...commands].sort((a, b) => a.rank - b.rank)
}

async function loadFileSources(context: KeyContext): Promise<SourceResult[]> {
  const env = context.env
  const results: Promise<SourceResult>[] = []
  const sshFile = env[ageEnvVars.sshKeyFile]
  results.push(sshFile === undefined ? unset(rank.sshFile, ageEnvVars.sshKeyFile)
    : loadSshKeyFile(rank.sshFile, sshFile, sshFile, context))
  const home = homeDir(env)
  if (home !== undefined) {
    for (const [name, order] of [["id_ed25519", rank.sshEd25519], ["id_rsa", rank.sshRsa]] as const) {
      const path = join(home, ".ssh", name)
      results.push(existsSync(path) ? loadSshKeyFile(order, path, path, context) : unset(order, path))
    }
  }
  const key = env[ageEnvVars.key]
  results.push(key === undefined ? unset(rank.key, ageEnvVars.key)
    : loadIdentities(rank.key, ageEnvVars.key, () => Promise.resolve(new TextEncoder().encode(key)), true, context))
  const keyFile = env[ageEnvVars.keyFile]
  results.push(keyFile === undefined ? unset(rank.keyFile, ageEnvVars.keyFile)
    : loadIdentities(rank.keyFile, ageEnvVars.keyFile, () => readFile(keyFile), false, context,
      error => `failed to open ${ageEnvVars.keyFile} file: ${messageOf(error)}`))
  const defaultPath = defaultKeysPath(env)
  if (defaultPath !== undefined) {
    results.push(existsSync(defaultPath)
      ? loadIdentities(rank.keysTxt, defaultPath, () => readFile(defaultPath), false, context,
        error => `failed to open file: ${messageOf(error)}`)
      : Promise.resolve({ ...unsetResult(rank.keysTxt, defaultPath), fallback: true }))
  }
  return Promise.all(results)
}

interface CommandSpec {
  readonly rank: number
  readonly variable: string
  readonly command: string | undefined
}

function commandSourceSpecs(context: KeyContext): CommandSpec[] {
  return [
    { rank: rank.sshCommand, variable: ageEnvVars.sshKeyCommand, command: context.env[ageEnvVars.sshKeyCommand] },
    { rank: rank.keyCommand, variable: ageEnvVars.keyCommand, command: context.env[ageEnvVars.keyCommand] },
  ]
}

async function loadCommandSources(context: KeyContext, recipient: string): Promise<SourceResult[]> {
  const sshCommand = context.env[ageEnvVars.sshKeyCommand]
  const keyCommand = context.env[ageEnvVars.keyCommand]
  return Promise.all([
    sshCommand === undefined ? unset(rank.sshCommand, ageEnvVars.sshKeyCommand)
      : loadSshKeyCommand(sshCommand, recipient, context),
    keyCommand === undefined ? unset(rank.keyCommand, ageEnvVars.keyCommand)
      : loadIdentities(rank.keyCommand, ageEnvVars.keyCommand, () => runKeyCommand(ageEnvVars.keyCommand, keyCommand, context.env, recipient), false, context),
  ])
}

function unset(order: number, location: string): Promise<SourceResult> {
  return Promise.resolve(unsetResult(order, location))
}

function unsetResult(order: number, location: string): SourceResult {
  return { rank: order, location, status: "unset", identities: [], locked: [] }
}

function failed(order: number, location: string, error: string): SourceResult {
  return { rank: order, location, status: "failed", identities: [], locked: [], error }
}

function loaded(order: number, location: string, identities: readonly AgeIdentity[], locked: readonly LockedIdentities[] = []): SourceResult {
  return { rank: order, location, status: "loaded", identities, locked }
}

async function loadIdentities(
  order: number,
  location: string, read: () => Promise<Uint8Array>, multiplePerLine: boolean, context: KeyContext,
  readError: (error: unknown) => string = messageOf,
): Promise<SourceResult> {
  let contents: Uint8Array
  try {
    contents = await read()
  } catch (error) {
    return failed(order, location, readError(error))
  }
  try {
    const file = await readIdentityFile(contents, {
      location, multiplePerLine, warn: context.warn, askPassphrase: context.askPassphrase,
    })
    return loaded(order, location, file.identities, file.locked)
  } catch (error) {
    return failed(order, location, messageOf(error))
  }
}

async function loadSshKeyFile(order: number, path: string, location: string, context: KeyContext): Promise<SourceResult> {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    return failed(order, location, `failed to open file: ${messageOf(error)}`)
  }
  const [{ parseSshPrivateKey }, ssh, { parseAuthorizedKey }] = await Promise.all([
    import("./openssh-key.js"), import("./ssh.js"), import("./ssh-public-key.js"),
  ])
  try {
    const parsed = parseSshPrivateKey(text)
    if (!parsed.encrypted) {
      return loaded(order, location, [new CustomIdentity(ssh.sshIdentity(parsed.key), location, { guarded: false })])
    }
    // Legacy PEM keys do not carry their public key: it comes from `<path>.pub`, needed to match stanzas before asking.
    let publicKey = parsed.publicKey
    if (publicKey === null) {
      const publicPath = `${path}.pub`
      try {
        publicKey = parseAuthorizedKey(await readFile(publicPath, "utf8"))
      } catch (error) {
        return failed(order, location, `failed to obtain public ${JSON.stringify(publicPath)} key for ${JSON.stringify(path)} SSH key: ${messageOf(error)}`)
      }
    }
    const ask = context.askPassphrase
    const askPassphrase = async (): Promise<string> => {
      if (ask === undefined) throw new Error(`${JSON.stringify(path)} is passphrase-protected and no passphrase prompt is available`)
      return ask(`Enter passphrase for ${JSON.stringify(path)}:`)
    }
    const identity = new ssh.EncryptedSshIdentity(publicKey, parsed, askPassphrase)
    return loaded(order, location, [new CustomIdentity(identity, location, { guarded: true })])
  } catch (error) {
    return failed(order, location, `malformed SSH identity in ${JSON.stringify(path)}: ${messageOf(error)}`)
  }
}

async function loadSshKeyCommand(command: string, recipient: string, context: KeyContext): Promise<SourceResult> {
  const location = ageEnvVars.sshKeyCommand
  let output: Uint8Array
  try {
    output = await runKeyCommand(location, command, context.env, recipient)
  } catch (error) {
    return failed(rank.sshCommand, location, messageOf(error))
  }
  const [{ parseSshPrivateKey }, ssh] = await Promise.all([import("./openssh-key.js"), import("./ssh.js")])
  try {
    const parsed = parseSshPrivateKey(new TextDecoder().decode(output))
    if (parsed.encrypted) {
      return failed(rank.sshCommand, location, `the SSH key returned by running ${location} is password protected, which is unsupported`)
    }
    return loaded(rank.sshCommand, location, [new CustomIdentity(ssh.sshIdentity(parsed.key), location, { guarded: false })])
  } catch (error) {
    return failed(rank.sshCommand, location, `malformed SSH identity returned by running ${location}: ${messageOf(error)}`)
  }
}

// shell-quote (command.ts) is loaded only when a key command is configured.
async function runKeyCommand(variable: string, command: string, env: KeyContext["env"], recipient: string): Promise<Uint8Array> {
  const { runKeyCommand: run } = await import("./command.js")
  return run(variable, command, env, recipient)
}

function homeDir(env: KeyContext["env"]): string | undefined {
  const home = process.platform === "win32" ? env.USERPROFILE : env.HOME
  return home === undefined || home === "" ? undefined : home
}

// Go's os.UserConfigDir, except that on macOS sops honours XDG_CONFIG_HOME first.
function defaultKeysPath(env: KeyContext["env"]): string | undefined {
  const xdg = env.XDG_CONFIG_HOME
  let dir: string | undefined
  if (process.platform === "win32") {
    dir = env.APPDATA
  } else if (xdg !== undefined && xdg !== "") {
    dir = xdg
  } else {
    const home = env.HOME
    if (home !== undefined && home !== "") {
      dir = process.platform === "darwin" ? join(home, "Library", "Application Support") : join(home, ".config")
    }
  }
  return dir === undefined || dir === "" ? undefined : join(dir, "sops", "age", "keys.txt")
}
