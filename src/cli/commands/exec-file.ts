// `tsops exec-file FILE COMMAND`: run a command with the decrypted file at the `{}` path (spec §10.1).
import type { Command } from "commander"
import { execFile } from "../../api/exec.js"
import { ExitStatus } from "../exit-status.js"
import { readInput } from "../file-io.js"
import { addDecryptFlags } from "../flags.js"
import type { Io } from "../io.js"
import { decryptFlagOptions, ioOptions, str, type Flags } from "../flag-values.js"
import { checkExecArgs, childStdio, warnBackground } from "./exec-env.js"


export async function runExecFile(file: string | undefined, command: string | undefined, flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  checkExecArgs(file, command)
  warnBackground(flags, warn)
  const input = await readInput(file, io)
  const status = await execFile(input, command, {
    filename: file,
    inputType: str(flags.inputType),
    outputType: str(flags.outputType),
    ...decryptFlagOptions(flags),
    config: str(flags.config),
    fifo: flags.fifo !== false,
    tempFilename: str(flags.filename),
    user: str(flags.user),
    stdio: childStdio(io),
    ...ioOptions(io, warn),
  })
  if (status !== 0) throw new ExitStatus(status)
}

export const execFileCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addDecryptFlags(program.command("exec-file")
    .description("execute a command with the decrypted contents as a temporary file")
    .argument("[file]", "file to decrypt")
    .argument("[command]", "command to run with /bin/sh -c; every {} is replaced by the temporary file's path"))
    .option("--no-fifo", "use a regular file instead of a fifo to temporarily hold the decrypted contents")
    .option("--filename <name>", "filename for the temporary file, a relative path (default: tmp-file)")
    .option("--user <user>", "the user to run the command as (requires root)")
    .option("--background", "deprecated in sops; accepted and ignored (tsops waits for the command)")
    .option("--input-type <type>", "currently json, yaml, dotenv, ini and binary are supported. If not set, tsops will use the file's extension to determine the type")
    .option("--output-type <type>", "currently json, yaml, dotenv, ini and binary are supported. If not set, tsops will use the input file's extension to determine the output format")
    .action(async (file: string | undefined, command: string | undefined, _flags: Flags, cmd: Command) => {
      await runExecFile(file, command, cmd.optsWithGlobals(), io, warn)
    })
