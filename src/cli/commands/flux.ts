// `tsops flux build DIR` and `tsops flux secret`: flags in, plugins/flux out (loaded on first use).
import type { Command } from "commander"
import { ExitCode, TsopsError } from "../../core/errors.js"
import { writeOutput } from "../file-io.js"
import type { Io } from "../io.js"

interface FluxFlags {
  decryptionSecret?: string
  root?: string
  kustomize?: string
  ignoreMac?: boolean
  maxFileSize?: string
  output?: string
  name?: string
  namespace?: string
  pgp?: string[] | string
  ageKeyFile?: string
  age?: boolean
}

const loadFlux = () => import("../../../plugins/flux/index.js")

/** "5242880", "5Mi", "512Ki" → bytes. */
function parseSize(text: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(text.trim())
  const unit: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }
  const bytes = match ? Number(match[1]) * (unit[match[2] ?? ""] ?? Number.NaN) : Number.NaN
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new TsopsError(`--max-file-size: expected a size such as 5242880 or 5Mi, got "${text}"`, ExitCode.ErrorGeneric)
  return bytes
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

// The root program has its own `--pgp` (sops's recipient flag), which may take the value first: accept both shapes.
const fingerprints = (value: string[] | string | undefined): string[] | undefined =>
  value === undefined ? undefined : [value].flat().flatMap(v => v.split(",")).map(v => v.trim()).filter(v => v !== "")

export const fluxCommand = (program: Command, io: Io): Command => {
  const flux = program.command("flux").description("Flux-compatible decryption: build a kustomization as Flux's kustomize-controller does, write a decryption Secret")
  flux.command("build")
    .description("build DIR with kustomize, decrypting SOPS files as Flux does (sources before the build, resources after), in a private copy")
    .argument("<dir>", "directory holding the kustomization (Flux's spec.path)")
    .option("--decryption-secret <path>", "Flux decryption Secret with the keys (*.agekey, *.asc, sops.* entries): a manifest file, or a mounted Secret volume directory; default: the usual sops key environment [$TSOPS_FLUX_DECRYPTION_SECRET]")
    .option("--root <dir>", "nothing outside it is read (Flux's source root); default: the enclosing git work tree, else DIR")
    .option("--kustomize <command>", "kubectl (default), or a standalone kustomize binary")
    .option("--max-file-size <size>", "largest file decrypted before the build (default 5Mi, as Flux)")
    .option("--ignore-mac", "do not check the MAC of source files and Secret values either (Flux checks none)")
    .option("--output <file>", "write the manifests to this file instead of stdout")
    .action(async (dir: string, _flags: FluxFlags, command: Command) => {
      const flags = command.optsWithGlobals<FluxFlags>()
      const { fluxBuild } = await loadFlux()
      // The variable lets an Argo CD sidecar point every build at its mounted Secret (plugins/argocd).
      const decryptionSecret = flags.decryptionSecret ?? io.env.TSOPS_FLUX_DECRYPTION_SECRET
      const stream = await fluxBuild({
        dir,
        ...(flags.root !== undefined ? { root: flags.root } : {}),
        ...(decryptionSecret ? { decryptionSecret } : {}),
        ...(flags.kustomize !== undefined ? { kustomize: flags.kustomize } : {}),
        ...(flags.maxFileSize !== undefined ? { maxFileSize: parseSize(flags.maxFileSize) } : {}),
        ignoreMac: flags.ignoreMac === true,
        env: io.env,
        cwd: io.cwd,
      })
      await writeOutput(Buffer.from(stream), undefined, flags.output !== undefined ? { output: flags.output } : {}, io)
    })
  flux.command("secret")
    .description("write a Flux decryption Secret manifest holding local keys (age identities, PGP secret keys)")
    .option("--name <name>", "metadata.name", "sops-keys")
    .option("--namespace <namespace>", "metadata.namespace (the Kustomization's)", "flux-system")
    .option("--pgp <fingerprints>", "export these PGP secret keys with gpg (comma separated; repeatable)", collect)
    .option("--age-key-file <file>", "age identities to include (default: SOPS_AGE_KEY_FILE, else sops's keys.txt)")
    .option("--no-age", "include no age identities")
    .option("--output <file>", "write the manifest to this file instead of stdout")
    .action(async (_flags: FluxFlags, command: Command) => {
      const flags = command.optsWithGlobals<FluxFlags>()
      const { fluxSecret } = await loadFlux()
      const manifest = await fluxSecret({
        ...(flags.name !== undefined ? { name: flags.name } : {}),
        ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
        ...(flags.pgp !== undefined ? { pgp: fingerprints(flags.pgp) ?? [] } : {}),
        ...(flags.ageKeyFile !== undefined ? { ageKeyFile: flags.ageKeyFile } : {}),
        age: flags.age !== false,
        env: io.env,
        cwd: io.cwd,
      })
      await writeOutput(Buffer.from(manifest), undefined, flags.output !== undefined ? { output: flags.output } : {}, io)
    })
  return flux
}
