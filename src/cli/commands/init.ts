// `tsops init`: an age identity (if there is none) and a `.sops.yaml` for it in the working directory.
import type { Command } from "commander"
import { init } from "../../api/init.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import type { Io } from "../io.js"

export async function runInit(io: Io, warn: (m: string) => void): Promise<void> {
  const result = await init({ env: io.env, cwd: io.cwd, warn })
  const lines = [
    result.identityCreated
      ? `Created an age identity in ${result.identityPath} (keep this file private and backed up)`
      : `Using the existing age identity in ${result.identityPath} (left unchanged)`,
    `Public key (recipient): ${result.recipient}`,
  ]
  if (result.config === "created") lines.push(`Wrote ${result.configPath}: new files are encrypted for this recipient, e.g. tsops encrypt -i secrets.yaml`)
  if (result.config === "present") lines.push(`${result.configPath} already exists and names this recipient (left unchanged)`)
  io.stdout.write(`${lines.join("\n")}\n`)
  if (result.config === "conflict") {
    throw new TsopsError(`Error: ${result.configPath} already exists and does not name ${result.recipient}; left unchanged (add the recipient to its creation_rules)`, ExitCode.ErrorGeneric)
  }
}

export const initCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  program.command("init")
    .description("create an age identity in the default location (if there is none) and a .sops.yaml using it in the current directory")
    .action(async () => {
      await runInit(io, warn)
    })
