// The KRM protocol suite with bin/tsops-krm run by node (the bundled build).
import { protocolSuite } from "./protocol.suite.js"
import { nodeKrmCommand } from "../../support/kustomize.js"

protocolSuite(nodeKrmCommand)
