// A YAML syntax error with yaml.v3's wording and line numbering; it never quotes the input.
import type { Mark } from "./scanner.js"

export class YamlSyntaxError extends Error {
  constructor(kind: "scanner" | "parser", problem: string, problemMark: Mark, context = "", contextMark?: Mark) {
    // yaml.v3 reports the context line when it has one, and adds 1 only for scanner errors
    // (its parser errors are off by one; sops prints them as they are).
    let line = 0
    if (contextMark !== undefined && contextMark.line !== 0) line = contextMark.line + (kind === "scanner" ? 1 : 0)
    else if (problemMark.line !== 0) line = problemMark.line + (kind === "scanner" ? 1 : 0)
    super(`yaml: ${line !== 0 ? `line ${line}: ` : ""}${problem}`)
    void context
  }
}
