// Builds dist/ once before the suite, so tests that spawn bin/tsops run the code under test.
import { execFileSync } from "node:child_process"

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" })
}
