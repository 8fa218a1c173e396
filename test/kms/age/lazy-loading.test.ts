// kms/age.ts must not load typage, the curves, bcrypt or openpgp at import time (style §6): only dynamic imports.
import { build } from "esbuild"
import { describe, expect, it } from "vitest"
import { repoRoot } from "../../support/fixtures.js"

describe("kms/age.ts", () => {
  it("should import heavy packages only dynamically", async () => {
    const result = await build({
      entryPoints: [`${repoRoot}/kms/age.ts`], bundle: true, splitting: true, format: "esm", platform: "node",
      packages: "external", write: false, metafile: true, outdir: "/tmp/tsops-age-lazy", logLevel: "silent",
    })
    const entry = Object.values(result.metafile.outputs).find(output => output.entryPoint === "kms/age.ts")
    expect(entry).toBeDefined()
    const staticImports = entry!.imports.filter(imported => imported.kind === "import-statement").map(imported => imported.path)
    const dynamicImports = entry!.imports.filter(imported => imported.kind === "dynamic-import").map(imported => imported.path)
    for (const heavy of ["age-encryption", "@noble/curves/ed25519.js", "@noble/ciphers/chacha.js", "bcrypt-pbkdf", "openpgp"]) {
      expect(staticImports.filter(path => path.startsWith(heavy))).toEqual([])
    }
    expect(dynamicImports).toContain("age-encryption")
  })
})
