// Shared helpers for the age key source tests: temp dirs, key contexts, sops's test keys, CCTV vector parsing.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { inflateSync } from "node:zlib"
import { onTestFinished } from "vitest"
import type { KeyContext } from "../../../src/core/key-source.js"

/** A temp dir removed when the current test finishes. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tsops-age-"))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/**
 * A context whose env holds only what the test gives, with HOME and XDG_CONFIG_HOME pointing at empty temp dirs so
 * that the real user's keys are never read. `warnings` collects context.warn messages.
 */
export function isolatedContext(env: Record<string, string | undefined> = {}, extra: Partial<KeyContext> = {}):
  KeyContext & { warnings: string[] } {
  const home = tempDir()
  const warnings: string[] = []
  return {
    env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), ...env },
    warn: message => warnings.push(message),
    warnings,
    ...extra,
  }
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex")

/** The data key of the spec §11.3 known-answer files: bytes 0x00…0x1f. */
export const katDataKey = Uint8Array.from({ length: 32 }, (_, i) => i)

export function run(file: string, args: readonly string[], input?: Uint8Array | string): Buffer {
  return execFileSync(file, args, { input, stdio: ["pipe", "pipe", "pipe"] })
}

// sops's age test keys (getsops/sops age/keysource_test.go, spec §11.1): public test data, not secrets.
export const sopsKeys = {
  mockRecipient: "age1lzd99uklcjnc0e7d860axevet2cz99ce9pq6tzuzd05l5nr28ams36nvun",
  mockIdentity: "AGE-SECRET-KEY-1G0Q5K9TV4REQ3ZSQRMTMG8NSWQGYT0T7TZ33RAZEE0GZYVZN0APSU24RK7",
  mockHybridIdentity: "AGE-SECRET-KEY-PQ-1JPDDEMSK6G9MG0VNJRSA0QKZ05CF4H6TK50YZGDKZKTRGC5Z7KEQUDUPG6",
  mockOtherIdentity: "AGE-SECRET-KEY-1432K5YRNSC44GC4986NXMX6GVZ52WTMT9C79CLUVWYY4DKDHD5JSNDP4MC",
  mockEncryptedKey: `-----BEGIN AGE ENCRYPTED FILE-----
YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBvY2t2NkdLUGRvY3l2OGNy
MVJWcUhCOEZrUG8yeCtnRnhxL0I5NFk4YjJFCmE4SVQ3MEdyZkFqRWpSa2F0NVhF
VDUybzBxdS9nSGpHSVRVMUI0UEVqZkkKLS0tIGJjeGhNQ0Y5L2VZRVVYSm90djFF
bzdnQ3UwTGljMmtrbWNMV1MxYkFzUFUK4xjOZOTGdcbzuwUY/zeBXhcF+Md3e5PQ
EylloI7MNGbadPGb
-----END AGE ENCRYPTED FILE-----`,
  mockEncryptedKeyPlain: "data",
  mockIdentityPassphrase: "passphrase",
  mockEncryptedIdentity: `-----BEGIN AGE ENCRYPTED FILE-----
YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IHNjcnlwdCBMN2FXZW9xSFViYjdNeW5D
dy9iSHFnIDE4Ck9zV0ZoNldmci9rL3VXd3BtZmQvK3VZWEpBQjdhZ0UrcmhqR2lF
YThFMzAKLS0tIGVEQ0xwODI1TlNYeHNHaHZKWHoyLzYwMTMvTGhaZG1oa203cSs0
VUpBL1kKsaTnt+H/z8mkL21UYKIt3YMpWSV/oYqTm1cSSUnF9InZEYU9HndK9rc8
ni+MTJCmYf4mgvvGPMf7oIQvs6ijaTdlQb+zeQsL4eif20w+CWgvPNrS6iXUIs8W
w5/fHsxwmrkG96nDkMErJKhmjmLpC+YdbiMe6P/KIpas09m08RTIqcz7ua0Xm3ey
ndU+8ILJOhcnWV55W43nTw/UUFse7f+qY61n7kcd1sGd7ZfSEdEIqS3K2vEtA3ER
fn0s3cyXVEBxL9OZqcAk45bCFVOl13Fp/DBfquHEjvAyeg0=
-----END AGE ENCRYPTED FILE-----`,
  mockSshRecipient: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID+Wi8WZw2bXfBpcs/WECttCzP39OkenS6pHWHWGFJvN Test",
  mockSshIdentity: `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACA/lovFmcNm13waXLP1hArbQsz9/TpHp0uqR1h1hhSbzQAAAIgCXDMIAlwz
CAAAAAtzc2gtZWQyNTUxOQAAACA/lovFmcNm13waXLP1hArbQsz9/TpHp0uqR1h1hhSbzQ
AAAEBJdWTJ8dC0OnMcwy4gQ96sp6KG8GE9EiyhFGhKldKiST+Wi8WZw2bXfBpcs/WECttC
zP39OkenS6pHWHWGFJvNAAAABFRlc3QB
-----END OPENSSH PRIVATE KEY-----
`,
  mockEncryptedSshKey: `-----BEGIN AGE ENCRYPTED FILE-----
YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IHNzaC1lZDI1NTE5IDJjd0R4dyB2R3Ns
VUNHaXBiTEJaNU5BMFFQZUpCYWJqODFyTTZ4WWZoRVpUd2M2aTBFCkduUFJHb1U2
K3RqWVQrLzE4anZKZ3h2T3c2MFpZTHlGaHprcElXenByWTAKLS0tIG56MHFSZERl
em9PWmRMMTY4aytYTnVZN04yeER5Z2E3TWxWT3JTZWR2ekUKp/HZLy4MzQqoszGk
+P0hSPPNhOhvFwv4AqCw1+A+WyeHGQPq
-----END AGE ENCRYPTED FILE-----`,
} as const

/** One CCTV age vector (format: C2SP/CCTV age/README.md). */
export interface CctvVector {
  readonly name: string
  readonly expect: "success" | "no match" | "HMAC failure" | "header failure" | "payload failure" | "armor failure"
  readonly payload: string | undefined
  readonly identities: readonly string[]
  readonly passphrases: readonly string[]
  readonly armored: boolean
  readonly file: Uint8Array
}

export function readCctvVector(path: string, name: string): CctvVector {
  const bytes = readFileSync(path)
  const separator = bytes.indexOf("\n\n")
  const header = bytes.subarray(0, separator).toString("utf8")
  let file: Uint8Array = bytes.subarray(separator + 2)
  const fields = new Map<string, string>()
  const identities: string[] = []
  const passphrases: string[] = []
  for (const line of header.split("\n")) {
    const colon = line.indexOf(": ")
    const key = line.slice(0, colon)
    const value = line.slice(colon + 2)
    if (key === "identity") identities.push(value)
    else if (key === "passphrase") passphrases.push(value)
    else fields.set(key, value)
  }
  if (fields.get("compressed") === "zlib") file = inflateSync(file)
  return {
    name,
    expect: fields.get("expect") as CctvVector["expect"],
    payload: fields.get("payload"),
    identities,
    passphrases,
    armored: fields.get("armored") === "yes",
    file,
  }
}
