/** Assembles shared/kernels/kernels.wat into kernels.wasm beside it; `npm ci` runs it (prepare). */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import wabt from "wabt";

const kernels = resolve(dirname(fileURLToPath(import.meta.url)), "../shared/kernels");
const module = (await wabt()).parseWat("kernels.wat", readFileSync(`${kernels}/kernels.wat`, "utf8"), { simd: true });
module.validate();
writeFileSync(`${kernels}/kernels.wasm`, module.toBinary({}).buffer);
module.destroy();
