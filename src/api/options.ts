// Options every library call shares, and the KeyContext built from them.
import type { KeyContext } from "../core/key-source.js"

export interface CommonOptions {
  /** Environment for key discovery and SOPS_* settings; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** Directory `.sops.yaml` is searched from; default `process.cwd()`. */
  cwd?: string
  /** Asks for a passphrase (encrypted age identities, SSH keys); absent: not interactive. */
  askPassphrase?: (prompt: string) => Promise<string>
  /** Non-fatal diagnostics; default: ignored. */
  warn?: (message: string) => void
}

export function keyContext(options: CommonOptions): KeyContext {
  return {
    env: options.env ?? process.env,
    ...(options.askPassphrase ? { askPassphrase: options.askPassphrase } : {}),
    ...(options.warn ? { warn: options.warn } : {}),
  }
}

export const envOf = (options: CommonOptions): Readonly<Record<string, string | undefined>> => options.env ?? process.env
export const cwdOf = (options: CommonOptions): string => options.cwd ?? process.cwd()

/** Bytes of a string or buffer input. */
export const toBytes = (input: Uint8Array | string): Uint8Array =>
  typeof input === "string" ? Buffer.from(input, "utf8") : input
