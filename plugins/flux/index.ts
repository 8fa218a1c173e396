// Flux compatibility: the local decryption pipeline (`tsops flux build`) and decryption Secrets (`tsops flux secret`).
export { fluxBuild, type FluxBuildOptions } from "./pipeline.js"
export { fluxSecret, type FluxSecretOptions } from "./secret-manifest.js"
export { parseDecryptionSecret, readDecryptionSecret, type DecryptionKeys } from "./decryption-secret.js"
export { detectMarkerFormat, formatForPath, hasMarker, markers, type SopsFormat } from "./markers.js"
