// `tsops filestatus FILE`: {"encrypted":true} / {"encrypted":false} on stdout, bad input one line.
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { fixturePath } from "../support/fixtures.js"
import { cleanEnv, tempDir } from "../support/env.js"
import { runCli } from "../support/cli.js"

const dir = tempDir()
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const cli = (argv: string[]) => runCli(argv, { env: cleanEnv(dir), cwd: dir })

describe("tsops filestatus", () => {
  it.each([
    [fixturePath("reference/enc/basic.yaml"), '{"encrypted":true}\n'],
    [fixturePath("reference/enc/basic.env"), '{"encrypted":true}\n'],
    [fixturePath("reference/enc/random.bin"), '{"encrypted":true}\n'],
    [fixturePath("reference/plain/basic.yaml"), '{"encrypted":false}\n'],
    [fixturePath("reference/plain/basic.json"), '{"encrypted":false}\n'],
  ])("%s → %s", async (path, expected) => {
    const r = await cli(["filestatus", path])
    expect([r.code, r.stdout.toString(), r.stderr]).toEqual([0, expected, ""])
  })

  it("honours --input-type", async () => {
    const r = await cli(["filestatus", "--input-type", "json", fixturePath("reference/enc/basic.json")])
    expect(r.stdout.toString()).toBe('{"encrypted":true}\n')
  })

  it.each([
    [["filestatus"], 100, /^Error: no file specified$/],
    [["filestatus", "missing.yaml"], 100, /^Error: cannot operate on non-existent file ".*missing\.yaml"$/],
    [["filestatus", "bad.json"], 1, /^cannot check file status: /],
  ])("%j: one line, exit %i", async (argv, code, message) => {
    writeFileSync(join(dir, "bad.json"), '{"password": "hunter2", ')
    const r = await cli(argv)
    expect(r.code).toBe(code)
    expect(r.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(message)])
    expect(r.stderr).not.toContain("hunter2")
    expect(r.stdout.length).toBe(0)
  })
})
