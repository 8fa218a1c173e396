// KRM function mode (plugins.md §3): a ResourceList on stdin, a ResourceList on stdout; failures as
// `results` entries with severity error plus a non-zero exit. The functionConfig says what to do: a
// generator adds its objects (dropping the config copy kustomize passes as the single item, §3.3), the
// transformer decrypts the items. Without a functionConfig every generator config among the items is
// replaced by what it generates, as ksops does (it treats each item as a config).
import { ExitCode } from "../../src/index.js"
import { problemsOf, type Problem } from "./failure.js"
import { roleOf, runGenerator, runTransformer, type Environment } from "./plugin-config.js"
import {
  parseResourceList, stringAt, stringifyObjects, stringifyResourceList, toPlain, type KubeObject, type Result,
} from "./resource-yaml.js"

export interface KrmOutcome {
  /** stdout: a ResourceList (or a plain stream when the input was one). */
  output: string
  exitCode: number
  problems: Problem[]
}

const sameObject = (a: KubeObject, b: KubeObject): boolean =>
  (["apiVersion", "kind"] as const).every(field => stringAt(a, [field]) === stringAt(b, [field])) &&
  stringAt(a, ["metadata", "name"]) === stringAt(b, ["metadata", "name"])

async function applyFunction(items: readonly KubeObject[], functionConfig: KubeObject | undefined, environment: Environment): Promise<KubeObject[]> {
  const config = functionConfig ? await toPlain(functionConfig) : undefined
  const role = roleOf(config)
  if (role === "transformer") return runTransformer(config, items, environment)
  if (role === "generator") {
    const generated = await runGenerator(config, environment)
    return [...items.filter(item => !sameObject(item, functionConfig!)), ...generated]
  }
  if (functionConfig && config !== null && !(typeof config === "object" && Object.keys(config).length === 0)) {
    return runGenerator(config, environment) // not ours: fails with the list of supported kinds
  }
  const out: KubeObject[] = []
  for (const item of items) {
    const plain = await toPlain(item)
    if (roleOf(plain) === "generator") out.push(...await runGenerator(plain, environment))
    else out.push(item)
  }
  return out
}

function toResult(problem: Problem): Result {
  return {
    message: problem.message,
    severity: "error",
    ...(problem.resourceRef ? { resourceRef: problem.resourceRef } : {}),
    ...(problem.file ? { file: { path: problem.file } } : {}),
  }
}

/** One KRM function run over the input text. */
export async function runKrm(input: string, environment: Environment): Promise<KrmOutcome> {
  let items: KubeObject[] = []
  let wrapped = true
  try {
    const list = await parseResourceList(input)
    items = list.items
    wrapped = list.wrapped
    const out = await applyFunction(list.items, list.functionConfig, environment)
    return { output: wrapped ? await stringifyResourceList(out) : await stringifyObjects(out), exitCode: 0, problems: [] }
  } catch (error) {
    const problems = problemsOf(error)
    return {
      output: wrapped ? await stringifyResourceList(items, problems.map(toResult)) : "",
      exitCode: problems[0]?.exitCode || ExitCode.ErrorGeneric,
      problems,
    }
  }
}
