// The one depth-first walk behind encryption, decryption and the MAC (spec §1.2, §3.2, §3.3):
// paths without list indices, the AAD `a:b:`, the active rule and the comments stack.
import type { ActiveRule } from "./rules.js"
import { Comment, isList, isMap, type Scalar, type TreeList, type TreeMap, type TreeValue } from "./tree.js"

export interface Leaf {
  /** The path joined with `:` plus a trailing `:`; a top-level comment's AAD is `:`. */
  readonly aad: string
  /** Whether the active rule says this leaf is (to be) encrypted. */
  readonly encrypted: boolean
}

export interface TreeVisitor {
  /**
   * A scalar leaf (nulls are never visited). May return a Comment only for a list element.
   * `leaf` is only valid during the call (one object serves every leaf).
   */
  scalar(value: Scalar, leaf: Leaf, inList: boolean): Scalar | Comment
  /** A comment item; returns its replacement and its plaintext (for the comments stack). */
  comment(comment: Comment, leaf: Leaf): { comment: Comment; plaintext: string }
}

type Frames = string[][]

/** Walks every branch in order, replacing leaves in place with what the visitor returns. */
export function walkBranches(branches: readonly TreeMap[], rule: ActiveRule, visitor: TreeVisitor): void {
  const walker = new Walker(rule, visitor)
  for (const branch of branches) walker.map(branch, "", false, [])
}

class Walker {
  readonly #rule: ActiveRule
  readonly #visitor: TreeVisitor
  readonly #componentMatches: ((key: string) => boolean) | undefined
  readonly #leaf: { aad: string; encrypted: boolean } = { aad: "", encrypted: false }

  constructor(rule: ActiveRule, visitor: TreeVisitor) {
    this.#rule = rule
    this.#visitor = visitor
    if ("suffix" in rule) this.#componentMatches = key => key.endsWith(rule.suffix)
    else if (rule.kind === "unencryptedRegex" || rule.kind === "encryptedRegex") this.#componentMatches = key => rule.regex.test(key)
  }

  map(map: TreeMap, prefix: string, matched: boolean, frames: Frames): void {
    const frame: string[] = []
    frames.push(frame)
    for (const item of map.items) {
      if (item.key instanceof Comment) {
        item.key = this.#comment(item.key, prefix, matched, frames, frame)
        continue
      }
      const key = item.key
      const childMatched = matched || (this.#componentMatches?.(key) ?? false)
      // Only list elements can turn into comments (spec §2.6); a map value never does.
      item.value = this.#value(item.value, `${prefix}${key}:`, childMatched, frames, false, frame) as TreeValue
    }
    frames.pop()
  }

  #list(list: TreeList, prefix: string, matched: boolean, frames: Frames): void {
    const frame: string[] = []
    frames.push(frame)
    for (const item of list.items) {
      if (item.value instanceof Comment) {
        item.value = this.#comment(item.value, prefix, matched, frames, frame)
        continue
      }
      item.value = this.#value(item.value, prefix, matched, frames, true, frame)
    }
    frames.pop()
  }

  #value(value: TreeValue, prefix: string, matched: boolean, frames: Frames, inList: boolean, frame: string[]): TreeValue | Comment {
    let result: TreeValue | Comment = value
    if (isMap(value)) this.map(value, prefix, matched, frames)
    else if (isList(value)) this.#list(value, prefix, matched, frames)
    else if (value !== null) {
      const leaf = this.#leaf
      leaf.aad = prefix
      leaf.encrypted = this.#encrypted(matched, frames, false)
      result = this.#visitor.scalar(value, leaf, inList)
      if (result instanceof Comment) {
        // A list comment that sops stored as an ENC string element: it counts as a comment (spec §2.6).
        frame.push(result.value)
        return result
      }
    }
    frame.length = 0
    return result
  }

  #comment(comment: Comment, prefix: string, matched: boolean, frames: Frames, frame: string[]): Comment {
    frame.push(comment.value)
    const leaf = { aad: prefix === "" ? ":" : prefix, encrypted: this.#encrypted(matched, frames, true) }
    const out = this.#visitor.comment(comment, leaf)
    frame[frame.length - 1] = out.plaintext
    return out.comment
  }

  #encrypted(matched: boolean, frames: Frames, isComment: boolean): boolean {
    switch (this.#rule.kind) {
      case "unencryptedSuffix":
      case "unencryptedRegex":
        return !matched
      case "encryptedSuffix":
      case "encryptedRegex":
        return matched
      case "unencryptedCommentRegex":
        return !anyComment(frames, this.#rule.regex, false)
      case "encryptedCommentRegex":
        return anyComment(frames, this.#rule.regex, isComment)
    }
  }
}

/** Whether a comment on the stack matches; `skipSelf` leaves out the comment being judged (spec §3.2). */
function anyComment(frames: Frames, regex: RegExp, skipSelf: boolean): boolean {
  for (let f = 0; f < frames.length; f++) {
    const frame = frames[f]!
    const end = skipSelf && f === frames.length - 1 ? frame.length - 1 : frame.length
    for (let i = 0; i < end; i++) if (regex.test(frame[i]!)) return true
  }
  return false
}
