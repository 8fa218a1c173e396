// The one argv shape that skips commander: `tsops decrypt FILE`, the start-up-critical command.
/**
 * The file of `decrypt FILE` when argv is exactly that, else undefined (commander parses everything else).
 * Commander parses this shape into an empty flag set (no option has a default or reads the environment), so the
 * fast path cannot diverge: any flag, `-`, `--`, a second word, `help`, or a command name as FILE falls back.
 */
export function fastDecryptFile(argv: readonly string[], commandNames: readonly string[]): string | undefined {
  if (argv.length !== 2 || argv[0] !== "decrypt") return undefined
  const file = argv[1]
  if (file === undefined || file === "" || file.startsWith("-") || file === "help" || commandNames.includes(file)) return undefined
  return file
}
