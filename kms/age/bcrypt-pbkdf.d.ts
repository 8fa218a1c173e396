// Types for the `bcrypt-pbkdf` package (it ships none): OpenBSD's bcrypt_pbkdf, used by OpenSSH key encryption.
declare module "bcrypt-pbkdf" {
  const bcryptPbkdf: {
    /** Fills `key` with `keylen` derived bytes; returns 0 on success, -1 on bad arguments. */
    pbkdf(
      pass: Uint8Array, passlen: number, salt: Uint8Array, saltlen: number, key: Uint8Array, keylen: number, rounds: number,
    ): number
  }
  export default bcryptPbkdf
}
