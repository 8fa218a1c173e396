// `npm run demo`: the main job end to end on examples/secrets.yaml with a throw-away age identity
// (no key needs to exist beforehand): encrypt, show, decrypt, compare.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { generateX25519Identity, identityToRecipient } from "age-encryption"

const root = resolve(fileURLToPath(import.meta.url), "../..")
const dir = mkdtempSync(join(tmpdir(), "tsops-demo-"))
try {
  const identity = await generateX25519Identity()
  const recipient = await identityToRecipient(identity)
  writeFileSync(join(dir, "keys.txt"), `${identity}\n`, { mode: 0o600 })
  const env = { ...process.env, SOPS_AGE_KEY_FILE: join(dir, "keys.txt") }
  const tsops = (...args) => {
    const r = spawnSync(process.execPath, [join(root, "bin/tsops"), ...args], { env, encoding: "utf8" })
    if (r.status !== 0) throw new Error(`tsops ${args.join(" ")} failed (exit ${r.status}): ${r.stderr}`)
    return r.stdout
  }
  const plain = join(root, "examples/secrets.yaml")
  const encrypted = join(dir, "secrets.yaml")
  console.log(`$ tsops encrypt --age ${recipient} examples/secrets.yaml > secrets.yaml`)
  writeFileSync(encrypted, tsops("encrypt", "--age", recipient, plain))
  console.log(readFileSync(encrypted, "utf8"))
  console.log("$ SOPS_AGE_KEY_FILE=keys.txt tsops decrypt secrets.yaml")
  const decrypted = tsops("decrypt", encrypted)
  console.log(decrypted)
  const same = decrypted === readFileSync(plain, "utf8")
  console.log(same ? "OK: the decrypted file is byte-identical to examples/secrets.yaml" : "MISMATCH: decrypted output differs")
  process.exitCode = same ? 0 : 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
