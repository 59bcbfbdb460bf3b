/** Loads the kernels in Node (scripts, unit tests), where unlike in a Worker a module may be compiled from bytes. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { useKernels } from "./kernels";

// The project is typed for the Workers runtime, which declares no way to compile bytes; Node's has one.
const CompiledModule = WebAssembly.Module as unknown as new (bytes: Uint8Array) => WebAssembly.Module;
useKernels(new CompiledModule(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "kernels.wasm"))));
