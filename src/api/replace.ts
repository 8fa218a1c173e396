// replace, and the re-encryption behind edit: a new plaintext goes into an existing encrypted file
// with the file's data key, so every value whose path and plaintext did not change keeps its exact
// ciphertext (spec §2.4, sops issue #1587) and the file's own text is kept around the changes.
import { Cipher, parseEncrypted, randomIv, type IvSource } from "../core/cipher.js"
import { decryptTree } from "../core/decrypt-tree.js"
import { ExitCode, TsopsError } from "../core/errors.js"
import { verifyMac } from "../core/mac.js"
import type { ValueType } from "../core/scalar.js"
import type { FormatName, ParsedFile, Store } from "../core/store.js"
import { Comment, isList, isMap, SopsTime, type ListItem, type MapItem, type TreeMap, type TreeValue } from "../core/tree.js"
import { formatForPath, loadStore, selectFormat } from "../../formats/index.js"
import { alreadyEncryptedMessage } from "./encrypt.js"
import { readMetadata, recoverDataKey, type OpenedFile, type OpenOptions } from "./load-encrypted.js"
import { toBytes } from "./options.js"
import { reencrypt, type ReencryptOptions } from "./reencrypt.js"

export interface ReplaceOptions extends OpenOptions {
  /** Name of the encrypted file: picks its format (by extension; unknown → binary). */
  filename?: string
  /** Name of the plaintext file: picks its format when it is a structured one; else the encrypted file's. */
  plaintextFilename?: string
  /** Format of both files (`--input-type`). */
  inputType?: FormatName | string
  now?: Date
}

export interface ReplaceResult {
  /** The new encrypted file; the input bytes themselves when nothing changed. */
  output: Uint8Array
  /** False when the plaintext has the same values, types, comments and order as the file: nothing to write. */
  changed: boolean
}

/**
 * Re-encrypts a plaintext file into an existing encrypted file, keeping its data key, its master
 * keys and its layout: unchanged values keep their exact `ENC[…]` strings, changed ones are
 * replaced in place, added ones are written in the file's style, removed ones disappear. When the
 * plaintext holds the same tree as the file, the file is returned unchanged (no new MAC or date).
 * @throws TsopsError: the errors of `decrypt` for the encrypted file (51, 128, …); InputParseError
 *   (exit 2) for an unparseable plaintext; exit 92 for an empty YAML plaintext; exit 203 when the
 *   plaintext is itself encrypted
 * @example
 *   const { output, changed } = await replace(readFileSync("s.enc.yaml"), readFileSync("s.yaml"), { filename: "s.enc.yaml" })
 */
export async function replace(encrypted: Uint8Array | string, plaintext: Uint8Array | string, options: ReplaceOptions = {}): Promise<ReplaceResult> {
  const filename = options.filename ?? ""
  const format = selectFormat(options.inputType, filename)
  const plainFormat = options.inputType === undefined && options.plaintextFilename !== undefined && formatForPath(options.plaintextFilename) !== "binary"
    ? formatForPath(options.plaintextFilename)
    : format
  const [store, plainStore] = await Promise.all([loadStore(format), loadStore(plainFormat)])
  const input = toBytes(encrypted)
  const opened = await openForUpdate(store, input, options)
  const plain = toBytes(plaintext)
  checkPlaintext(plainStore.parse(plain))
  const result = reencryptPlaintext(opened, store, store, { store: plainStore, bytes: plain }, { upgradeVersion: true, ...(options.now ? { now: options.now } : {}) })
  return result.changed ? result : { output: input, changed: false }
}

/** sops's checks before encrypting a plaintext tree (validateFileForEncryption). */
export function checkPlaintext(parsed: ParsedFile): void {
  if (parsed.branches.length === 0) {
    throw new TsopsError("File cannot be completely empty, it must contain at least one document", ExitCode.NeedAtLeastOneDocument)
  }
  if (parsed.metadata !== undefined) throw new TsopsError(alreadyEncryptedMessage, ExitCode.FileAlreadyEncrypted)
}

export interface PlaintextInput {
  store: Store
  bytes: Uint8Array
}

/**
 * The file `opened` (parsed by `openedStore`, its branches decrypted) with the values of
 * `plaintext`, written by `outputStore`. Two renderings are made: the file's own text with only the
 * changes spliced in, and the plaintext's layout; the first is used when it decrypts to exactly the
 * plaintext's tree (a reordering, or a new entry a store cannot splice in where the tree has it,
 * needs the plaintext's layout). `changed` is false when the plaintext
 * tree equals the file's (same values, types, comments and order).
 * @throws InputParseError (exit 2) when the plaintext does not parse; TsopsError from the store
 *   when the tree cannot be written in its format (e.g. a nested value in dotenv)
 */
export function reencryptPlaintext(
  opened: OpenedFile,
  openedStore: Store,
  outputStore: Store,
  plaintext: PlaintextInput,
  options: ReencryptOptions = {},
): { output: Uint8Array; changed: boolean } {
  const original = opened.parsed.branches
  const read = (): ParsedFile => {
    const parsed = plaintext.store.parse(plaintext.bytes)
    keepTypes(original, parsed.branches)
    return parsed
  }
  const edited = read()
  const changed = !sameBranches(original, edited.branches)
  // Both renderings must carry the same ciphertexts: a changed value gets one new IV, not two.
  const cipher = opened.cipher instanceof OccurrenceCipher ? opened.cipher : new Cipher(opened.dataKey, memoizedIvs(), opened.cipher)
  const file: OpenedFile = { ...opened, cipher }
  const pass = () => {
    if (cipher instanceof OccurrenceCipher) cipher.rewind()
  }
  const reencryptOptions: ReencryptOptions = { ...options, now: options.now ?? new Date() }
  pass()
  const ownLayout = reencrypt(file, outputStore, edited.branches, plaintext.store.format === outputStore.format ? edited.layout : undefined, reencryptOptions)
  if (openedStore.format !== outputStore.format || opened.parsed.layout === undefined || original.length === 0) {
    return { output: ownLayout, changed }
  }
  // Read before the merge: it turns the original's nodes into the new tree (and encrypts them).
  const expected = read().branches
  const merged = mergeBranches(original, read().branches)
  pass()
  const spliced = reencrypt(file, outputStore, merged, opened.parsed.layout, reencryptOptions)
  return { output: holds(spliced, expected, outputStore, file) ? spliced : ownLayout, changed }
}

/** Random IVs, the same one again for the same (plaintext, AAD). */
function memoizedIvs(): IvSource {
  const ivs = new Map<string, Uint8Array>()
  return (plaintext, aad) => {
    const key = occurrenceKey(plaintext, aad)
    let iv = ivs.get(key)
    if (!iv) ivs.set(key, (iv = randomIv(plaintext, aad)))
    return iv
  }
}

const occurrenceKey = (plaintext: Uint8Array, aad: string): string => `${aad}\u0000${Buffer.from(plaintext).toString("base64")}`

/**
 * A cipher that gives the k-th encryption of a (plaintext, AAD) pair the IV of its k-th decryption.
 * sops's stash keeps one IV per pair (spec §2.4), but list indices are not part of the AAD: equal
 * values in a list (`[1, 1]`, or `role: admin` in every element of a list of maps) share a pair,
 * and with one IV all of them but one would change ciphertext on every edit. New values get a
 * random IV, the same one for the same pair in every pass.
 * @example
 *   const cipher = new OccurrenceCipher(dataKey)      // decryptTree(branches, cipher, rules) …
 *   cipher.rewind()                                   // … then encryptTree(branches, cipher, rules)
 */
export class OccurrenceCipher extends Cipher {
  readonly #dataKey: Uint8Array
  readonly #decrypted = new Map<string, Buffer[]>()
  readonly #taken = new Map<string, number>()
  readonly #fresh = memoizedIvs()

  constructor(dataKey: Uint8Array) {
    super(dataKey)
    this.#dataKey = Uint8Array.from(dataKey)
  }

  override decrypt(value: string, aad: string): { plaintext: Buffer; type: string } {
    const out = super.decrypt(value, aad)
    const key = occurrenceKey(out.plaintext, aad)
    const ivs = this.#decrypted.get(key)
    const iv = parseEncrypted(value).iv
    if (ivs) ivs.push(iv)
    else this.#decrypted.set(key, [iv])
    return out
  }

  override encrypt(plaintext: Uint8Array, aad: string, type: ValueType): string {
    const key = occurrenceKey(plaintext, aad)
    const taken = this.#taken.get(key) ?? 0
    let iv: Uint8Array | undefined = this.#decrypted.get(key)?.[taken]
    if (iv) this.#taken.set(key, taken + 1)
    else iv = this.#fresh(plaintext, aad)
    const chosen = iv
    return new Cipher(this.#dataKey, () => chosen).encrypt(plaintext, aad, type)
  }

  /** Starts a new encryption pass: occurrences are counted from the first again. */
  rewind(): void {
    this.#taken.clear()
  }
}

/**
 * `openEncrypted` with an OccurrenceCipher: parse, check the metadata, recover the data key,
 * decrypt and verify the MAC — the start of every command that keeps the data key.
 * @throws MacMismatchError (exit 51), DataKeyRecoveryError (exit 128), DecryptionError (exit 25),
 *   MetadataError (exit 1), InputParseError (exit 2)
 */
export async function openForUpdate(store: Store, input: Uint8Array, options: OpenOptions): Promise<OpenedFile> {
  const parsed = store.parse(input)
  const metadata = readMetadata(parsed)
  const dataKey = await recoverDataKey(metadata, options)
  const cipher = new OccurrenceCipher(dataKey)
  const mac = decryptTree(parsed.branches, cipher, metadata.rules, options.warn ? { warn: options.warn } : {})
  if (!options.ignoreMac) verifyMac(cipher, metadata.mac, metadata.lastModified, mac)
  return { parsed, metadata, dataKey, cipher }
}

/** Whether an encrypted rendering decrypts to exactly `expected` (values, types, comments, order). */
function holds(output: Uint8Array, expected: readonly TreeMap[], store: Store, file: OpenedFile): boolean {
  try {
    const parsed = store.parse(output)
    decryptTree(parsed.branches, new Cipher(file.dataKey), file.metadata.rules)
    return sameBranches(parsed.branches, expected)
  } catch {
    return false
  }
}

// ---- tree comparison ----

export function sameBranches(a: readonly TreeMap[], b: readonly TreeMap[]): boolean {
  return a.length === b.length && a.every((branch, i) => sameValue(branch, b[i]!))
}

/**
 * sops's tree equality (`equals` in sops.go): same keys, comments and values in the same order,
 * and the same types (an int 5 is not the float 5).
 */
export function sameValue(a: TreeValue | Comment, b: TreeValue | Comment): boolean {
  if (a instanceof Comment || b instanceof Comment) return a instanceof Comment && b instanceof Comment && a.value === b.value
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b) || a.items.length !== b.items.length) return false
    return a.items.every((item, i) => sameKey(item.key, b.items[i]!.key) && sameValue(item.value, b.items[i]!.value))
  }
  if (isList(a) || isList(b)) {
    if (!isList(a) || !isList(b) || a.items.length !== b.items.length) return false
    return a.items.every((item, i) => sameValue(item.value, b.items[i]!.value))
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b))
  }
  if (a instanceof SopsTime || b instanceof SopsTime) return a instanceof SopsTime && b instanceof SopsTime && a.text === b.text
  return Object.is(a, b)
}

const sameKey = (a: string | Comment, b: string | Comment): boolean =>
  a instanceof Comment || b instanceof Comment ? a instanceof Comment && b instanceof Comment && a.value === b.value : a === b

// ---- keeping what the plaintext cannot say ----

/**
 * A float with an integral value is written `5` in YAML and JSON and reads back as an int; when the
 * value at the same path was that float, it stays a float (the user did not change it; sops would
 * silently re-type it). Works in place on `edited`.
 */
export function keepTypes(original: readonly TreeMap[], edited: TreeMap[]): void {
  edited.forEach((branch, i) => {
    const before = original[i]
    if (before) keepTypesIn(before, branch)
  })
}

function keepTypesIn(original: TreeValue, edited: TreeValue): TreeValue {
  if (isMap(original) && isMap(edited)) {
    forPairs(original.items, edited.items, (o, e) => {
      e.value = keepTypesIn(o.value, e.value)
    })
    return edited
  }
  if (isList(original) && isList(edited)) {
    const before = original.items.filter(item => !(item.value instanceof Comment))
    const after = edited.items.filter(item => !(item.value instanceof Comment))
    after.forEach((item, i) => {
      const o = before[i]
      if (o) item.value = keepTypesIn(o.value as TreeValue, item.value as TreeValue)
    })
    return edited
  }
  if (typeof original === "number" && typeof edited === "bigint" && Number.isInteger(original) && BigInt(original) === edited) return original
  return edited
}

/** Calls `f` for each edited map item with the original item of the same key (duplicates in order). */
function forPairs(original: MapItem[], edited: MapItem[], f: (o: MapItem, e: MapItem) => void): void {
  const byKey = new Map<string, MapItem[]>()
  for (const item of original) {
    if (typeof item.key === "string") {
      const list = byKey.get(item.key)
      if (list) list.push(item)
      else byKey.set(item.key, [item])
    }
  }
  for (const item of edited) {
    if (typeof item.key !== "string") continue
    const o = byKey.get(item.key)?.shift()
    if (o) f(o, item)
  }
}

// ---- merging the new tree into the file's own nodes ----

/**
 * The edited tree built from the original's nodes where keys (and list positions) match, so a
 * store's layout emitter sees them as the nodes it parsed: unchanged values are left alone,
 * changed ones are replaced in place. Everything else comes from `edited`, without source
 * information (it is rendered fresh). Works in place on `original`.
 */
export function mergeBranches(original: TreeMap[], edited: TreeMap[]): TreeMap[] {
  return edited.map((branch, i) => {
    const before = original[i]
    return before ? (mergeValue(before, branch) as TreeMap) : (withoutSrc(branch) as TreeMap)
  })
}

function mergeValue(original: TreeValue, edited: TreeValue): TreeValue {
  if (isMap(original) && isMap(edited)) {
    original.items = mergeMapItems(original.items, edited.items)
    return original
  }
  if (isList(original) && isList(edited)) {
    original.items = mergeListItems(original.items, edited.items)
    return original
  }
  return isMap(edited) || isList(edited) ? withoutSrc(edited) as TreeValue : edited
}

/**
 * Elements equal to one of the file's, in order (a longest common subsequence), keep that node, so
 * an element inserted or removed in the middle leaves the others' ciphertexts and lines alone;
 * between two such anchors the rest pair up by position (a changed element is merged into the
 * one it replaced), and the edited side's extra elements are new.
 */
function mergeListItems(original: ListItem[], edited: ListItem[]): ListItem[] {
  const n = original.length
  const m = edited.length
  // the table is n·m; past that size (rare for hand-edited lists) pair by position only
  const anchors: [number, number][] = []
  if (n * m <= 1_000_000) {
    const rows = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        rows[i]![j] = sameValue(original[i]!.value, edited[j]!.value) ? rows[i + 1]![j + 1]! + 1 : Math.max(rows[i + 1]![j]!, rows[i]![j + 1]!)
      }
    }
    for (let i = 0, j = 0; i < n && j < m;) {
      if (sameValue(original[i]!.value, edited[j]!.value) && rows[i]![j] === rows[i + 1]![j + 1]! + 1) anchors.push([i++, j++])
      else if (rows[i + 1]![j]! >= rows[i]![j + 1]!) i++
      else j++
    }
  }
  anchors.push([n, m])
  const merged: ListItem[] = []
  let i = 0
  let j = 0
  for (const [ai, aj] of anchors) {
    for (; j < aj; i++, j++) merged.push(i < ai ? mergeListItem(original[i]!, edited[j]!) : withoutSrc(edited[j]!) as ListItem)
    if (aj < m) merged.push(original[ai]!)
    i = ai + 1
    j = aj + 1
  }
  return merged
}

function mergeListItem(o: ListItem, item: ListItem): ListItem {
  if (o.value instanceof Comment || item.value instanceof Comment) {
    return o.value instanceof Comment && item.value instanceof Comment && o.value.value === item.value.value ? o : withoutSrc(item) as ListItem
  }
  o.value = mergeValue(o.value, item.value)
  return o
}

function mergeMapItems(original: MapItem[], edited: MapItem[]): MapItem[] {
  const used = new Set<MapItem>()
  const byKey = new Map<string, MapItem[]>()
  for (const item of original) {
    if (typeof item.key !== "string") continue
    const list = byKey.get(item.key)
    if (list) list.push(item)
    else byKey.set(item.key, [item])
  }
  return edited.map(item => {
    const key = item.key
    const match = typeof key === "string"
      ? byKey.get(key)?.shift()
      : original.find(o => !used.has(o) && o.key instanceof Comment && o.key.value === key.value)
    if (!match) return withoutSrc(item) as MapItem
    used.add(match)
    if (typeof key === "string") match.value = mergeValue(match.value, item.value)
    return match
  })
}

/** A copy of a tree value or item without any store's source information. */
export function withoutSrc(value: TreeValue | MapItem | ListItem | Comment): TreeValue | MapItem | ListItem | Comment {
  if (value instanceof Comment || value === null || typeof value !== "object" || value instanceof Uint8Array || value instanceof SopsTime) return value
  if (isMap(value)) return { kind: "map", items: value.items.map(item => withoutSrc(item) as MapItem) }
  if (isList(value)) return { kind: "list", items: value.items.map(item => withoutSrc(item) as ListItem) }
  if ("key" in value) return { key: value.key, value: withoutSrc(value.value) as TreeValue }
  return { value: withoutSrc(value.value) as TreeValue | Comment }
}
