// Paths into ../shared/fixtures, read in place (never copied into the repo).
import { readFileSync, readdirSync, statSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
export const fixturesRoot = resolve(repoRoot, "../shared/fixtures")

export const fixturePath = (...parts: string[]): string => join(fixturesRoot, ...parts)
export const readFixture = (...parts: string[]): Buffer => readFileSync(fixturePath(...parts))

/** File names (not directories) directly in a fixture folder, sorted. */
export function fixtureFiles(...parts: string[]): string[] {
  const dir = fixturePath(...parts)
  return readdirSync(dir).filter(name => statSync(join(dir, name)).isFile()).sort()
}
