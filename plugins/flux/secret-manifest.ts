// `tsops flux secret`: a Flux decryption Secret manifest (plugins.md §2.2) from local keys — the age
// identities sops would use, and PGP secret keys exported by gpg — to apply to the cluster (or feed
// back to `tsops flux build --decryption-secret`). The output holds private keys: it goes where asked only.
import { spawn } from "node:child_process"
import { readFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import { homedir } from "node:os"
import { ExitCode, TsopsError } from "../../src/index.js"

type Env = Readonly<Record<string, string | undefined>>

export interface FluxSecretOptions {
  /** metadata.name; default `sops-keys`. */
  readonly name?: string
  /** metadata.namespace; default `flux-system` (a Kustomization's decryption Secret lives in its namespace). */
  readonly namespace?: string
  /** PGP fingerprints whose secret keys `gpg --export-secret-keys --armor` exports into `<FP>.asc` entries. */
  readonly pgp?: readonly string[]
  /** An age identity file; default SOPS_AGE_KEY_FILE, else sops's default keys.txt. */
  readonly ageKeyFile?: string
  /** false: no `age.agekey` entry. */
  readonly age?: boolean
  readonly env?: Env
  readonly cwd?: string
}

// RFC 1123: a Secret name is a DNS subdomain, a namespace a DNS label.
const subdomain = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const label = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** sops's default identity file: $XDG_CONFIG_HOME/sops/age/keys.txt, else ~/.config/sops/age/keys.txt. */
function defaultAgeKeyFile(env: Env): string {
  const config = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config")
  return join(config, "sops", "age", "keys.txt")
}

function identityLines(text: string, location: string): string[] {
  if (text.startsWith("age-encryption") || text.trimStart().startsWith("-----BEGIN AGE")) {
    throw new TsopsError(`${location}: a passphrase-protected identity file; Flux needs plain age identities`, ExitCode.ErrorGeneric)
  }
  const identities: string[] = []
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === "" || line.startsWith("#")) continue
    for (const word of line.split(/\s+/)) {
      if (!/^AGE-SECRET-KEY-(PQ-)?1[0-9A-Z]+$/.test(word)) {
        throw new TsopsError(`${location}: line ${i + 1} is not an age identity (Flux reads only age-keygen identities)`, ExitCode.ErrorGeneric)
      }
      identities.push(word)
    }
  }
  return identities
}

async function ageIdentities(options: FluxSecretOptions, env: Env, cwd: string): Promise<string[]> {
  const identities: string[] = []
  if (env.SOPS_AGE_KEY) identities.push(...identityLines(env.SOPS_AGE_KEY, "SOPS_AGE_KEY"))
  const explicit = options.ageKeyFile ?? (env.SOPS_AGE_KEY_FILE || undefined)
  const file = explicit !== undefined ? resolve(cwd, explicit) : defaultAgeKeyFile(env)
  let text: string | undefined
  try {
    text = await readFile(file, "utf8")
  } catch {
    if (explicit !== undefined) throw new TsopsError(`cannot read the age identity file ${explicit}`, ExitCode.CouldNotReadInputFile)
  }
  if (text !== undefined) identities.push(...identityLines(text, explicit ?? file))
  return [...new Set(identities)]
}

function exportSecretKey(fingerprint: string, env: Env): Promise<Buffer> {
  const gpg = env.SOPS_GPG_EXEC || "gpg"
  return new Promise((resolvePromise, reject) => {
    const child = spawn(gpg, ["--batch", "--no-tty", "--armor", "--export-secret-keys", fingerprint], { env, stdio: ["ignore", "pipe", "ignore"] })
    const out: Buffer[] = []
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk))
    child.on("error", () => reject(new TsopsError(`cannot run ${gpg} to export the PGP key ${fingerprint}`, ExitCode.ErrorGeneric)))
    child.on("close", code => {
      const armored = Buffer.concat(out)
      if (code === 0 && armored.includes("-----BEGIN PGP PRIVATE KEY BLOCK-----")) return resolvePromise(armored)
      reject(new TsopsError(
        `gpg --export-secret-keys found no usable secret key for ${fingerprint} (Flux needs a passphrase-less key; GNUPGHOME=${env.GNUPGHOME || "~/.gnupg"})`,
        ExitCode.CouldNotRetrieveKey,
      ))
    })
  })
}

/**
 * The decryption Secret manifest (YAML) holding the local keys: `age.agekey` with the age identities and
 * one `<FINGERPRINT>.asc` per PGP key, base64 in `data`, as `kubectl create secret generic --from-file` writes them.
 * @throws TsopsError when no key is found, a name is invalid, or gpg cannot export a key
 */
export async function fluxSecret(options: FluxSecretOptions = {}): Promise<string> {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const name = options.name ?? "sops-keys"
  const namespace = options.namespace ?? "flux-system"
  if (!subdomain.test(name)) throw new TsopsError(`--name ${JSON.stringify(name)}: not a valid Secret name (RFC 1123 subdomain)`, ExitCode.ErrorGeneric)
  if (!label.test(namespace)) throw new TsopsError(`--namespace ${JSON.stringify(namespace)}: not a valid namespace (RFC 1123 label)`, ExitCode.ErrorGeneric)
  const entries: [string, Buffer][] = []
  if (options.age !== false) {
    const identities = await ageIdentities(options, env, cwd)
    if (identities.length > 0) entries.push(["age.agekey", Buffer.from(`${identities.join("\n")}\n`)])
  }
  for (const fp of options.pgp ?? []) {
    const fingerprint = fp.replace(/\s+/g, "").toUpperCase()
    if (!/^[0-9A-F]{16,40}$/.test(fingerprint)) throw new TsopsError(`--pgp ${JSON.stringify(fp)}: not a PGP fingerprint`, ExitCode.ErrorGeneric)
    entries.push([`${fingerprint}.asc`, await exportSecretKey(fingerprint, env)])
  }
  if (entries.length === 0) {
    throw new TsopsError("no keys found: no age identity (SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, keys.txt) and no --pgp fingerprint", ExitCode.NoEncryptionKeyFound)
  }
  const data = entries.map(([entry, bytes]) => `  ${entry}: ${bytes.toString("base64")}\n`).join("")
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\ntype: Opaque\ndata:\n${data}`
}
