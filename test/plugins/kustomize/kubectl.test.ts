// The kubectl acceptance suite with bin/tsops-krm run by node (the bundled build).
import { kubectlSuite } from "./kubectl.suite.js"
import { nodeKrmCommand } from "../../support/kustomize.js"

kubectlSuite(nodeKrmCommand)
