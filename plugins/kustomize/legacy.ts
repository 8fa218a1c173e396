// Legacy exec plugin mode (plugins.md §4): kustomize runs `<plugin> <config file> [args…]` in the
// kustomization's directory; a generator prints a YAML stream, a transformer reads the resources as
// a YAML stream on stdin and prints them all back.
import { TsopsError } from "../../src/index.js"
import { roleOf, runGenerator, runTransformer, type Environment } from "./plugin-config.js"
import { parseDocuments, parseObjects, stringifyObjects, toPlain } from "./resource-yaml.js"

/** The config object in a legacy plugin's config text (kustomize writes exactly one document). */
export async function readConfigText(text: string, what: string): Promise<unknown> {
  const docs = await parseDocuments(text, what)
  if (docs.length !== 1) throw new TsopsError(`${what}: expected one config document, found ${docs.length}`)
  return toPlain(docs[0]!.contents)
}

/** Runs one legacy plugin invocation; returns what goes to stdout. */
export async function runLegacy(configText: string, readStdin: () => Promise<string>, environment: Environment): Promise<string> {
  const config = await readConfigText(configText, "plugin config")
  if (roleOf(config) === "transformer") {
    const resources = await parseObjects(await readStdin(), "resources on stdin")
    return stringifyObjects(await runTransformer(config, resources, environment))
  }
  return stringifyObjects(await runGenerator(config, environment))
}
