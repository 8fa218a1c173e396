// Bundles the CLI and the library into dist/ with esbuild. Code splitting keeps every lazily
// imported module (a format, a key type, openpgp, a cloud SDK) out of the start-up chunk.
import { build } from "esbuild"
import { readdirSync, rmSync } from "node:fs"
import { basename } from "node:path"

const outdir = new URL("../dist/", import.meta.url)
const result = await build({
  entryPoints: { cli: "src/cli/main.ts", index: "src/index.ts", krm: "plugins/kustomize/main.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // Dependencies are bundled too: a few chunks instead of dozens of node_modules files to resolve at start-up.
  external: ["esbuild"],
  sourcemap: false,
  minify: true,
  keepNames: true,
  metafile: true,
  logLevel: "warning",
  // CommonJS dependencies call require() for Node built-ins (commander) and use __filename
  // (write-file-atomic); ESM chunks have neither, so each chunk gets them.
  banner: {
    js: [
      'import { createRequire as __tsopsCreateRequire } from "node:module";',
      'import { fileURLToPath as __tsopsFileURLToPath } from "node:url";',
      "const require = __tsopsCreateRequire(import.meta.url);",
      "const __filename = __tsopsFileURLToPath(import.meta.url);",
      'const __dirname = __filename.slice(0, __filename.lastIndexOf("/"));',
    ].join(" "),
  },
})
// Remove stale chunks only after the new ones are written (chunk names are content hashes), so a
// build running while another process uses dist/ never leaves it without the files it imports.
const fresh = new Set(Object.keys(result.metafile.outputs).map(path => basename(path)))
for (const name of readdirSync(outdir)) {
  if (name.endsWith(".js") && !fresh.has(name) && name !== "sea") rmSync(new URL(name, outdir), { force: true })
}
