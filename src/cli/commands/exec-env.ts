// `tsops exec-env FILE COMMAND`: run a command with the decrypted values as environment variables (spec §10.1).
import type { Command } from "commander"
import { execEnv, type ExecStdio } from "../../api/exec.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { ExitStatus } from "../exit-status.js"
import { readInput } from "../file-io.js"
import { addDecryptFlags } from "../flags.js"
import type { Io } from "../io.js"
import { decryptFlagOptions, ioOptions, str, type Flags } from "../flag-values.js"


/** The process's own descriptors when the Io is the process's; otherwise pipe through the Io (in-process tests). */
export function childStdio(io: Io): ExecStdio {
  const own = io.stdin === process.stdin && io.stdout === process.stdout && io.stderr === process.stderr
  return own ? "inherit" : { stdin: io.stdin, stdout: io.stdout, stderr: io.stderr }
}

/** Both exec commands take exactly a file and a command; sops's message otherwise. */
export function checkExecArgs(file: string | undefined, command: string | undefined): asserts command is string {
  if (file === undefined || command === undefined) throw new TsopsError("error: missing file to decrypt", ExitCode.ErrorGeneric)
}

/** `--background` is deprecated in sops; tsops always waits, so the secrets never outlive the command. */
export function warnBackground(flags: Flags, warn: (m: string) => void): void {
  if (flags.background === true) warn("--background is deprecated (as in sops) and ignored: tsops waits for the command to finish")
}

export async function runExecEnv(file: string | undefined, command: string | undefined, flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  checkExecArgs(file, command)
  if (flags.background === true && flags.sameProcess === true) {
    throw new TsopsError("Error: The --same-process flag cannot be used with --background", ExitCode.ErrorConflictingParameters)
  }
  warnBackground(flags, warn)
  const input = await readInput(file, io)
  const status = await execEnv(input, command, {
    filename: file,
    inputType: str(flags.inputType),
    ...decryptFlagOptions(flags),
    pristine: flags.pristine === true,
    user: str(flags.user),
    stdio: childStdio(io),
    ...ioOptions(io, warn),
  })
  if (status !== 0) throw new ExitStatus(status)
}

export const execEnvCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addDecryptFlags(program.command("exec-env")
    .description("execute a command with decrypted values inserted into the environment")
    .argument("[file]", "file to decrypt")
    .argument("[command]", "command to run with /bin/sh -c"))
    .option("--pristine", "insert only the decrypted values into the environment without forwarding existing environment variables")
    .option("--user <user>", "the user to run the command as (requires root)")
    .option("--same-process", "accepted for sops compatibility: Node cannot replace its own process, so the command runs as a child and tsops exits with its status")
    .option("--background", "deprecated in sops; accepted and ignored (tsops waits for the command)")
    .option("--input-type <type>", "currently json, yaml, dotenv, ini and binary are supported. If not set, tsops will use the file's extension to determine the type")
    .action(async (file: string | undefined, command: string | undefined, _flags: Flags, cmd: Command) => {
      await runExecEnv(file, command, cmd.optsWithGlobals(), io, warn)
    })
