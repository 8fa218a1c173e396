// The private copy of the source root the build works on (Flux builds in a temporary copy of its artifact):
// files and directories copied owner-only, `.git` left out, symlinks kept as symlinks — retargeted into
// the copy when they point inside the root, left pointing at their real target otherwise, so the
// confinement checks see exactly what the user's tree holds.
import { copyFile, mkdir, readdir, readlink, realpath, symlink } from "node:fs/promises"
import { constants } from "node:fs"
import { dirname, join, relative } from "node:path"
import { isInside } from "../kustomize/confine.js"

/** Copies the tree under `source` (a real path) to `destination` (absent or empty). Other file types are skipped. */
export async function copyTree(source: string, destination: string): Promise<void> {
  const copyDir = async (from: string, to: string): Promise<void> => {
    await mkdir(to, { recursive: true, mode: 0o700 })
    const entries = await readdir(from, { withFileTypes: true })
    await Promise.all(entries.map(async entry => {
      if (entry.name === ".git") return
      const [src, dst] = [join(from, entry.name), join(to, entry.name)]
      if (entry.isDirectory()) return copyDir(src, dst)
      if (entry.isFile()) {
        await copyFile(src, dst, constants.COPYFILE_EXCL)
        return
      }
      if (entry.isSymbolicLink()) {
        const target = await realpath(src).catch(() => undefined)
        const inside = target !== undefined && isInside(source, target)
        const linked = inside ? relative(dirname(dst), join(destination, relative(source, target))) || "." : target ?? await readlink(src)
        await symlink(linked, dst)
      }
    }))
  }
  await copyDir(source, destination)
}
