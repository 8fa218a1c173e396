// Typed errors with sops's exit codes (getsops/sops cmd/sops/codes). Messages never carry secrets:
// no plaintext, data keys, identities, passphrases or source lines of a plaintext file.

export const ExitCode = {
  ErrorGeneric: 1,
  CouldNotReadInputFile: 2,
  CouldNotWriteOutputFile: 3,
  ErrorDumpingTree: 4,
  ErrorReadingConfig: 5,
  ErrorInvalidKMSEncryptionContextFormat: 6,
  ErrorInvalidSetFormat: 7,
  ErrorConflictingParameters: 8,
  ErrorEncryptingMac: 21,
  ErrorEncryptingTree: 23,
  ErrorDecryptingMac: 24,
  ErrorDecryptingTree: 25,
  CannotChangeKeysFromNonExistentFile: 49,
  MacMismatch: 51,
  MacNotFound: 52,
  ConfigFileNotFound: 61,
  KeyboardInterrupt: 85,
  InvalidTreePathFormat: 91,
  NeedAtLeastOneDocument: 92,
  NoFileSpecified: 100,
  NoEncryptionKeyFound: 111,
  DuplicateDecryptionKeyType: 112,
  CouldNotRetrieveKey: 128,
  FileHasNotBeenModified: 200,
  NoEditorFound: 201,
  FailedToCompareVersions: 202,
  FileAlreadyEncrypted: 203,
} as const
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/** Base of every failure a user can cause; `exitCode` is the one sops exits with. */
export class TsopsError extends Error {
  readonly exitCode: ExitCode
  constructor(message: string, exitCode: ExitCode = ExitCode.ErrorGeneric, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
    this.exitCode = exitCode
  }
}

/** The input could not be parsed (malformed YAML/JSON/INI/dotenv). Message: position only, no source text. */
export class InputParseError extends TsopsError {
  constructor(message: string, exitCode: ExitCode = ExitCode.CouldNotReadInputFile, options?: ErrorOptions) {
    super(message, exitCode, options)
  }
}

/** The `sops` metadata is missing or mangled. */
export class MetadataError extends TsopsError {}

/** The stored MAC does not match, or cannot be decrypted (exit 51). */
export class MacMismatchError extends TsopsError {
  constructor(message: string) {
    super(message, ExitCode.MacMismatch)
  }
}

/** A value failed to decrypt or has the wrong shape (exit 25). */
export class DecryptionError extends TsopsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, ExitCode.ErrorDecryptingTree, options)
  }
}

/** No master key could recover the data key (exit 128). */
export class DataKeyRecoveryError extends TsopsError {
  constructor(message: string) {
    super(message, ExitCode.CouldNotRetrieveKey)
  }
}

/** A master key failed in a way it should not have (corrupt `enc`, unusable recipient, tool failure). */
export class KeySourceError extends TsopsError {
  readonly keyId: string
  constructor(keyId: string, message: string, options?: ErrorOptions) {
    super(`${keyId}: ${message}`, ExitCode.ErrorGeneric, options)
    this.keyId = keyId
  }
}
