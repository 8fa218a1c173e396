// Terminal colours for the CLI's own messages (errors, warnings, plans, diffs), decided per Io stream: never on a
// non-TTY, never with NO_COLOR (https://no-color.org), so piped output and logs stay free of escape codes.
import picocolors from "picocolors"
import type { Io } from "./io.js"

export type Colors = ReturnType<typeof picocolors.createColors>

/**
 * Whether `stream` of `io` should be coloured. NO_COLOR (any non-empty value) always wins; FORCE_COLOR (non-empty,
 * not "0") turns colours on for a non-TTY; otherwise only a TTY whose TERM is not "dumb" gets colours.
 * Decided from the Io, not from process.stdout, so a test's fake TTY and env are honoured.
 */
export function colorsEnabled(io: Pick<Io, "env" | "stdout" | "stderr">, stream: "stdout" | "stderr" = "stderr"): boolean {
  const env = io.env
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true
  return io[stream].isTTY === true && env.TERM !== "dumb"
}

/** picocolors' formatters (`red`, `yellow`, `green`, `bold`, …), identity functions when colours are off. */
export function colorsFor(io: Pick<Io, "env" | "stdout" | "stderr">, stream: "stdout" | "stderr" = "stderr"): Colors {
  return picocolors.createColors(colorsEnabled(io, stream))
}
