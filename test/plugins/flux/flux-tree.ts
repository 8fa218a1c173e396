// A repository laid out like Flux's own SOPS test data (kustomize-controller testdata/sops, plugins.md §6.3),
// assembled at test time twice: encrypted (files real sops wrote, plus a few encrypted here for shapes the
// fixtures lack) and as its plaintext twin (reference/plain and the literals encrypted here), whose
// `kubectl kustomize` output is what `tsops flux build` must print for the encrypted one.
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { encrypt } from "../../../src/index.js"
import { readFixture } from "../../support/fixtures.js"
import { valuesOf } from "../../support/values.js"

export const ageA = "age16t6mee20zr5d9jcfdf4rseahuu5ap0268uqtsx8p0rqsl5cr6djsqt3rp7"
export const pgpFingerprint = "FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4"
const k8sRegex = "^(data|stringData)$"

type Tree = Record<string, string | Uint8Array>

export function writeTree(root: string, tree: Tree): void {
  for (const [path, contents] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), contents)
  }
}

const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString("base64")

/** A kustomization file; `body` is YAML. */
const kustomization = (body: string): string => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n${body}`

const secret = (name: string, body: string, annotations = ""): string =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n${annotations}${body}`

/** Shapes real sops did not write for us, as plaintext; encrypted with the library at test time. */
const plaintexts = {
  "algorithms/pgp.yaml": secret("pgp", "stringData:\n  key: value-from-pgp\n"),
  "algorithms/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: encrypted-cm\ndata:\n  key: cm-value\n",
  "algorithms/disabled.yaml": secret("disabled", "stringData:\n  key: stays-encrypted\n", "  annotations:\n    kustomize.toolkit.fluxcd.io/decrypt: Disabled\n"),
  "patches/merge1.yaml": secret("secret", "stringData:\n  key: merge1\n"),
  "patches/merge2.yaml": secret("secret", "stringData:\n  merge2: merge2\n"),
  "component/env.env": "key=value\n",
  "files/pull.enc": "{\"auths\":{\"registry.example\":{\"auth\":\"dXNlcjpwYXNz\"}}}",
} as const

/** How each of those is encrypted (formats by content, as `sops --input-type`). */
const encryption: Record<keyof typeof plaintexts, { inputType: string; pgp?: boolean; encryptedRegex?: string }> = {
  "algorithms/pgp.yaml": { inputType: "yaml", pgp: true, encryptedRegex: k8sRegex },
  "algorithms/configmap.yaml": { inputType: "yaml", encryptedRegex: "^data$" },
  "algorithms/disabled.yaml": { inputType: "yaml", encryptedRegex: k8sRegex },
  "patches/merge1.yaml": { inputType: "yaml", encryptedRegex: k8sRegex },
  "patches/merge2.yaml": { inputType: "yaml", encryptedRegex: k8sRegex },
  "component/env.env": { inputType: "dotenv" },
  "files/pull.enc": { inputType: "json" },
}

/** The parts both trees share: every kustomization, and the files that are plaintext in both. */
function layout(pick: (encrypted: string, plain: string) => string | Uint8Array, insideValue: (name: string) => string): Tree {
  return {
    "kustomization.yaml": kustomization("namePrefix: sops-\nresources:\n  - algorithms\n  - envs\n  - files\n  - patches\n  - inside\ncomponents:\n  - ./component\n"),
    "algorithms/kustomization.yaml": kustomization("namePrefix: algo-\nnamespace: algo-ns\nresources:\n  - age.yaml\n  - pgp.yaml\n  - configmap.yaml\n  - disabled.yaml\n"),
    "algorithms/age.yaml": pick("enc/k8s-secret.yaml", "plain/k8s-secret.yaml"),
    "envs/kustomization.yaml": kustomization(
      "namePrefix: envs-\nsecretGenerator:\n  - name: secret\n    envs:\n      - basic.env\n  - name: vars\n    envs:\n      - vars.txt\n" +
      "configMapGenerator:\n  - name: configmap\n    envs:\n      - basic.env\n",
    ),
    "envs/basic.env": pick("enc/basic.env", "plain/basic.env"),
    // No .env extension: Flux decrypts envs files of unknown type as dotenv.
    "envs/vars.txt": pick("enc/basic.env", "plain/basic.env"),
    "files/kustomization.yaml": kustomization(
      "namePrefix: files-\nsecretGenerator:\n" +
      "  - name: secret\n    files:\n      - notes.txt\n      - random.bin\n      - token=notes.txt\n      - plain.txt\n" +
      "  - name: typed\n    options:\n      disableNameSuffixHash: true\n    files:\n      - config.json=basic.json\n      - app.ini=basic.ini\n" +
      "  - name: pull\n    type: kubernetes.io/dockerconfigjson\n    options:\n      disableNameSuffixHash: true\n    files:\n      - .dockerconfigjson=pull.enc\n",
    ),
    "files/notes.txt": pick("enc/notes.txt", "plain/notes.txt"),
    "files/random.bin": pick("enc/random.bin", "plain/random.bin"),
    "files/basic.json": pick("enc/basic.json", "plain/basic.json"),
    "files/basic.ini": pick("enc/basic.ini", "plain/basic.ini"),
    "files/plain.txt": "not encrypted: left as it is\n",
    "patches/kustomization.yaml": kustomization(
      "namePrefix: patches-\npatches:\n  - path: merge1.yaml\n  - path: merge2.yaml\ngeneratorOptions:\n  disableNameSuffixHash: true\n" +
      "secretGenerator:\n  - name: secret\n    literals:\n      - key=value\n",
    ),
    "inside/kustomization.yaml": kustomization("namePrefix: inside-\nresources:\n  - secret.yaml\n"),
    "inside/secret.yaml": secret("secret", `data:\n${["notes.txt", "basic.json", "basic.env", "k8s-secret.yaml", "basic.ini"]
      .map(name => `  ${name.replace("basic.", "app.").replace("k8s-secret.", "k8s.")}: ${insideValue(name)}\n`).join("")}`),
    "component/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n" +
      "generatorOptions:\n  disableNameSuffixHash: true\nsecretGenerator:\n  - name: component\n    envs:\n      - env.env\n",
  }
}

export interface FluxTrees {
  /** The encrypted tree (what is committed to git). */
  encrypted: Tree
  /** The same tree in plaintext. */
  plain: Tree
}

/** Both trees; `gnupgHome` holds the PGP test key's public half (for encrypting pgp.yaml). */
export async function fluxTrees(gnupgHome: string): Promise<FluxTrees> {
  const encryptedExtras: Tree = {}
  for (const [path, text] of Object.entries(plaintexts) as [keyof typeof plaintexts, string][]) {
    const how = encryption[path]
    encryptedExtras[path] = await encrypt(text, {
      filename: path,
      inputType: how.inputType,
      outputType: how.inputType,
      ...(how.pgp ? { pgp: pgpFingerprint } : { age: ageA }),
      ...(how.encryptedRegex ? { encryptedRegex: how.encryptedRegex } : {}),
      config: false,
      env: { GNUPGHOME: gnupgHome, PATH: process.env.PATH },
    })
  }
  const encrypted = {
    ...layout(enc => readFixture("reference", enc), name => b64(readFixture("reference/enc", name))),
    ...encryptedExtras,
    // Decryption disabled: the object stays as committed, in both trees.
    "algorithms/disabled.yaml": encryptedExtras["algorithms/disabled.yaml"]!,
  }
  const plain = {
    ...layout((_enc, plainPath) => readFixture("reference", plainPath), name => b64(readFixture("reference/plain", name))),
    ...plaintexts,
    "algorithms/disabled.yaml": encryptedExtras["algorithms/disabled.yaml"]!,
  }
  return { encrypted, plain }
}

/** `kubectl kustomize DIR`: the expected output, from the plaintext twin. */
export function kustomizeBuild(dir: string): string {
  return execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8" })
}

/**
 * The objects of a YAML stream, sorted, with Secret/ConfigMap values of structured files reduced to
 * their values: decryption may re-lay-out a JSON, YAML, INI or dotenv file (sops prints its own layout),
 * which changes bytes but not what the file says.
 */
export async function canonicalObjects(stream: string): Promise<unknown[]> {
  const YAML = await import("yaml")
  const objects = YAML.parseAllDocuments(stream).map(doc => doc.toJS() as Record<string, unknown>).filter(Boolean)
  for (const object of objects) {
    const data = object.data as Record<string, string> | undefined
    if (!data) continue
    for (const [key, value] of Object.entries(data)) {
      const bytes = object.kind === "Secret" ? Buffer.from(value, "base64") : Buffer.from(value)
      const text = bytes.toString("utf8")
      if (/\.(json|dockerconfigjson)$/.test(key)) data[key] = `json:${JSON.stringify(JSON.parse(text))}`
      else if (/\.ya?ml$/.test(key)) data[key] = `yaml:${JSON.stringify(YAML.parseAllDocuments(text).map(d => d.toJS()))}`
      else if (/\.(ini|env)$/.test(key)) data[key] = `values:${JSON.stringify(await valuesOf(bytes, key))}`
    }
  }
  const id = (o: Record<string, unknown>): string => `${String(o.kind)}/${String((o.metadata as Record<string, unknown>)?.name)}`
  return objects.sort((a, b) => (id(a) < id(b) ? -1 : 1))
}

/** A Flux decryption Secret manifest with `data` entries (values base64-encoded here). */
export function decryptionSecretManifest(entries: Record<string, string | Uint8Array>, name = "sops-keys"): string {
  const data = Object.entries(entries).map(([key, value]) => `  ${key}: ${b64(value)}\n`).join("")
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\n  namespace: flux-system\ntype: Opaque\ndata:\n${data}`
}

/** Paths, modes, contents and link targets of everything under `dir`: "never written" means this is unchanged. */
export function treeHash(dir: string): string {
  const hash = createHash("sha256")
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name)
      const stat = lstatSync(path)
      hash.update(`${relative(dir, path)}\0${stat.mode}\0${stat.mtimeMs}\0`)
      if (stat.isSymbolicLink()) hash.update(readlinkSync(path))
      else if (stat.isDirectory()) walk(path)
      else hash.update(readFileSync(path))
    }
  }
  walk(dir)
  return hash.digest("hex")
}
