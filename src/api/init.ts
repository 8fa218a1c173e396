// `tsops init`: an age identity in the default location (made only if there is none) and a `.sops.yaml` in the
// working directory with a creation rule for its recipient, so that `tsops encrypt FILE` works with no flags.
import { constants as fsConstants, existsSync } from "node:fs"
import { chmod, link, mkdir, open, readFile, stat, unlink } from "node:fs/promises"
import { dirname, join } from "node:path"
import { ExitCode, TsopsError } from "../core/errors.js"
import { generateAgeIdentity } from "../../kms/age.js"
import { cwdOf, envOf, type CommonOptions } from "./options.js"

export type InitOptions = Pick<CommonOptions, "env" | "cwd" | "warn">

export interface InitResult {
  /** The identity file (the default location where sops and tsops look for age identities). */
  identityPath: string
  /** false: an identity file was already there and was left untouched. */
  identityCreated: boolean
  /** The public age recipient of the identity (`age1…`): not secret. */
  recipient: string
  /** `.sops.yaml` in the working directory. */
  configPath: string
  /** created: written now; present: there already and names the recipient; conflict: there, but without it. */
  config: "created" | "present" | "conflict"
}

/**
 * The default age identity file: `$XDG_CONFIG_HOME/sops/age/keys.txt`, else the user config dir — `~/.config` (on
 * macOS `~/Library/Application Support`, on Windows `%APPDATA%`) — as the age identity discovery reads it (spec §6.1).
 * @throws TsopsError when neither XDG_CONFIG_HOME nor HOME (APPDATA) is set
 */
export function defaultAgeKeyPath(env: Readonly<Record<string, string | undefined>>): string {
  const nonEmpty = (value: string | undefined) => (value === undefined || value === "" ? undefined : value)
  let dir: string | undefined
  if (process.platform === "win32") dir = nonEmpty(env.APPDATA)
  else if (nonEmpty(env.XDG_CONFIG_HOME)) dir = env.XDG_CONFIG_HOME
  else {
    const home = nonEmpty(env.HOME)
    if (home !== undefined) dir = process.platform === "darwin" ? join(home, "Library", "Application Support") : join(home, ".config")
  }
  if (dir === undefined) throw new TsopsError("Error: cannot locate the age key file: neither XDG_CONFIG_HOME nor HOME is set", ExitCode.ErrorGeneric)
  return join(dir, "sops", "age", "keys.txt")
}

/**
 * Sets up age encryption for the working directory. Never overwrites anything: an existing identity file is reused
 * (its first identity's recipient), an existing `.sops.yaml` is left as it is (`config: "present"` or "conflict").
 * The identity itself is never returned or printed.
 * @throws TsopsError (exit 1) when the existing identity file holds no usable identity; (exit 3) when a file cannot
 *   be written
 * @example
 *   const { recipient, identityPath } = await init({ cwd: "/repo" })
 */
export async function init(options: InitOptions = {}): Promise<InitResult> {
  const env = envOf(options)
  const identityPath = defaultAgeKeyPath(env)
  const existing = await existingRecipient(identityPath)
  let recipient = existing
  if (recipient === undefined) recipient = await createIdentityFile(identityPath)
  else if (await isShared(identityPath)) options.warn?.(`${identityPath} can be read by other users; consider chmod 600`)
  const configPath = join(cwdOf(options), ".sops.yaml")
  const config = await writeConfig(configPath, recipient)
  return { identityPath, identityCreated: existing === undefined, recipient, configPath, config }
}

/** The recipient of the first identity in an existing file; undefined when there is no file. */
async function existingRecipient(path: string): Promise<string | undefined> {
  let text: string
  try {
    text = await readFile(path, "utf8")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw new TsopsError(`Error: cannot read the age key file ${path}: ${codeOf(error)}`, ExitCode.CouldNotReadInputFile)
  }
  const line = text.split("\n").map(l => l.trim()).find(l => l.startsWith("AGE-SECRET-KEY-"))
  if (line !== undefined) {
    try {
      const { identityToRecipient } = await import("age-encryption")
      return await identityToRecipient(line)
    } catch {
      // typage's message may quote the identity; say where instead
    }
  }
  throw new TsopsError(`Error: ${path} exists but holds no age identity tsops can use (not overwriting it)`, ExitCode.ErrorGeneric)
}

/** A new identity at `path`: directories made 0700, the file 0600. */
async function createIdentityFile(path: string): Promise<string> {
  const { identity, recipient } = await generateAgeIdentity()
  const dir = dirname(path)
  const created = new Date().toISOString().replace(/\.\d+Z$/, "Z")
  try {
    const made = await mkdir(dir, { recursive: true, mode: 0o700 })
    if (made !== undefined) await chmod(dir, 0o700) // a umask cannot loosen 0700, but be explicit about the key's dir
  } catch (error) {
    throw new TsopsError(`Error: could not create ${dir}: ${codeOf(error)}`, ExitCode.CouldNotWriteOutputFile)
  }
  if (await publishNewFile(path, `# created: ${created}\n# public key: ${recipient}\n${identity}\n`, 0o600)) return recipient
  // Someone made one between our check and now: use theirs.
  const theirs = await existingRecipient(path)
  if (theirs === undefined) throw new TsopsError(`Error: could not write the age key file ${path}`, ExitCode.CouldNotWriteOutputFile)
  return theirs
}

async function writeConfig(path: string, recipient: string): Promise<InitResult["config"]> {
  const text = [
    "# Written by `tsops init`: every file under this directory is encrypted for this age recipient.",
    "# Add recipients (comma separated), rules with path_regex, or key_groups as in sops's .sops.yaml.",
    "creation_rules:",
    `  - age: ${recipient}`,
    "",
  ].join("\n")
  if (await publishNewFile(path, text, 0o644)) return "created"
  const current = await readFile(path, "utf8").catch(() => "")
  return current.includes(recipient) ? "present" : "conflict"
}

/**
 * Writes `text` to a new file at `path` unless one exists (false then). The content goes to a temporary file first
 * and is published with link(2), which fails on an existing name: never a replaced file, never a half-written one.
 */
async function publishNewFile(path: string, text: string, mode: number): Promise<boolean> {
  const temp = join(dirname(path), `.tsops-init-${process.pid}-${Date.now()}.tmp`)
  try {
    const handle = await open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode)
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await link(temp, path)
    return true
  } catch (error) {
    if (codeOf(error) === "EEXIST" && existsSync(path)) return false
    throw new TsopsError(`Error: could not write ${path}: ${codeOf(error)}`, ExitCode.CouldNotWriteOutputFile)
  } finally {
    await unlink(temp).catch(() => undefined)
  }
}

/** Whether a file can be read or written by others. */
async function isShared(path: string): Promise<boolean> {
  try {
    return ((await stat(path)).mode & 0o077) !== 0
  } catch {
    return false
  }
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? "error"
