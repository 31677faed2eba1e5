// The installed package used from Node, unbundled or bundled by esbuild.
import { run } from "./main.js";

console.log(await run());
