// editFile in the library, the editor command line and the new-file templates (spec §10.3).
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { decrypt } from "../../src/api/decrypt.js"
import { editFile, editorCommand } from "../../src/api/edit.js"
import { editTemplate } from "../../src/api/template.js"
import { TsopsError } from "../../src/core/errors.js"
import { ageKeyFile, tempDir } from "../support/env.js"
import { readFixture, repoRoot } from "../support/fixtures.js"

// The byte-exact example contents sops 3.13.2 gives a new file (spec §10.3), written out here by hand.
const examples = {
  yaml: [
    "hello: Welcome to SOPS! Edit this file as you please!",
    "example_key: example_value",
    "# Example comment",
    "example_array:",
    "    - example_value1",
    "    - example_value2",
    "example_number: 1234.56789",
    "example_booleans:",
    "    - true",
    "    - false",
    "",
  ].join("\n"),
  json: [
    "{",
    '\t"hello": "Welcome to SOPS! Edit this file as you please!",',
    '\t"example_key": "example_value",',
    '\t"example_array": [',
    '\t\t"example_value1",',
    '\t\t"example_value2"',
    "\t],",
    '\t"example_number": 1234.56789,',
    '\t"example_booleans": [',
    "\t\ttrue,",
    "\t\tfalse",
    "\t]",
    "}",
    "",
  ].join("\n"),
  dotenv: "# This is an example file.\nhello=Welcome to SOPS! Edit this file as you please!\nexample_key=example_value\nexample_multiline=foo\\nbar\\nbaz\n",
  ini: ";  This is an example file.\n[Welcome!]\nhello       = Welcome to SOPS! Edit this file as you please!\nexample_key = example_value\n",
  binary: "Welcome to SOPS! Edit this file as you please!",
} as const

describe("editTemplate", () => {
  it.each(Object.entries(examples))("should give sops's %s example byte for byte", async (format, text) => {
    expect(Buffer.from(await editTemplate(format as keyof typeof examples)).toString()).toBe(text)
  })
})

describe("editorCommand", () => {
  it("should split SOPS_EDITOR, then EDITOR, like a shell (quotes, variables)", async () => {
    expect(await editorCommand({ env: { SOPS_EDITOR: `code --wait "my dir/x"`, EDITOR: "vim" } })).toEqual(["code", "--wait", "my dir/x"])
    expect(await editorCommand({ env: { EDITOR: "emacs -nw $OPT", OPT: "-q" } })).toEqual(["emacs", "-nw", "-q"])
    expect(await editorCommand({ editor: "nano -w", env: { EDITOR: "vim" } })).toEqual(["nano", "-w"])
  })

  it("should fall back to the first of vim, nano, vi on PATH", async () => {
    const dir = tempDir()
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const [a, b] = [join(dir, "a"), join(dir, "b")]
    mkdirSync(a)
    mkdirSync(b)
    for (const [where, name] of [[a, "vi"], [b, "nano"]] as const) {
      writeFileSync(join(where, name), "#!/bin/sh\n")
      chmodSync(join(where, name), 0o755)
    }
    writeFileSync(join(a, "vim"), "not executable")
    expect(await editorCommand({ env: { PATH: `${a}:${b}` } })).toEqual([join(b, "nano")])
  })

  it("should fail with exit 201 for shell operators and for no editor at all", async () => {
    for (const env of [{ EDITOR: "vim; rm -rf x", PATH: "" }, { PATH: "" }]) {
      const error = await editorCommand({ env }).then(() => undefined, (e: unknown) => e)
      expect(error).toBeInstanceOf(TsopsError)
      expect((error as TsopsError).exitCode).toBe(201)
    }
  })
})

describe("editFile", () => {
  it("should return the re-encrypted file for the caller to write, removing its temp directory", async () => {
    const dir = tempDir()
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const tmp = join(dir, "tmp")
    mkdirSync(tmp)
    writeFileSync(join(dir, "s.yaml"), readFixture("reference/enc/basic.yaml"))
    const env = { PATH: process.env.PATH ?? "", TMPDIR: tmp, SOPS_AGE_KEY_FILE: ageKeyFile("a"), EDITOR_ACTION: "sed", EDITOR_SED: "s/name: demo/name: lib/" }
    const output = await editFile("s.yaml", { cwd: dir, env, editor: `sh ${join(repoRoot, "test/support/editor.sh")}` })
    expect(Buffer.from(await decrypt(output, { filename: "s.yaml", env })).toString()).toContain("name: lib\n")
    expect(readdirSync(tmp)).toEqual([])
  })
})
