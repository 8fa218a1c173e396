// `tsops filestatus FILE`: prints {"encrypted":true} or {"encrypted":false}.
import type { Command } from "commander"
import { fileStatus } from "../../api/filestatus.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { readInput } from "../file-io.js"
import type { Io } from "../io.js"
import type { Flags } from "../flag-values.js"

export const filestatusCommand = (program: Command, io: Io): Command =>
  program.command("filestatus").description("check the status of the file, returning encryption status")
    .argument("[file]", "file to check")
    .option("--input-type <type>", "currently json, yaml, dotenv, ini and binary are supported. If not set, tsops will use the file's extension to determine the type")
    .action(async (file: string | undefined, _flags: Flags, command: Command) => {
      if (file === undefined) throw new TsopsError("Error: no file specified", ExitCode.NoFileSpecified)
      const flags = command.optsWithGlobals()
      const status = await fileStatus(await readInput(file, io), {
        filename: file === "-" ? "" : file,
        inputType: typeof flags.inputType === "string" ? flags.inputType : undefined,
      })
      io.stdout.write(`${JSON.stringify({ encrypted: status.encrypted })}\n`)
    })
