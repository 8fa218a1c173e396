// Bundles the CLI and the library into dist/ with esbuild. Code splitting keeps every lazily
// imported module (a format, a key type, openpgp, a cloud SDK) out of the start-up chunk.
import { build } from "esbuild"
import { rmSync } from "node:fs"

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true })
await build({
  entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: false,
  metafile: false,
  logLevel: "warning",
})
