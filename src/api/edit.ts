// edit: the file's plaintext in a private temporary file, the user's editor on it, and the result
// re-encrypted with the file's data key (spec §10.3); a new file starts from sops's example.
import { spawn, type ChildProcess } from "node:child_process"
import { createHash, randomBytes } from "node:crypto"
import { constants } from "node:fs"
import { access, mkdtemp, readFile, writeFile } from "node:fs/promises"
import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, delimiter, dirname, join, resolve } from "node:path"
import { ExitCode, InputParseError, TsopsError } from "../core/errors.js"
import { wrapDataKey } from "../core/key-groups.js"
import { nowRfc3339 } from "../core/mac.js"
import { metadataToTree, sopsVersion, type Metadata } from "../core/metadata.js"
import type { ParsedFile, Store } from "../core/store.js"
import { isMap } from "../core/tree.js"
import { loadStore, selectFormat } from "../../formats/index.js"
import { newFileRules, planKeys, type EncryptOptions } from "./encrypt.js"
import { loadKeyGroups } from "./keys.js"
import { readMetadata, type OpenedFile, type OpenOptions } from "./load-encrypted.js"
import { cwdOf, envOf, keyContext } from "./options.js"
import { checkPlaintext, OccurrenceCipher, openForUpdate, reencryptPlaintext, sameValue } from "./replace.js"
import { editTemplate } from "./template.js"

export interface EditOptions extends EncryptOptions, OpenOptions {
  /** `-s`: show the metadata block in the editor; edits to it are kept as sops means them (spec §10.3). */
  showMasterKeys?: boolean
  /** The editor command line; default SOPS_EDITOR, then EDITOR, then the first of vim, nano, vi on PATH. */
  editor?: string
  /**
   * Called when the edited file cannot be saved (syntax error, a `sops` key, no master keys), with
   * the reason; resolving re-opens the editor. Absent: not interactive, the edit fails (the original
   * stays untouched). `signal` aborts when the edit is canceled meanwhile.
   */
  askRetry?: (reason: string, signal: AbortSignal) => Promise<void>
}

/** sops's message (exit 200) when the editor saved nothing new. */
export const fileNotChangedMessage = "File has not changed, exiting."
const editors = ["vim", "nano", "vi"]

/** An edit that cannot be saved as it stands: asked about on a terminal, fatal otherwise. */
class InvalidEdit extends TsopsError {}

/**
 * Opens the plaintext of `path` in an editor and returns the file re-encrypted with what was saved
 * (the caller writes it). Values that were not changed keep their exact ciphertext; only changed
 * values, `lastmodified`, `mac` and an older `version` change. A file that does not exist starts
 * from sops's example and gets keys from the flags or `.sops.yaml` like `encrypt`. The temporary
 * directory (0700, file 0600) is removed on every way out, SIGTERM and SIGHUP included; Ctrl+C
 * belongs to the editor while it runs (as with git), and cancels the edit otherwise.
 * @throws TsopsError: exit 200 when nothing changed, 201 when the editor is missing, fails or is
 *   killed, 2 (or 92, 203) for an invalid result when not interactive, 3 when the file's directory
 *   is not writable, 1 "User canceled operation" on SIGTERM/SIGHUP/Ctrl+C; the errors of `decrypt`
 *   for an existing file and of `encrypt` (keys, rules) for a new one
 */
export async function editFile(path: string, options: EditOptions = {}): Promise<Uint8Array> {
  const target = resolve(cwdOf(options), path)
  const filename = options.filename ?? path
  const inputFormat = selectFormat(options.inputType, filename)
  const outputFormat = selectFormat(options.outputType, filename)
  const [inputStore, outputStore] = await Promise.all([loadStore(inputFormat), loadStore(outputFormat)])
  let bytes: Buffer | undefined
  try {
    bytes = await readFile(target)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== "ENOENT") throw new TsopsError(`Error reading file: ${code ?? "unknown error"}: ${target}`, ExitCode.CouldNotReadInputFile)
  }
  // Check before the editor opens: failing to write afterwards would lose the user's edits.
  await access(dirname(target), constants.W_OK).catch((error: NodeJS.ErrnoException) => {
    throw new TsopsError(`Could not open in-place file for writing: ${error.code ?? "unknown error"}: ${target}`, ExitCode.CouldNotWriteOutputFile)
  })
  const opened = bytes === undefined ? await newFile(filename, outputFormat, options) : await openForUpdate(inputStore, bytes, options)
  const openedStore = bytes === undefined ? outputStore : inputStore
  const layout = inputFormat === outputFormat ? opened.parsed.layout : undefined
  const content = bytes === undefined && !options.showMasterKeys
    ? await editTemplate(outputFormat)
    : outputStore.emit(opened.parsed.branches, {
      ...(layout !== undefined ? { layout } : {}),
      ...(options.showMasterKeys && isMap(opened.parsed.metadata) ? { metadata: opened.parsed.metadata } : {}),
    })
  if (bytes === undefined) {
    // The example is the starting point, not a file to keep values from: nothing to splice into.
    opened.parsed = { branches: [], metadata: opened.parsed.metadata }
  }
  return withTempFile(basename(target), content, options, async session => {
    for (;;) {
      await session.runEditor()
      const edited = await readFile(session.file)
      if (sha256(edited).equals(sha256(content))) throw new TsopsError(fileNotChangedMessage, ExitCode.FileHasNotBeenModified)
      try {
        return save(opened, openedStore, outputStore, edited, options)
      } catch (error) {
        if (!(error instanceof InvalidEdit)) throw error
        if (!options.askRetry) throw error
        await session.ask(options.askRetry, error.message)
      }
    }
  })
}

/** The re-encrypted file for the saved plaintext, or an InvalidEdit saying why it cannot be saved. */
function save(opened: OpenedFile, openedStore: Store, outputStore: Store, edited: Uint8Array, options: EditOptions): Uint8Array {
  let parsed: ParsedFile
  try {
    parsed = outputStore.parse(edited)
  } catch (error) {
    if (!(error instanceof TsopsError)) throw error
    const code = error instanceof InputParseError ? ExitCode.CouldNotReadInputFile : error.exitCode
    throw new InvalidEdit(`Could not load tree, probably due to invalid syntax: ${error.message}`, code)
  }
  let file = opened
  if (options.showMasterKeys) {
    // sops takes the metadata from the edited file (key groups, rules, threshold); the data key stays.
    let metadata: Metadata
    try {
      metadata = readMetadata(parsed)
    } catch (error) {
      if (!(error instanceof TsopsError)) throw error
      throw new InvalidEdit(`SOPS metadata is invalid: ${error.message}`, error.exitCode)
    }
    if (metadata.keyGroups.every(group => group.length === 0)) {
      throw new InvalidEdit("No master keys were provided, so tsops can't encrypt the file.", ExitCode.ErrorGeneric)
    }
    file = { ...opened, parsed: { ...opened.parsed, metadata: parsed.metadata }, metadata }
    parsed = { ...parsed, metadata: undefined }
  }
  try {
    checkPlaintext(parsed)
  } catch (error) {
    if (!(error instanceof TsopsError)) throw error
    throw new InvalidEdit(`Tree not valid for encryption: ${error.message}`, error.exitCode)
  }
  const metadataChanged = !sameValue(file.parsed.metadata ?? null, opened.parsed.metadata ?? null)
  const result = reencryptPlaintext(file, openedStore, outputStore, { store: outputStore, bytes: edited }, {
    upgradeVersion: true,
    ...(options.now ? { now: options.now } : {}),
  })
  // Only the layout changed (the tree is the same): the file's text would gain nothing but a new
  // date and MAC, and the layout is the file's own anyway.
  if (!result.changed && !metadataChanged && opened.parsed.branches.length > 0) {
    throw new TsopsError(fileNotChangedMessage, ExitCode.FileHasNotBeenModified)
  }
  return result.output
}

/** A new file: keys and rules planned like `encrypt`, a new data key wrapped before the editor opens. */
async function newFile(filename: string, format: Store["format"], options: EditOptions): Promise<OpenedFile> {
  const plan = await planKeys(filename, options)
  const { stored } = newFileRules(plan, format, options.warn)
  const dataKey = options.dataKey ?? randomBytes(32)
  const wrapped = await wrapDataKey(dataKey, await loadKeyGroups(plan.keyGroups), plan.shamirThreshold, keyContext(options))
  const metadata: Metadata = {
    keyGroups: wrapped.keyGroups,
    shamirThreshold: wrapped.shamirThreshold,
    lastModified: nowRfc3339(options.now),
    mac: "",
    version: sopsVersion,
    rules: stored,
  }
  const template = await editTemplate(format)
  const store = await loadStore(format)
  return { parsed: { ...store.parse(template), metadata: metadataToTree(metadata) }, metadata, dataKey, cipher: new OccurrenceCipher(dataKey) }
}

const sha256 = (bytes: Uint8Array): Buffer => createHash("sha256").update(bytes).digest()

// ---- the temporary file, the editor, signals ----

interface Session {
  readonly file: string
  runEditor(): Promise<void>
  ask(askRetry: NonNullable<EditOptions["askRetry"]>, reason: string): Promise<void>
}

/**
 * Runs `body` with `content` in `<private dir>/<name>`; the directory is removed whatever happens.
 * While the session lasts, SIGTERM and SIGHUP (and SIGINT when no editor runs) cancel it: the
 * editor is stopped, the directory removed, and the edit fails with "User canceled operation".
 */
async function withTempFile<T>(name: string, content: Uint8Array, options: EditOptions, body: (session: Session) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(envOf(options).TMPDIR || tmpdir(), "tsops-edit-"))
  const remove = () => rmSync(dir, { recursive: true, force: true })
  const abort = new AbortController()
  let editor: ChildProcess | undefined
  let rejectCanceled: (error: Error) => void = () => {}
  const canceled = new Promise<never>((_, reject) => {
    rejectCanceled = reject
  })
  canceled.catch(() => {})
  const cancel = () => {
    if (abort.signal.aborted) return
    abort.abort()
    editor?.kill("SIGTERM")
    remove()
    rejectCanceled(new TsopsError("User canceled operation", ExitCode.ErrorGeneric))
  }
  // Ctrl+C reaches the editor too (same process group); while it runs, the editor decides.
  const onInterrupt = () => {
    if (editor === undefined) cancel()
  }
  process.on("SIGTERM", cancel)
  process.on("SIGHUP", cancel)
  process.on("SIGINT", onInterrupt)
  const file = join(dir, name)
  const session: Session = {
    file,
    runEditor: async () => {
      const command = await editorCommand(options)
      const env = envOf(options)
      await new Promise<void>((resolveRun, rejectRun) => {
        const fail = (reason: string) => rejectRun(new TsopsError(`Could not run editor: ${reason}`, ExitCode.NoEditorFound))
        const child = spawn(command[0]!, [...command.slice(1), file], { stdio: "inherit", env: { ...env }, cwd: cwdOf(options) })
        editor = child
        child.once("error", error => {
          editor = undefined
          fail((error as NodeJS.ErrnoException).code === "ENOENT" ? `executable file not found: ${command[0]}` : error.message)
        })
        child.once("exit", (code, signal) => {
          editor = undefined
          if (signal) fail(`signal: ${signal}`)
          else if (code !== 0) fail(`exit status ${code}`)
          else resolveRun()
        })
      })
    },
    ask: (askRetry, reason) => askRetry(reason, abort.signal),
  }
  try {
    await writeFile(file, content, { mode: 0o600, flag: "wx" })
    return await Promise.race([body(session), canceled])
  } finally {
    process.off("SIGTERM", cancel)
    process.off("SIGHUP", cancel)
    process.off("SIGINT", onInterrupt)
    abort.abort()
    remove()
  }
}

/**
 * The editor's argv (the file is appended): `editor`, else SOPS_EDITOR, else EDITOR, split like a
 * shell would (quotes, `$VARS` from `env`), else the first of vim, nano, vi found on PATH.
 * @throws TsopsError exit 201: a command with shell operators (`|`, `;`, …), or no editor at all
 * @example
 *   await editorCommand({ env: { EDITOR: 'code --wait' } })   // ["code", "--wait"]
 */
export async function editorCommand(options: Pick<EditOptions, "editor" | "env">): Promise<string[]> {
  const env = envOf(options)
  const [name, value] = options.editor !== undefined ? ["editor", options.editor]
    : env.SOPS_EDITOR ? ["$SOPS_EDITOR", env.SOPS_EDITOR]
    : env.EDITOR ? ["$EDITOR", env.EDITOR]
    : [undefined, undefined]
  if (value !== undefined && name !== undefined) {
    const { default: shellQuote } = await import("shell-quote")
    const words = shellQuote.parse(value, key => env[key] ?? "")
    if (words.length === 0 || words.some(word => typeof word !== "string")) {
      throw new TsopsError(`Could not run editor: invalid ${name}: ${value}`, ExitCode.NoEditorFound)
    }
    return words as string[]
  }
  for (const candidate of editors) {
    const found = await lookPath(candidate, env.PATH ?? "")
    if (found) return [found]
  }
  throw new TsopsError(
    `Could not run editor: no editor available: tsops attempts to use the editor defined in the SOPS_EDITOR or EDITOR environment variables, and if that's not set defaults to any of ${editors.join(", ")}, but none of them could be found`,
    ExitCode.NoEditorFound,
  )
}

async function lookPath(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue
    const candidate = join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}
