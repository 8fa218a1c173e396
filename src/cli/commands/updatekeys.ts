// `tsops updatekeys FILE|DIR…`: the plan for every file on stdout, one confirmation, then the
// files concurrently with a progress bar on a terminal, failures one line each, and a summary.
import { relative, isAbsolute } from "node:path"
import { createInterface } from "node:readline"
import { Option, type Command } from "commander"
import { applyKeyUpdates, describeFilePlan, planKeyUpdates, type KeyUpdatePlan, type UpdateKeysOptions } from "../../api/update-keys.js"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { colorsFor, type Colors } from "../colors.js"
import { passphrasePrompt, type Io } from "../io.js"
import { str, type Flags } from "../flag-values.js"

const positive = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new TsopsError(`Invalid --concurrency ${JSON.stringify(value)}: expected a whole number ≥ 1`)
  return Number(value)
}

/** Asks once on the terminal; sops repeats the question until the answer is y or n. */
async function askYesNo(io: Io, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, terminal: false })
  // The iterator buffers lines, so answers typed ahead are not lost between two questions.
  const lines = rl[Symbol.asyncIterator]()
  try {
    for (;;) {
      io.stdout.write(question)
      const next = await lines.next()
      if (next.done) return false
      const answer = String(next.value).trim()
      if (answer === "y" || answer === "n") return answer === "y"
    }
  } finally {
    rl.close()
  }
}

/** Throws a TsopsError carrying the summary (exit 1) when some file failed, after reporting each failure. */
export async function runUpdateKeys(targets: string[], flags: Flags, io: Io, warn: (m: string) => void): Promise<void> {
  const shown = (path: string) => {
    const rel = relative(io.cwd, path)
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path
  }
  const quiet = flags.quiet === true
  const yes = flags.yes === true
  const askPassphrase = passphrasePrompt(io)
  const options: UpdateKeysOptions = {
    config: str(flags.config),
    inputType: str(flags.inputType),
    rotate: flags.rotate === true,
    ignoreMac: flags.ignoreMac === true,
    decryptionOrder: str(flags.decryptionOrder),
    ...(typeof flags.shamirSecretSharingThreshold === "number" ? { shamirThreshold: flags.shamirSecretSharingThreshold } : {}),
    ...(typeof flags.concurrency === "number" ? { concurrency: flags.concurrency } : {}),
    env: io.env,
    cwd: io.cwd,
    warn,
    ...(askPassphrase ? { askPassphrase } : {}),
  }
  const plan = await planKeyUpdates(targets, options)
  // One file named on its own fails as sops fails: its own message and exit code.
  const single = targets.length === 1 && plan.files.length + plan.failed.length === 1
  if (single && plan.failed.length === 1) throw plan.failed[0]!.error

  const changing = plan.files.filter(f => f.willChange)
  printPlan(plan, io, colorsFor(io, "stdout"), shown, { quiet: quiet && yes })
  for (const file of plan.files) {
    if (!file.willChange && !quiet) io.stderr.write(`File ${shown(file.path)} already up to date\n`)
  }
  for (const failure of plan.failed) io.stderr.write(`${shown(failure.path)}: ${failure.error.message.replace(/\n/g, " ")}\n`)

  let result = { updated: [] as string[], failed: plan.failed }
  if (changing.length > 0) {
    if (!yes) {
      if (!io.stdin.isTTY) {
        throw new TsopsError(
          `updatekeys would change ${changing.length} file(s) but stdin is not a terminal to confirm it: pass --yes (-y) to approve the plan above`,
        )
      }
      if (!(await askYesNo(io, "Is this okay? (y/n):"))) {
        if (plan.failed.length > 0) throw new TsopsError(`updatekeys: no file was changed; failed ${plan.failed.length}`)
        io.stderr.write("updatekeys: no file was changed\n")
        return
      }
    }
    const bar = !quiet && io.stderr.isTTY ? await progressBar(io, changing.length) : undefined
    const applied = await applyKeyUpdates(plan, { ...options, onProgress: done => bar?.update(done) })
    bar?.stop()
    const newFailures = applied.failed.filter(f => !plan.failed.includes(f))
    if (single && newFailures.length === 1) throw newFailures[0]!.error
    for (const failure of newFailures) io.stderr.write(`${shown(failure.path)}: ${failure.error.message.replace(/\n/g, " ")}\n`)
    result = applied
  }
  const summary = `updatekeys: updated ${result.updated.length}, already up to date ${plan.files.length - changing.length}, failed ${result.failed.length}`
  if (result.failed.length > 0) throw new TsopsError(summary, ExitCode.ErrorGeneric)
  if (single && result.updated.length === 1) io.stderr.write(`File ${shown(result.updated[0]!)} synced with new keys\n`)
  else if (!single) io.stderr.write(`${summary}\n`)
}

function printPlan(
  plan: KeyUpdatePlan,
  io: Io,
  colors: Colors,
  shown: (path: string) => string,
  { quiet }: { quiet: boolean },
): void {
  if (quiet) return
  const paint = { threshold: (s: string) => s, common: (s: string) => s, group: colors.underline, added: colors.green, removed: colors.red }
  const out: string[] = []
  for (const file of plan.files.filter(f => f.willChange)) {
    out.push(`The following changes will be made to the groups of ${shown(file.path)}:`)
    if (file.keysChange) for (const line of describeFilePlan(file)) out.push(paint[line.kind](line.text))
    else out.push("    (no key changes)")
    if (plan.rotate) out.push(colors.yellow("+++ new data key: every value re-encrypted"))
  }
  if (out.length > 0) io.stdout.write(`${out.join("\n")}\n`)
}

async function progressBar(io: Io, total: number) {
  const { default: progress } = await import("cli-progress")
  const bar = new progress.SingleBar({
    stream: io.stderr as NodeJS.WritableStream,
    format: "updatekeys [{bar}] {value}/{total} files",
    hideCursor: true,
    clearOnComplete: false,
  }, progress.Presets.shades_classic)
  bar.start(total, 0)
  return bar
}

export const updatekeysCommand = (program: Command, io: Io, warn: (m: string) => void): Command =>
  program.command("updatekeys").description("update the keys of SOPS files (or all SOPS files under directories) using the config file")
    .argument("[paths...]", "files and directories (walked recursively)")
    .option("-y, --yes", "pre-approve all changes and run non-interactively")
    .option("--rotate", "also generate a new data key for every file and re-encrypt all values (what removing a person needs)")
    .option("-q, --quiet", "no progress bar and no per-file messages (failures and the summary are still printed)")
    .option("--input-type <type>", "currently json, yaml, dotenv, ini and binary are supported. If not set, tsops will use each file's extension to determine the type")
    .addOption(new Option("--concurrency <n>", "how many files are processed at once").default(8).argParser(positive))
    .option("--decryption-order <types>", "comma separated list of decryption key types [$SOPS_DECRYPTION_ORDER]")
    .option("--ignore-mac", "with --rotate: ignore Message Authentication Code during decryption")
    .addOption(new Option("--shamir-secret-sharing-threshold <n>", "the Shamir threshold for files with several key groups (default: the creation rule's, else the file's)").argParser(Number))
    .option("--config <path>", "path to sops' config file. If set, sops will not search for the config file recursively [$SOPS_CONFIG]")
    .action(async (paths: string[], _flags: Flags, command: Command) => {
      if (paths.length === 0) throw new TsopsError("Error: no file specified", ExitCode.NoFileSpecified)
      await runUpdateKeys(paths, command.optsWithGlobals(), io, warn)
    })
