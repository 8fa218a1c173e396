// Rewrites a source text by a list of edits in one pass and one join, so a layout-preserving emit of a
// large file with many changed values stays linear (style.md §2). Shared by the JSON, dotenv and INI stores.

export interface Edit {
  /** replaced range [start, end) of the source; start === end inserts */
  readonly start: number
  readonly end: number
  readonly text: string
}

/**
 * Applies non-overlapping edits. Edits are sorted by start here; insertions at the same position keep
 * the order in which they were given. Overlapping edits are a store bug and throw.
 */
export function splice(text: string, edits: readonly Edit[]): string {
  const sorted = edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order)
  const parts: string[] = []
  let at = 0
  for (const { edit } of sorted) {
    if (edit.start < at || edit.end < edit.start) throw new Error(`internal error: overlapping edits at ${edit.start}`)
    parts.push(text.slice(at, edit.start), edit.text)
    at = edit.end
  }
  return parts.join("") + text.slice(at)
}
