// `tsops decrypt FILE` skips commander (src/cli/fast-path.ts): it must accept only that exact shape and end in the same
// library call, output, errors and exit code as commander's parse of the same command.
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Readable } from "node:stream"
import { afterAll, describe, expect, it, vi } from "vitest"
import { decrypt } from "../../src/api/decrypt.js"
import { fastDecryptFile } from "../../src/cli/fast-path.js"
import type { Io } from "../../src/cli/io.js"
import { main } from "../../src/cli/main.js"
import { ageKeyFile, cleanEnv, tempDir } from "../support/env.js"

// The real decrypt, wrapped to record the options each path hands the library.
vi.mock("../../src/api/decrypt.js", async importOriginal => {
  const real = await importOriginal<typeof import("../../src/api/decrypt.js")>()
  return { ...real, decrypt: vi.fn(real.decrypt) }
})

const dir = tempDir("tsops-fast-path-")
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const A = "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7"
const names = ["encrypt", "decrypt", "edit"]

async function run(argv: string[]) {
  const out: string[] = []
  const err: string[] = []
  const io: Io = {
    stdin: Readable.from([]),
    stdout: { write: (chunk: string | Uint8Array) => out.push(Buffer.from(chunk).toString()) },
    stderr: { write: (chunk: string | Uint8Array) => err.push(Buffer.from(chunk).toString()) },
    env: cleanEnv(dir, { SOPS_AGE_KEY_FILE: ageKeyFile("a") }),
    cwd: dir,
  }
  vi.mocked(decrypt).mockClear()
  const code = await main(argv, io)
  const calls = vi.mocked(decrypt).mock.calls.map(([input, options]) => [Buffer.from(input).toString(), { ...options, warn: typeof options?.warn }])
  return { code, stdout: out.join(""), stderr: err.join(""), calls }
}

describe("fastDecryptFile", () => {
  it("should take exactly `decrypt FILE`", () => {
    expect(fastDecryptFile(["decrypt", "a.yaml"], names)).toBe("a.yaml")
    expect(fastDecryptFile(["decrypt", "dir/x"], names)).toBe("dir/x")
  })

  it.each([
    [[]], [["decrypt"]], [["decrypt", "-"]], [["decrypt", "--", "a.yaml"]], [["decrypt", "--ignore-mac", "a.yaml"]],
    [["decrypt", "a.yaml", "--ignore-mac"]], [["decrypt", "a.yaml", "b.yaml"]], [["decrypt", "help"]], [["decrypt", "-h"]],
    [["decrypt", "encrypt"]], [["decrypt", ""]], [["-d", "a.yaml"]], [["encrypt", "a.yaml"]], [["a.yaml", "decrypt"]],
  ])("should leave %j to commander", argv => {
    expect(fastDecryptFile(argv, names)).toBeUndefined()
  })
})

describe("main with the fast path", () => {
  it("should decrypt as commander's parse of the same command does", async () => {
    writeFileSync(join(dir, "plain.yaml"), "a: 1\nb: hello # note\n")
    const enc = await run(["encrypt", "--age", A, "plain.yaml"])
    expect(enc.code).toBe(0)
    writeFileSync(join(dir, "s.yaml"), enc.stdout)
    const fast = await run(["decrypt", "s.yaml"])
    const parsed = await run(["decrypt", "--", "s.yaml"]) // same meaning, but not the fast path's shape
    expect(fast.stdout).toBe("a: 1\nb: hello # note\n")
    expect(fast.calls).toHaveLength(1)
    expect(fast).toEqual(parsed)
  })

  it("should fail as commander's parse does", async () => {
    writeFileSync(join(dir, "bad.yaml"), "a: 1\n")
    for (const file of ["missing.yaml", "bad.yaml"]) {
      const fast = await run(["decrypt", file])
      const parsed = await run(["decrypt", "--", file])
      expect(fast.code).not.toBe(0)
      expect(fast.stderr).not.toBe("")
      expect(fast).toEqual(parsed)
    }
  })
})
