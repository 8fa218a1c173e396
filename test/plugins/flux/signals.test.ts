// The signal suite with node running bin/tsops (the bundled build).
import { join } from "node:path"
import { repoRoot } from "../../support/fixtures.js"
import { signalSuite } from "./signals.suite.js"

signalSuite("node", [process.execPath, join(repoRoot, "bin/tsops")])
