// `tsops decrypt [file]` (and the legacy `tsops -d file`): flags in, plaintext out.
import type { Command } from "commander"
import { addConfigFlag, addDecryptFlags, addOutputFlags, addTypeFlags } from "../flags.js"
import type { Io } from "../io.js"
import type { Flags } from "../flag-values.js"

export const decryptCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  addConfigFlag(addDecryptFlags(addOutputFlags(addTypeFlags(
    program.command("decrypt").description("decrypt a file, and output the results to stdout").argument("[file]", "file to decrypt (stdin if omitted)"),
  )))).option("--extract <path>", `extract a specific key or branch from the input document, e.g. '["somekey"][0]'`)
    .action(async (file: string | undefined, _flags: Flags, command: Command) => {
      // run-decrypt.js only through import(): a module that is also imported statically gets a facade chunk.
      await (await import("./run-decrypt.js")).runDecrypt(file, command.optsWithGlobals(), io, warn)
    })
