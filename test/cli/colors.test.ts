// Colours: only on a TTY, never with NO_COLOR; error and warning lines stay one line either way.
import { rmSync } from "node:fs"
import { Readable } from "node:stream"
import { afterAll, describe, expect, it } from "vitest"
import { colorsEnabled, colorsFor } from "../../src/cli/colors.js"
import type { Io } from "../../src/cli/io.js"
import { main } from "../../src/cli/main.js"
import { cleanEnv, tempDir } from "../support/env.js"

const dir = tempDir("tsops-colors-")
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const escape = "\u001b["
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "")

/** Runs the CLI with stderr/stdout that claim (or not) to be a terminal. */
async function run(argv: string[], options: { tty: boolean; env?: Record<string, string> }) {
  const out: string[] = []
  const err: string[] = []
  const io: Io = {
    stdin: Readable.from([]),
    stdout: { write: (chunk: string | Uint8Array) => out.push(Buffer.from(chunk).toString()), isTTY: options.tty },
    stderr: { write: (chunk: string | Uint8Array) => err.push(Buffer.from(chunk).toString()), isTTY: options.tty },
    env: cleanEnv(dir, options.env),
    cwd: dir,
  }
  const code = await main(argv, io)
  return { code, stdout: out.join(""), stderr: err.join("") }
}

const fakeIo = (tty: boolean, env: Record<string, string> = {}) => ({
  env, stdout: { write: () => true, isTTY: tty }, stderr: { write: () => true, isTTY: tty },
})

describe("colorsEnabled", () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: "1" }, false],
    [true, { NO_COLOR: "" }, true], // no-color.org: only a non-empty NO_COLOR counts
    [true, { TERM: "dumb" }, false],
    [false, { FORCE_COLOR: "1" }, true],
    [false, { FORCE_COLOR: "0" }, false],
    [true, { NO_COLOR: "1", FORCE_COLOR: "1" }, false],
  ] as const)("tty=%s env=%j → %s", (tty, env, expected) => {
    expect(colorsEnabled(fakeIo(tty, env))).toBe(expected)
    expect(colorsFor(fakeIo(tty, env)).red("x").includes(escape)).toBe(expected)
  })

  it("checks the stream asked for", () => {
    const io = { env: {}, stdout: { write: () => true, isTTY: true }, stderr: { write: () => true, isTTY: false } }
    expect(colorsEnabled(io, "stdout")).toBe(true)
    expect(colorsEnabled(io, "stderr")).toBe(false)
  })
})

describe("CLI error and warning lines", () => {
  it("an error on a fake TTY is red, and the same single line without the codes", async () => {
    const plain = await run(["decrypt", "missing.yaml"], { tty: false })
    const coloured = await run(["decrypt", "missing.yaml"], { tty: true })
    expect(plain.code).toBe(100)
    expect(coloured.code).toBe(100)
    expect(plain.stderr).not.toContain(escape)
    expect(coloured.stderr).toContain(escape)
    expect(stripAnsi(coloured.stderr)).toBe(plain.stderr)
    expect(plain.stderr.trimEnd().split("\n")).toHaveLength(1)
  })

  it("NO_COLOR on a TTY: no escape codes anywhere", async () => {
    for (const argv of [["decrypt", "missing.yaml"], ["exec-env", "--bogus-flag"], ["exec-env", "--background", "missing.yaml", "true"]]) {
      const r = await run(argv, { tty: true, env: { NO_COLOR: "1" } })
      expect(r.code).not.toBe(0)
      expect(r.stderr + r.stdout).not.toContain(escape)
    }
  })

  it("a warning's prefix is coloured on a TTY only", async () => {
    const coloured = await run(["exec-env", "--background", "missing.yaml", "true"], { tty: true })
    const plain = await run(["exec-env", "--background", "missing.yaml", "true"], { tty: false })
    expect(plain.stderr.split("\n")[0]).toBe("[tsops] warning: --background is deprecated (as in sops) and ignored: tsops waits for the command to finish")
    expect(coloured.stderr.split("\n")[0]).toContain(`${escape}33m[tsops] warning:`)
    expect(stripAnsi(coloured.stderr)).toBe(plain.stderr)
  })

  it("commander's errors (unknown flag with a suggestion) are one line, coloured only on a TTY", async () => {
    const plain = await run(["exec-file", "--no-fif"], { tty: false })
    expect(plain.code).toBe(1)
    expect(plain.stderr).toMatch(/^error: unknown option '--no-fif' \(Did you mean --no-fifo\?\)\n$/)
    const coloured = await run(["exec-file", "--no-fif"], { tty: true })
    expect(coloured.stderr).toContain(escape)
    expect(stripAnsi(coloured.stderr)).toBe(plain.stderr)
  })
})
