// A private temporary directory (mode 0700) for one run, removed on every exit path: return, throw,
// SIGINT, SIGTERM, SIGHUP and process exit. Cleanup tasks (kill a child, stop a gpg-agent) run first.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export interface PrivateDir {
  /** Absolute path of the directory (mkdtemp: mode 0700, owned by us). */
  readonly path: string
  /** A synchronous task run at cleanup, before the directory is removed; last registered runs first. */
  onCleanup(task: () => void): void
}

const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const

/**
 * Runs `work` with a fresh private directory under `parent` (default: TMPDIR of `env`, else the system's).
 * A signal that arrives meanwhile removes the directory and is then re-raised, so the process still ends
 * the way the signal asks.
 */
export async function withPrivateDir<T>(
  prefix: string,
  env: Readonly<Record<string, string | undefined>>,
  work: (dir: PrivateDir) => Promise<T>,
): Promise<T> {
  const path = mkdtempSync(join(env.TMPDIR || tmpdir(), prefix))
  const tasks: (() => void)[] = []
  let done = false
  const cleanup = (): void => {
    if (done) return
    done = true
    for (const task of tasks.reverse()) {
      try {
        task()
      } catch {
        // a failed cleanup task must not keep the directory
      }
    }
    rmSync(path, { recursive: true, force: true })
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanup()
    detach()
    process.kill(process.pid, signal)
  }
  const detach = (): void => {
    for (const signal of signals) process.off(signal, onSignal)
    process.off("exit", cleanup)
  }
  for (const signal of signals) process.on(signal, onSignal)
  process.on("exit", cleanup)
  try {
    return await work({ path, onCleanup: task => void tasks.push(task) })
  } finally {
    cleanup()
    detach()
  }
}
