// Benchmarks (npm run bench): decrypt and encrypt of a 10,000-value YAML and a 32 MiB binary file
// through bin/tsops, each next to floors measured in the same run (`node -e 0`; raw AES-GCM over
// the same values). Prints numbers, asserts nothing.
import { spawnSync } from "node:child_process"
import { createCipheriv, randomBytes } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { generateX25519Identity, identityToRecipient } from "age-encryption"

const root = resolve(fileURLToPath(import.meta.url), "../..")
const bin = join(root, "bin/tsops")
const runs = Number(process.env.TSOPS_BENCH_RUNS ?? 5)
const dir = mkdtempSync(join(tmpdir(), "tsops-bench-"))

const identity = await generateX25519Identity()
const recipient = await identityToRecipient(identity)
writeFileSync(join(dir, "keys.txt"), `${identity}\n`)
const env = { PATH: process.env.PATH, HOME: dir, SOPS_AGE_KEY_FILE: join(dir, "keys.txt") }

function makeYaml(values) {
  const lines = []
  for (let s = 0; s < values / 10; s++) {
    lines.push(`service_${s}:`)
    for (let k = 0; k < 10; k++) lines.push(`  key_${k}: ${k % 3 === 0 ? s * 10 + k : `value-${s}-${k}-${randomBytes(6).toString("hex")}`}`)
  }
  return `${lines.join("\n")}\n`
}

/** Median wall time (ms) and peak RSS (MiB) of a command, over `runs` runs. */
function measure(argv, { stdoutFile } = {}) {
  const times = []
  let rss = 0
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    const r = spawnSync("/usr/bin/time", ["-f", "%M", ...argv], { env, maxBuffer: 1 << 30, encoding: "buffer" })
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
    if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr.toString().slice(0, 500)}`)
    if (stdoutFile) writeFileSync(stdoutFile, r.stdout)
    const kb = Number(r.stderr.toString().trim().split("\n").pop())
    rss = Math.max(rss, kb / 1024)
  }
  times.sort((a, b) => a - b)
  return { ms: times[Math.floor(times.length / 2)], rssMiB: rss }
}

function rawAesGcm(values) {
  const key = randomBytes(32)
  const start = process.hrtime.bigint()
  for (const v of values) {
    const c = createCipheriv("aes-256-gcm", key, randomBytes(32))
    c.setAAD(Buffer.from("path:"))
    Buffer.concat([c.update(v), c.final()])
    c.getAuthTag()
  }
  return Number(process.hrtime.bigint() - start) / 1e6
}

const report = []
const row = (name, result, floor) => report.push({ case: name, ms: result.ms.toFixed(1), "peak MiB": result.rssMiB?.toFixed(0) ?? "", floor })

const nodeFloor = measure([process.execPath, "-e", "0"])
row("node -e 0", nodeFloor, "")

const yamlPlain = join(dir, "big.yaml")
writeFileSync(yamlPlain, makeYaml(10_000))
const yamlEnc = join(dir, "big.enc.yaml")
const enc = measure([process.execPath, bin, "encrypt", "--age", recipient, yamlPlain], { stdoutFile: yamlEnc })
const yamlValues = readFileSync(yamlPlain, "utf8").split("\n").filter(l => l.startsWith("  ")).map(l => Buffer.from(l.split(": ")[1]))
const aesYaml = rawAesGcm(yamlValues)
row("encrypt 10,000-value YAML", enc, `node ${nodeFloor.ms.toFixed(0)} ms + AES ${aesYaml.toFixed(1)} ms`)
const dec = measure([process.execPath, bin, "decrypt", yamlEnc])
row("decrypt 10,000-value YAML", dec, `node ${nodeFloor.ms.toFixed(0)} ms + AES ${aesYaml.toFixed(1)} ms`)

const binPlain = join(dir, "big.bin")
writeFileSync(binPlain, randomBytes(32 * 1024 * 1024))
const binEnc = join(dir, "big.enc.bin")
const encBin = measure([process.execPath, bin, "encrypt", "--age", recipient, "--output", binEnc, binPlain])
const aesBin = rawAesGcm([readFileSync(binPlain)])
row("encrypt 32 MiB binary", encBin, `node ${nodeFloor.ms.toFixed(0)} ms + AES ${aesBin.toFixed(1)} ms`)
const decBin = measure([process.execPath, bin, "decrypt", "--output", join(dir, "out.bin"), binEnc])
row("decrypt 32 MiB binary", decBin, `node ${nodeFloor.ms.toFixed(0)} ms + AES ${aesBin.toFixed(1)} ms`)

const small = join(dir, "small.yaml")
writeFileSync(small, makeYaml(10))
const smallEnc = join(dir, "small.enc.yaml")
measure([process.execPath, bin, "encrypt", "--age", recipient, small], { stdoutFile: smallEnc })
row("decrypt 10-value YAML", measure([process.execPath, bin, "decrypt", smallEnc]), `node ${nodeFloor.ms.toFixed(0)} ms`)

console.table(report)
console.log(`ratios: decrypt YAML ${(dec.ms / nodeFloor.ms).toFixed(2)}× node floor; small decrypt − node = ${(report.at(-1).ms - nodeFloor.ms).toFixed(1)} ms`)
rmSync(dir, { recursive: true, force: true })
