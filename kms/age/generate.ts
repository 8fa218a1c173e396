// A new X25519 age identity and its recipient (for `tsops init` and tests).
import { generateX25519 } from "./x25519.js"

export interface GeneratedAgeIdentity {
  /** `AGE-SECRET-KEY-1…`: secret, write it only where the user asked. */
  readonly identity: string
  /** `age1…` */
  readonly recipient: string
}

export async function generateAgeIdentity(): Promise<GeneratedAgeIdentity> {
  return generateX25519()
}
