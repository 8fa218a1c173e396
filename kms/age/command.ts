// Runs SOPS_AGE_KEY_CMD / SOPS_AGE_SSH_PRIVATE_KEY_CMD: split shell-like, executed directly (no shell), as sops does.
import { execFile } from "node:child_process"
import { parse } from "shell-quote"

const maxOutput = 1 << 24 // sops reads at most 16 MiB of identities

/**
 * The command's stdout. Its env is `env` plus SOPS_AGE_RECIPIENT. Throws a plain Error naming the env var and the
 * program only: sops quotes the whole command line, but a command line may carry a token, and the output a key.
 */
export async function runKeyCommand(
  variable: string, command: string, env: Readonly<Record<string, string | undefined>>, recipient: string,
): Promise<Uint8Array> {
  const args = splitCommand(variable, command)
  const [file, ...rest] = args
  if (file === undefined) throw new Error(`failed to parse the ${variable} command: empty command`)
  const childEnv: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (value !== undefined) childEnv[name] = value
  childEnv.SOPS_AGE_RECIPIENT = recipient
  return new Promise((resolve, reject) => {
    execFile(file, rest, { env: childEnv, encoding: "buffer", maxBuffer: maxOutput, windowsHide: true }, (error, stdout) => {
      if (error === null) {
        resolve(Uint8Array.from(stdout))
        return
      }
      const code = (error as NodeJS.ErrnoException).code
      const reason = code === "ENOENT" ? `exec: ${JSON.stringify(file)}: executable file not found`
        : typeof code === "number" ? `exit status ${code}`
        : error.killed ? "killed" : (code ?? "failed")
      reject(new Error(`failed to execute the ${variable} command ${JSON.stringify(file)}: ${reason}`))
    })
  })
}

// sops uses google/shlex: quotes, backslash escapes and `#` comments, but no variables, globs or operators.
// shell-quote would expand `$VAR` and split `a|b`; variables are put back verbatim, operators are refused.
export function splitCommand(variable: string, command: string): string[] {
  const args: string[] = []
  for (const entry of parse(command, name => `$${name}`)) {
    if (typeof entry === "string") args.push(entry)
    else if ("comment" in entry) break
    else if (entry.op === "glob") args.push(entry.pattern)
    else throw new Error(`failed to parse the ${variable} command: shell operator ${JSON.stringify(entry.op)} is not supported (the command is not run by a shell)`)
  }
  return args
}
