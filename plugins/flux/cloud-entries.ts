// The cloud KMS and Vault entries of a Flux decryption Secret (plugins.md §2.2): parsed and checked as
// kustomize-controller checks them, mapped to the environment variables sops's key sources read, and
// named in the error when a file needs a key type tsops cannot use yet.
import { ExitCode, TsopsError } from "../../src/index.js"
import { loadYaml } from "./load-yaml.js"

export const cloudEntries = {
  "sops.vault-token": { keyType: "hc_vault", what: "a Vault/OpenBao token" },
  "sops.aws-kms": { keyType: "kms", what: "AWS credentials" },
  "sops.azure-kv": { keyType: "azure_kv", what: "Azure credentials" },
  "sops.gcp-kms": { keyType: "gcp_kms", what: "a GCP service account key" },
} as const

export type CloudEntryName = keyof typeof cloudEntries

export interface CloudCredentials {
  readonly entry: CloudEntryName
  /** What sops's key source for that type reads from the environment (secret values: never printed). */
  readonly env: Readonly<Record<string, string>>
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const str = (value: unknown): string => (typeof value === "string" ? value : "")

async function parseYamlOrJson(bytes: Uint8Array, entry: string, source: string): Promise<Record<string, unknown>> {
  const YAML = await loadYaml()
  // A UTF-8 BOM is skipped, as Flux's azkv decode does.
  const text = Buffer.from(bytes).toString("utf8").replace(/^\uFEFF/, "")
  let value: unknown
  try {
    value = YAML.parse(text, { prettyErrors: false })
  } catch {
    value = undefined
  }
  if (!isRecord(value)) throw new TsopsError(`failed to import '${entry}' data from ${source}: not a YAML or JSON mapping`, ExitCode.ErrorReadingConfig)
  return value
}

function aws(fields: Record<string, unknown>): Record<string, string> {
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: str(fields.aws_access_key_id),
    AWS_SECRET_ACCESS_KEY: str(fields.aws_secret_access_key),
  }
  if (str(fields.aws_session_token)) env.AWS_SESSION_TOKEN = str(fields.aws_session_token)
  return env
}

// The three forms Flux's TokenCredentialFromAADConfig accepts, in its order; anything else fails the import.
function azure(fields: Record<string, unknown>, entry: string, source: string): Record<string, string> {
  const [tenantId, clientId] = [str(fields.tenantId), str(fields.clientId)]
  const host: Record<string, string> = str(fields.authorityHost) ? { AZURE_AUTHORITY_HOST: str(fields.authorityHost) } : {}
  if (tenantId && clientId && str(fields.clientSecret)) {
    return { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, AZURE_CLIENT_SECRET: str(fields.clientSecret), ...host }
  }
  if (tenantId && clientId && str(fields.clientCertificate)) {
    return { AZURE_TENANT_ID: tenantId, AZURE_CLIENT_ID: clientId, ...host }
  }
  if (str(fields.tenant) && str(fields.appId) && str(fields.password)) {
    return { AZURE_TENANT_ID: str(fields.tenant), AZURE_CLIENT_ID: str(fields.appId), AZURE_CLIENT_SECRET: str(fields.password), ...host }
  }
  if (clientId) return { AZURE_CLIENT_ID: clientId }
  throw new TsopsError(
    `failed to import '${entry}' data from ${source}: invalid data: requires a 'clientId' field, a combination of 'tenantId', 'clientId' and 'clientSecret', or 'tenantId', 'clientId' and 'clientCertificate'`,
    ExitCode.ErrorReadingConfig,
  )
}

function gcp(bytes: Uint8Array, entry: string, source: string): Record<string, string> {
  const text = Buffer.from(bytes).toString("utf8").replace(/^\n+|\n+$/g, "")
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    value = undefined
  }
  if (!isRecord(value) || typeof value.type !== "string") {
    throw new TsopsError(`failed to import '${entry}' data from ${source}: not a GCP credentials JSON file`, ExitCode.ErrorReadingConfig)
  }
  return { GOOGLE_CREDENTIALS: text }
}

/** The parsed entry, or undefined when `entry` is not one of the four names (Flux ignores other entries). */
export async function parseCloudEntry(entry: string, bytes: Uint8Array, source: string): Promise<CloudCredentials | undefined> {
  switch (entry) {
    case "sops.vault-token":
      return { entry, env: { VAULT_TOKEN: Buffer.from(bytes).toString("utf8").trim() } }
    case "sops.aws-kms":
      return { entry, env: aws(await parseYamlOrJson(bytes, entry, source)) }
    case "sops.azure-kv":
      return { entry, env: azure(await parseYamlOrJson(bytes, entry, source), entry, source) }
    case "sops.gcp-kms":
      return { entry, env: gcp(bytes, entry, source) }
    default:
      return undefined
  }
}

/**
 * Why a file whose master keys include cloud/Vault types could not be opened: names the decryption
 * Secret entry Flux would take the credentials from, and whether it was given.
 */
export function cloudKeyHint(recipients: readonly string[], given: ReadonlySet<string>): string | undefined {
  const types = new Set(recipients.map(r => r.slice(0, r.indexOf(" "))))
  const hints: string[] = []
  for (const [entry, { keyType, what }] of Object.entries(cloudEntries)) {
    if (!types.has(keyType)) continue
    hints.push(given.has(entry)
      ? `the decryption Secret entry '${entry}' (${what}) was read, but tsops cannot use ${keyType} keys yet`
      : `Flux would take ${what} for its ${keyType} keys from the decryption Secret entry '${entry}', and tsops cannot use ${keyType} keys yet`)
  }
  return hints.length > 0 ? hints.join("; ") : undefined
}
