// Flags shared by several commands, spelled as sops spells them (spec §10).
import { InvalidArgumentError, Option, type Command } from "commander"

const int = (value: string): number => {
  const n = Number(value)
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`not an integer: ${value}`)
  return n
}

export function addTypeFlags(command: Command): Command {
  return command
    .option("--input-type <type>", "currently json, yaml, dotenv, ini and binary are supported. If not set, tsops will use the file's extension to determine the type")
    .option("--output-type <type>", "currently json, yaml, dotenv, ini and binary are supported. If not set, tsops will use the input file's extension to determine the output format")
    .option("--filename-override <name>", "use this filename instead of the provided argument for loading configuration, and for determining input type and output type")
}

export function addOutputFlags(command: Command): Command {
  return command
    .option("-i, --in-place", "write output back to the same file instead of stdout")
    .option("--output <file>", "save the output after encryption or decryption to the file specified")
    .addOption(new Option("--indent <n>", "the number of spaces to indent YAML or JSON output (sops's layout)").argParser(int))
}

export function addRuleFlags(command: Command): Command {
  return command
    .option("--unencrypted-suffix <suffix>", "override the unencrypted key suffix")
    .option("--encrypted-suffix <suffix>", "override the encrypted key suffix. When empty, all keys will be encrypted, unless otherwise marked with unencrypted-suffix")
    .option("--unencrypted-regex <regex>", "set the unencrypted key regex. When specified, only keys matching the regex will be left unencrypted")
    .option("--encrypted-regex <regex>", "set the encrypted key regex. When specified, only keys matching the regex will be encrypted")
    .option("--unencrypted-comment-regex <regex>", "set the unencrypted comment suffix. When specified, only keys that have comment matching the regex will be left unencrypted")
    .option("--encrypted-comment-regex <regex>", "set the encrypted comment suffix. When specified, only keys that have comment matching the regex will be encrypted")
    .option("--mac-only-encrypted", "compute MAC only over values which end up encrypted")
    .addOption(new Option("--shamir-secret-sharing-threshold <n>", "the number of master keys required to retrieve the data key with shamir").argParser(int))
}

export function addDecryptFlags(command: Command): Command {
  return command
    .option("--ignore-mac", "ignore Message Authentication Code during decryption")
    .option("--decryption-order <types>", "comma separated list of decryption key types [$SOPS_DECRYPTION_ORDER]")
}

export function addConfigFlag(command: Command): Command {
  return command.option("--config <path>", "path to sops' config file. If set, sops will not search for the config file recursively [$SOPS_CONFIG]")
}
