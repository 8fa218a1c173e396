// The `tsops flux build` suite with tsops run in-process (main(argv, io)).
import { runCli } from "../../support/cli.js"
import { fluxBuildSuite } from "./build.suite.js"

fluxBuildSuite("in-process", runCli)
