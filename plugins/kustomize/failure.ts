// A failed plugin run: every problem found (all files of a config are decrypted together, so a build
// reports each missing key or refused path at once), each becoming one KRM result or stderr line.
import { ExitCode, TsopsError } from "../../src/index.js"
import type { Result } from "./resource-yaml.js"

export interface Problem {
  message: string
  exitCode: number
  resourceRef?: Result["resourceRef"]
  file?: string
}

export class PluginFailure extends TsopsError {
  readonly problems: readonly Problem[]
  constructor(problems: readonly Problem[]) {
    super(problems.map(p => p.message).join("; "), (problems[0]?.exitCode ?? ExitCode.ErrorGeneric) as ExitCode)
    this.problems = problems
  }
}

/** The problems an error stands for; a non-tsops error is a bug and is rethrown. */
export function problemsOf(error: unknown, extra: Omit<Problem, "message" | "exitCode"> = {}): Problem[] {
  if (error instanceof PluginFailure) return [...error.problems]
  if (error instanceof TsopsError) return [{ message: error.message, exitCode: error.exitCode, ...extra }]
  throw error
}

/**
 * Runs every task (they start at once), then returns the values in order, or throws one
 * PluginFailure holding every problem: a missing key in one file must not hide a refusal in another.
 */
export async function settleAll<T>(tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks.map(task => task()))
  const problems: Problem[] = []
  const values: T[] = []
  for (const outcome of settled) {
    if (outcome.status === "fulfilled") values.push(outcome.value)
    else problems.push(...problemsOf(outcome.reason))
  }
  if (problems.length > 0) throw new PluginFailure(problems)
  return values
}
