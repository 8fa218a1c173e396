// The `yaml` package, loaded on first use. A bundle that splits code may hand a CommonJS package to
// `import()` as `{ default }` only (esbuild does), so both shapes are accepted.
type YamlModule = typeof import("yaml")

export async function loadYaml(): Promise<YamlModule> {
  const module = (await import("yaml")) as YamlModule & { default?: YamlModule }
  return typeof module.parse === "function" ? module : module.default!
}
