// `npm run build:sea`: self-contained executables (Node single executable applications) for images
// without Node.js — dist/sea/tsops and dist/sea/tsops-krm. Each is one CommonJS bundle (esbuild inlines
// every module, lazily imported formats, key types and openpgp included) injected into a copy of this node.
import { build } from "esbuild"
import { execFileSync } from "node:child_process"
import { builtinModules } from "node:module"
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const outdir = join(root, "dist", "sea")
// The fuse string Node's SEA loader looks for (Node 20 docs, "Injecting the preparation blob").
const sentinelFuse = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"

const binaries = {
  tsops: "src/cli/main.ts",
  "tsops-krm": "plugins/kustomize/main.ts",
}

/** Runs a build step, showing its output only when it fails. */
function quietly(command, args) {
  try {
    execFileSync(command, args, { stdio: "pipe" })
  } catch (error) {
    process.stderr.write(`${error.stdout ?? ""}${error.stderr ?? ""}`)
    throw error
  }
}

/** Bundles one entry into a CommonJS file: no import() may remain, a SEA's require() only serves built-ins. */
async function bundle(name, entry) {
  const outfile = join(outdir, `${name}.cjs`)
  const result = await build({
    stdin: {
      contents: `import { main } from ${JSON.stringify(`./${entry}`)}\nmain(process.argv.slice(2)).then(code => { process.exitCode = code })\n`,
      resolveDir: root,
      sourcefile: `${name}-sea-entry.ts`,
      loader: "ts",
    },
    outfile,
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    metafile: true,
    logLevel: "warning",
    // openpgp calls createRequire(import.meta.url), which a CommonJS bundle does not have: give it this
    // file's URL (inside the executable, __filename is the executable's path).
    define: { "import.meta.url": "__tsopsImportMetaUrl" },
    banner: { js: 'const __tsopsImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  })
  // esbuild turns import() of a bundled module into a call of the inlined module; anything left external
  // (other than a Node built-in) would fail at run time inside the executable.
  const left = Object.values(result.metafile.outputs).flatMap(output => output.imports)
    .filter(i => i.external && !builtinModules.includes(i.path.replace(/^node:/, "")))
  if (left.length > 0) throw new Error(`${name}: not bundled: ${left.map(i => `${i.path} (${i.kind})`).join(", ")}`)
  writeFileSync(join(outdir, `${name}.meta.json`), JSON.stringify(result.metafile))
  return outfile
}

async function executable(name, script) {
  const blob = join(outdir, `${name}.blob`)
  const config = join(outdir, `${name}.sea-config.json`)
  writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }))
  quietly(process.execPath, ["--experimental-sea-config", config])
  const target = join(outdir, name)
  rmSync(target, { force: true })
  copyFileSync(process.execPath, target)
  chmodSync(target, 0o755)
  // postject's CLI in a child process: its ELF library prints harmless warnings straight to stderr.
  quietly(process.execPath, [join(root, "node_modules/postject/dist/cli.js"), target, "NODE_SEA_BLOB", blob, "--sentinel-fuse", sentinelFuse])
  rmSync(blob, { force: true })
  rmSync(config, { force: true })
  return target
}

mkdirSync(outdir, { recursive: true })
const built = await Promise.all(Object.entries(binaries).map(async ([name, entry]) => executable(name, await bundle(name, entry))))
for (const path of built) process.stdout.write(`built ${path}\n`)
