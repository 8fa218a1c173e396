// A new X25519 age identity and its recipient (for `tsops init` and tests).
export interface GeneratedAgeIdentity {
  /** `AGE-SECRET-KEY-1…`: secret, write it only where the user asked. */
  readonly identity: string
  /** `age1…` */
  readonly recipient: string
}

export async function generateAgeIdentity(): Promise<GeneratedAgeIdentity> {
  const { generateX25519Identity, identityToRecipient } = await import("age-encryption")
  const identity = await generateX25519Identity()
  return { identity, recipient: await identityToRecipient(identity) }
}
