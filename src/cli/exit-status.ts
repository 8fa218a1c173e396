// A command that ran to its end but must exit non-zero without an error line (exec-env/exec-file pass on the
// child's status, spec §10.5): main returns `code` and prints nothing.
export class ExitStatus {
  readonly code: number
  constructor(code: number) {
    this.code = code
  }
}
