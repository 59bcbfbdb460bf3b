/** What Wrangler's bundler gives for an imported .wasm file (its CompiledWasm module rule). */
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
