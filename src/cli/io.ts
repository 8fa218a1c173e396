// The process boundary of the CLI: streams, environment, working directory. Tests pass their own.
export interface Io {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  readonly stdout: { write(chunk: string | Uint8Array): unknown; isTTY?: boolean }
  readonly stderr: { write(chunk: string | Uint8Array): unknown; isTTY?: boolean }
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

export const processIo = (): Io => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
})

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer))
  return Buffer.concat(chunks)
}

/** Asks for a passphrase on the terminal without echoing it; undefined when there is no terminal. */
export function passphrasePrompt(io: Io): ((prompt: string) => Promise<string>) | undefined {
  if (!io.stdin.isTTY) return undefined
  // node:readline loads only when a prompt is shown: every command takes this Io, few ever ask.
  return async prompt => {
    const { createInterface } = await import("node:readline")
    return new Promise(resolve => {
      io.stderr.write(prompt)
      const rl = createInterface({ input: io.stdin, terminal: true, output: undefined })
      rl.once("line", line => {
        rl.close()
        io.stderr.write("\n")
        resolve(line)
      })
    })
  }
}
