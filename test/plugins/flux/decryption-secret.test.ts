// Reading a Flux decryption Secret manifest (plugins.md §2.2): which entries count, how they are checked,
// and that no message repeats a key.
import { describe, expect, it } from "vitest"
import { parseDecryptionSecret } from "../../../plugins/flux/decryption-secret.js"
import { readFixture } from "../../support/fixtures.js"
import { decryptionSecretManifest } from "./flux-tree.js"

const ageA = readFixture("reference/keys/age-a.txt").toString()
const identityA = ageA.split("\n").find(l => l.startsWith("AGE-SECRET-KEY-"))!
const pgp = readFixture("reference/keys/pgp-functional-tests.asc")

async function rejection(manifest: string): Promise<string> {
  const error = await parseDecryptionSecret(manifest, "keys.yaml").then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(Error)
  return (error as Error).message
}

describe("parseDecryptionSecret", () => {
  it("reads *.agekey and *.asc by extension and the cloud entries by exact name, ignoring others", async () => {
    const keys = await parseDecryptionSecret(decryptionSecretManifest({
      "age.agekey": ageA,
      "more.agekey": readFixture("reference/keys/age-b.txt"),
      "gpg.asc": pgp,
      "sops.vault-token": "  s.vaulttoken \n",
      "sops.aws-kms": "aws_access_key_id: AKIAEXAMPLE\naws_secret_access_key: secretkey\naws_session_token: tok\n",
      "sops.azure-kv": "{\"tenantId\": \"t\", \"clientId\": \"c\", \"clientSecret\": \"s\"}",
      "sops.gcp-kms": "{\"type\": \"service_account\", \"project_id\": \"p\"}\n",
      "agekey": "not an entry Flux reads",
      "other.vault-token": "ignored too",
    }), "keys.yaml")
    expect(keys.source).toBe("decryption Secret 'flux-system/sops-keys' (keys.yaml)")
    expect(keys.ageIdentities).toHaveLength(2)
    expect(keys.ageIdentities[0]).toBe(identityA)
    expect(keys.pgpKeys.map(k => k.entry)).toEqual(["gpg.asc"])
    expect([...keys.cloud.keys()].sort()).toEqual(["sops.aws-kms", "sops.azure-kv", "sops.gcp-kms", "sops.vault-token"])
    expect(keys.cloud.get("sops.vault-token")!.env).toEqual({ VAULT_TOKEN: "s.vaulttoken" })
    expect(keys.cloud.get("sops.aws-kms")!.env).toEqual({ AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secretkey", AWS_SESSION_TOKEN: "tok" })
    expect(keys.cloud.get("sops.azure-kv")!.env).toEqual({ AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "s" })
    expect(JSON.parse(keys.cloud.get("sops.gcp-kms")!.env.GOOGLE_CREDENTIALS!)).toEqual({ type: "service_account", project_id: "p" })
  })

  it("accepts stringData over data, a List, and JSON", async () => {
    const manifest = `{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}},` +
      `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"k"},"data":{"age.agekey":"${Buffer.from("garbage").toString("base64")}"},"stringData":{"age.agekey":${JSON.stringify(ageA)}}}]}`
    const keys = await parseDecryptionSecret(manifest, "keys.json")
    expect(keys.ageIdentities).toEqual([identityA])
    expect(keys.source).toBe("decryption Secret 'k' (keys.json)")
  })

  it("accepts Azure's other credential forms and refuses an empty one", async () => {
    const azure = async (json: string) => (await parseDecryptionSecret(decryptionSecretManifest({ "sops.azure-kv": json }), "k.yaml")).cloud.get("sops.azure-kv")!.env
    expect(await azure("{\"appId\": \"a\", \"password\": \"p\", \"tenant\": \"t\"}")).toEqual({ AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "a", AZURE_CLIENT_SECRET: "p" })
    expect(await azure("clientId: managed\n")).toEqual({ AZURE_CLIENT_ID: "managed" })
    expect(await rejection(decryptionSecretManifest({ "sops.azure-kv": "{\"tenantId\": \"t\"}" }))).toContain("requires a 'clientId' field")
  })

  it("refuses what Flux refuses, naming the entry and never its contents", async () => {
    const bad = [
      [{ "x.agekey": "AGE-SECRET-KEY-1NOTVALID lowercase" }, "'x.agekey'"],
      [{ "x.agekey": "# only a comment\n" }, "no age identity"],
      [{ "x.asc": "SECRETSTUFF" }, "not an armored PGP private key"],
      [{ "sops.gcp-kms": "{\"no\": \"type\", \"private_key\": \"SECRETSTUFF\"}" }, "'sops.gcp-kms'"],
      [{ "sops.aws-kms": "- SECRETSTUFF\n" }, "'sops.aws-kms'"],
    ] as const
    for (const [entries, fragment] of bad) {
      const message = await rejection(decryptionSecretManifest(entries))
      expect(message).toContain(fragment)
      expect(message).not.toContain("SECRETSTUFF")
      expect(message).not.toContain("NOTVALID")
    }
    expect(await rejection("apiVersion: v1\nkind: Secret\nmetadata:\n  name: k\ndata:\n  age.agekey: '%%%'\n")).toContain("not valid base64")
    expect(await rejection("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: k\n")).toContain("found 0")
    expect(await rejection(`${decryptionSecretManifest({})}---\n${decryptionSecretManifest({})}`)).toContain("found 2")
    expect(await rejection("kind: Secret\ndata: [\n")).toContain("not valid YAML")
  })
})
