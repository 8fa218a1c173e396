// The public library: `import { encrypt, decrypt } from "tsops"`.
export { encrypt, alreadyEncryptedMessage, type EncryptOptions } from "./api/encrypt.js"
export { decrypt, type DecryptOptions } from "./api/decrypt.js"
export { openEncrypted, readMetadata, recoverDataKey, type OpenOptions, type OpenedFile } from "./api/load-encrypted.js"
export type { CommonOptions } from "./api/options.js"
export type { OutputOptions } from "./api/output.js"
export {
  TsopsError, ExitCode, InputParseError, MetadataError, MacMismatchError, DecryptionError,
  DataKeyRecoveryError, KeySourceError,
} from "./core/errors.js"
export { Comment, SopsTime, type Scalar, type TreeMap, type TreeList, type TreeValue, type MapItem, type ListItem } from "./core/tree.js"
export type { Store, ParsedFile, EmitOptions, FormatName } from "./core/store.js"
export type { KeySource, KeyType, KeyContext, MetadataEntry } from "./core/key-source.js"
export type { Metadata } from "./core/metadata.js"
export type { CryptRules } from "./core/rules.js"
export { rotate, type RotateOptions, type KeyLists } from "./api/rotate.js"
export {
  updateKeys, planKeyUpdates, applyKeyUpdates, describeFilePlan,
  type UpdateKeysOptions, type UpdateKeysResult, type KeyUpdatePlan, type FileKeyPlan, type GroupDiff, type FileFailure, type PlanLine,
} from "./api/update-keys.js"
export { addKeyGroup, deleteKeyGroup, type GroupsOptions, type AddGroupOptions } from "./api/groups.js"
export { fileStatus, type FileStatus, type FileStatusOptions } from "./api/filestatus.js"
export type { KeyLabel } from "./api/rekey.js"
export {
  execEnv, execFile, decryptEnvironment, environmentFromTree, runWithSecretFile,
  type ExecEnvOptions, type ExecFileOptions, type RunOptions, type ExecStdio,
} from "./api/exec.js"
export { init, defaultAgeKeyPath, type InitOptions, type InitResult } from "./api/init.js"
export { editFile, editorCommand, fileNotChangedMessage, type EditOptions } from "./api/edit.js"
export { set, unset, parseSetValue, parseSetArgument, parseIndexPath, KeyNotFoundError, type SetOptions, type UnsetOptions, type SetResult } from "./api/set.js"
export { replace, reencryptPlaintext, openForUpdate, OccurrenceCipher, type ReplaceOptions, type ReplaceResult, type PlaintextInput } from "./api/replace.js"
export { editTemplate, exampleTree } from "./api/template.js"
export { planKeys, newFileRules, type KeyPlan } from "./api/encrypt.js"
