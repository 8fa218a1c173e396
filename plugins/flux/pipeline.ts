// `tsops flux build`: kustomize-controller's decryption pipeline run locally (plugins.md §2.3, §2.7 item 3):
// copy the source root into a private directory, decrypt generator sources and patch files there,
// build with kustomize (builtins only), then decrypt the built objects. The user's tree is never written.
import { realpath, stat } from "node:fs/promises"
import { join, relative, resolve, sep } from "node:path"
import { DataKeyRecoveryError, decrypt, ExitCode, TsopsError } from "../../src/index.js"
import { defaultMaxFileSize, gitWorkTree, isInside } from "../kustomize/confine.js"
import { recipientsOf } from "../kustomize/recipients.js"
import { cloudKeyHint } from "./cloud-entries.js"
import { copyTree } from "./copy-tree.js"
import { decryptResources } from "./decrypt-resources.js"
import { decryptSources } from "./decrypt-sources.js"
import { readDecryptionSecret, type DecryptionKeys } from "./decryption-secret.js"
import { keyEnvironment } from "./key-environment.js"
import { kustomizeBuild } from "./kustomize-build.js"
import type { SopsFormat } from "./markers.js"
import { withPrivateDir } from "./private-dir.js"
import { PlaintextScrubber } from "./scrubber.js"

type Env = Readonly<Record<string, string | undefined>>

export interface FluxBuildOptions {
  /** The directory holding the kustomization to build (Flux: `spec.path`). */
  readonly dir: string
  /** Nothing outside it is read. Default: the enclosing git work tree, else the Argo CD repository root, else `dir`. */
  readonly root?: string
  /** A Flux decryption Secret (manifest file, or mounted Secret volume directory); when given, its keys are the only ones used. Default: the usual environment. */
  readonly decryptionSecret?: string
  readonly env?: Env
  readonly cwd?: string
  /** `kubectl` (default) or a standalone `kustomize`. */
  readonly kustomize?: string
  /** Skip the MAC check of source files and Secret values too (Flux checks none; tsops checks those by default). */
  readonly ignoreMac?: boolean
  /** Size cap for the files decrypted before the build; default 5 MiB (Flux's). */
  readonly maxFileSize?: number
}

async function realDirectory(path: string, what: string): Promise<string> {
  try {
    const real = await realpath(path)
    if ((await stat(real)).isDirectory()) return real
  } catch {
    // reported below
  }
  throw new TsopsError(`${what}: ${path} is not a directory`, ExitCode.CouldNotReadInputFile)
}

/**
 * Flux confines a build to its source artifact. Locally that is the git work tree; in an Argo CD plugin
 * (no .git) it is the repository checkout, found by removing ARGOCD_APP_SOURCE_PATH from the app's path.
 */
async function defaultRoot(dir: string, env: Env): Promise<string> {
  const git = await gitWorkTree(dir)
  if (git !== undefined) return git
  const appPath = (env.ARGOCD_APP_SOURCE_PATH ?? "").replace(/^\.\/+|\/+$/g, "")
  if (appPath !== "" && appPath !== "." && dir.endsWith(`${sep}${appPath}`)) return dir.slice(0, -appPath.length - 1) || sep
  return dir
}

function missingKeyMessage(what: string, recipients: readonly string[], keys: DecryptionKeys | undefined): string {
  const where = keys ? `in the ${keys.source}` : "available here (SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, GNUPGHOME…)"
  const who = recipients.length > 0 ? `it is encrypted for ${recipients.join(", ")}` : "its sops metadata names no readable recipient"
  const hint = cloudKeyHint(recipients, new Set(keys?.cloud.keys() ?? []))
  return `${what}: no key ${where} can decrypt it; ${who}${hint ? `; ${hint}` : ""}`
}

/**
 * Builds `dir` as kustomize-controller would with SOPS decryption enabled and returns the YAML stream.
 * @throws TsopsError: a refused path (outside the root, through a symlink, above the size cap), a missing
 *   key (exit 128, naming the file and its recipients), a failed kustomize build
 */
export async function fluxBuild(options: FluxBuildOptions): Promise<string> {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const dir = await realDirectory(resolve(cwd, options.dir), "flux build")
  const root = options.root !== undefined ? await realDirectory(resolve(cwd, options.root), "--root") : await defaultRoot(dir, env)
  if (!isInside(root, dir)) throw new TsopsError(`flux build: ${dir} is not inside the root ${root}`, ExitCode.ErrorConflictingParameters)
  let keys: DecryptionKeys | undefined
  if (options.decryptionSecret !== undefined) keys = await readDecryptionSecret(resolve(cwd, options.decryptionSecret), options.decryptionSecret)

  return withPrivateDir("tsops-flux-", env, async scope => {
    const copyPath = join(scope.path, "source")
    await copyTree(root, copyPath).catch((error: unknown) => {
      const { code, path } = error as NodeJS.ErrnoException
      const where = path ? ` ${relative(root, path) || "."}` : ""
      throw new TsopsError(`cannot copy the source root ${root} into a private directory:${where} ${code ?? String(error)}`, ExitCode.CouldNotReadInputFile)
    })
    const copy = await realpath(copyPath)
    const scrubber = new PlaintextScrubber([[copy, root], [copyPath, root]])
    try {
      const keyEnv = keys ? await keyEnvironment(keys, scope, env) : env
      const open = async (bytes: Uint8Array, input: SopsFormat, output: SopsFormat, what: string, ignoreMac: boolean): Promise<Uint8Array> => {
        try {
          // YAML in sops's own layout (indent 4), as Flux's sops store emits it, so generated Secrets hash alike.
          return await decrypt(bytes, { inputType: input, outputType: output, ignoreMac, env: keyEnv, cwd: copy, config: false, ...(output === "yaml" ? { indent: 4 } : {}) })
        } catch (error) {
          if (error instanceof DataKeyRecoveryError) throw new TsopsError(missingKeyMessage(what, await recipientsOf(bytes, input), keys), error.exitCode)
          if (error instanceof TsopsError) throw new TsopsError(`${what}: ${error.message}`, error.exitCode)
          throw error
        }
      }
      const start = join(copy, relative(root, dir))
      await decryptSources(start, {
        root: copy,
        maxFileSize: options.maxFileSize ?? defaultMaxFileSize,
        describe: path => relative(copy, path) || ".",
        decrypt: async (bytes, format, what) => {
          const plaintext = await open(bytes, format, format, what, options.ignoreMac === true)
          // kustomize parses env files and may quote a line it rejects; YAML patches fail with positions.
          if (format !== "yaml" && format !== "json") scrubber.remember(plaintext)
          return plaintext
        },
      })
      const stream = await kustomizeBuild(start, { command: options.kustomize ?? "kubectl", env, scope, scrub: text => scrubber.scrub(text) })
      return await decryptResources(stream, {
        decryptObject: async (yaml, what) => {
          // Whole objects keep the layout kustomize printed; their MAC is never checked (kustomize changed them).
          try {
            return Buffer.from(await decrypt(yaml, { inputType: "yaml", outputType: "yaml", ignoreMac: true, env: keyEnv, cwd: copy, config: false })).toString("utf8")
          } catch (error) {
            if (error instanceof DataKeyRecoveryError) throw new TsopsError(missingKeyMessage(what, await recipientsOf(Buffer.from(yaml), "yaml"), keys), error.exitCode)
            if (error instanceof TsopsError) throw new TsopsError(`${what}: ${error.message}`, error.exitCode)
            throw error
          }
        },
        decryptValue: (bytes, input, output, what) => open(bytes, input, output, what, options.ignoreMac === true),
      })
    } catch (error) {
      if (error instanceof TsopsError) throw new TsopsError(scrubber.paths(error.message), error.exitCode)
      throw error
    }
  })
}
