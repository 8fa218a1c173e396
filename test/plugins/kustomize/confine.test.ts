// Path confinement: the root (git work tree or kustomization dir, TSOPS_KRM_ROOT), symlinks, file types, size cap.
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { confinementFor, gitWorkTree, isInside, parseSize, readConfined } from "../../../plugins/kustomize/confine.js"
import { tempDir } from "../../support/env.js"
import { writeTree } from "../../support/kustomize.js"

function scratch(): string {
  const dir = tempDir("tsops-confine-")
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe("parseSize", () => {
  it("should read bytes and Kubernetes suffixes", () => {
    expect(parseSize("5242880")).toBe(5242880)
    expect(parseSize("5Mi")).toBe(5 * 1024 * 1024)
    expect(parseSize("512Ki")).toBe(512 * 1024)
    expect(parseSize("10M")).toBe(10_000_000)
  })
  it.each(["", "abc", "0", "-1", "1.5Mi", "5 MB"])("should reject %j", text => {
    expect(() => parseSize(text)).toThrow(/TSOPS_KRM_MAX_FILE_SIZE/)
  })
})

describe("isInside", () => {
  it("should compare whole path components", () => {
    expect(isInside("/a", "/a")).toBe(true)
    expect(isInside("/a", "/a/b")).toBe(true)
    expect(isInside("/a", "/ab")).toBe(false)
    expect(isInside("/a", "/")).toBe(false)
    expect(isInside("/a/b", "/a")).toBe(false)
    expect(isInside("/", "/x")).toBe(true)
  })
})

describe("confinementFor", () => {
  it("should use the nearest enclosing git work tree (a .git directory or file)", async () => {
    const dir = scratch()
    writeTree(dir, { "repo/.git/HEAD": "x", "repo/a/b/x": "", "wt/.git": "gitdir: elsewhere\n", "wt/c/x": "" })
    expect(await gitWorkTree(join(dir, "repo/a/b"))).toBe(join(dir, "repo"))
    expect((await confinementFor(join(dir, "repo/a/b"), {})).root).toBe(join(dir, "repo"))
    expect((await confinementFor(join(dir, "wt/c"), {})).root).toBe(join(dir, "wt"))
  })

  it("should fall back to the kustomization directory, and take TSOPS_KRM_ROOT (relative to it) when set", async () => {
    const dir = scratch()
    mkdirSync(join(dir, "a/b"), { recursive: true })
    const plain = await confinementFor(join(dir, "a/b"), {})
    expect(plain).toEqual({ baseDir: join(dir, "a/b"), root: join(dir, "a/b"), maxFileSize: 5 * 1024 * 1024 })
    expect((await confinementFor(join(dir, "a/b"), { TSOPS_KRM_ROOT: ".." })).root).toBe(join(dir, "a"))
    expect((await confinementFor(join(dir, "a/b"), { TSOPS_KRM_MAX_FILE_SIZE: "1Ki" })).maxFileSize).toBe(1024)
    await expect(confinementFor(join(dir, "a/b"), { TSOPS_KRM_ROOT: "../missing" })).rejects.toThrow(/TSOPS_KRM_ROOT: directory .* does not exist/)
  })
})

describe("readConfined", () => {
  async function setup() {
    const dir = scratch()
    writeTree(dir, { "root/.git/HEAD": "x", "root/app/in.txt": "inside", "root/app/sub/deep.txt": "deep", "outside.txt": "outside" })
    symlinkSync(join(dir, "root/app/in.txt"), join(dir, "root/app/link-in"))
    symlinkSync(join(dir, "outside.txt"), join(dir, "root/app/link-out"))
    symlinkSync(join(dir, "root/app/link-out"), join(dir, "root/app/chain"))
    symlinkSync(dir, join(dir, "root/app/dir-out"))
    return { dir, confinement: await confinementFor(join(dir, "root/app"), {}) }
  }

  it("should read files inside the root, through symlinks that stay inside, by relative or absolute path", async () => {
    const { dir, confinement } = await setup()
    expect(Buffer.from(await readConfined(confinement, "in.txt")).toString()).toBe("inside")
    expect(Buffer.from(await readConfined(confinement, "./sub/../link-in")).toString()).toBe("inside")
    expect(Buffer.from(await readConfined(confinement, join(dir, "root/app/sub/deep.txt"))).toString()).toBe("deep")
    expect(Buffer.from(await readConfined(confinement, "../.git/HEAD")).toString()).toBe("x")
  })

  it("should refuse paths and symlinks that leave the root", async () => {
    const { dir, confinement } = await setup()
    await expect(readConfined(confinement, "../../outside.txt")).rejects.toThrow(/^refusing to read \.\.\/\.\.\/outside\.txt: it lies outside the root/)
    await expect(readConfined(confinement, join(dir, "outside.txt"))).rejects.toThrow(/lies outside the root/)
    await expect(readConfined(confinement, "link-out")).rejects.toThrow(/^refusing to read link-out: it resolves through a symlink to .*outside\.txt/)
    await expect(readConfined(confinement, "chain")).rejects.toThrow(/resolves through a symlink/)
    await expect(readConfined(confinement, "dir-out/outside.txt")).rejects.toThrow(/resolves through a symlink/)
  })

  it("should refuse directories, missing files, empty paths and files above the cap", async () => {
    const { dir, confinement } = await setup()
    await expect(readConfined(confinement, "sub")).rejects.toThrow(/^refusing to read sub: not a regular file/)
    await expect(readConfined(confinement, "nope.txt")).rejects.toThrow(/^cannot read nope\.txt: no such file/)
    await expect(readConfined(confinement, "")).rejects.toThrow(/empty file path/)
    writeFileSync(join(dir, "root/app/seven.txt"), "7 bytes")
    await expect(readConfined({ ...confinement, maxFileSize: 6 }, "seven.txt")).rejects.toThrow(/^refusing to read seven\.txt: 7 bytes is above the 6 bytes limit/)
    expect(Buffer.from(await readConfined({ ...confinement, maxFileSize: 7 }, "seven.txt")).toString()).toBe("7 bytes")
  })
})
