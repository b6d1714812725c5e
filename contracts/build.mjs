// Compiles contracts/src/*.sol with solc-js into contracts/out/<Contract>.json
// (ABI, creation and runtime bytecode, and the SHA-256 of the source file, so
// Rust tests can tell an artifact is stale without a compiler).
//
//   npm ci --prefix contracts && node contracts/build.mjs          # regenerate
//   node contracts/build.mjs --check   # exit 1 if regeneration changes any byte
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "package.json"));
let solc;
try {
  solc = require("solc");
} catch {
  console.error("solc-js is not installed: run `npm ci --prefix contracts` first");
  process.exit(2);
}

const srcDir = join(here, "src");
const outDir = join(here, "out");
const check = process.argv.includes("--check");

const files = readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort();
const sources = {};
for (const f of files) sources[f] = { content: readFileSync(join(srcDir, f), "utf8") };

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};

function findImports(path) {
  const p = join(srcDir, path.replace(/^\.\//, ""));
  return existsSync(p) ? { contents: readFileSync(p, "utf8") } : { error: `not found: ${path}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length) process.exit(1);

const sha256 = (s) => createHash("sha256").update(s).digest("hex");
const artifacts = {};
for (const file of files) {
  for (const [name, c] of Object.entries(output.contracts[file] || {})) {
    if (!c.evm.bytecode.object) continue; // abstract contracts
    artifacts[`${name}.json`] = JSON.stringify(
      {
        contractName: name,
        sourceName: file,
        sourceSha256: sha256(sources[file].content),
        imports: files.filter((f) => f !== file && sources[file].content.includes(`"./${f}"`)).map((f) => ({ sourceName: f, sourceSha256: sha256(sources[f].content) })),
        compiler: `solc-js ${solc.version()}`,
        settings: input.settings,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
      },
      null,
      2,
    ) + "\n";
  }
}

if (check) {
  const committed = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith(".json")).sort() : [];
  const wanted = Object.keys(artifacts).sort();
  let bad = 0;
  for (const f of new Set([...committed, ...wanted])) {
    const have = committed.includes(f) ? readFileSync(join(outDir, f), "utf8") : null;
    if (have !== (artifacts[f] ?? null)) {
      console.error(`contracts/out/${f}: ${have === null ? "missing" : artifacts[f] === undefined ? "no longer produced" : "differs from a fresh compile"}`);
      bad++;
    }
  }
  if (bad) {
    console.error(`${bad} artifact(s) out of date: run \`node contracts/build.mjs\``);
    process.exit(1);
  }
  console.log(`contracts/out: ${wanted.length} artifacts match a fresh compile (${solc.version()})`);
} else {
  mkdirSync(outDir, { recursive: true });
  for (const [f, text] of Object.entries(artifacts)) writeFileSync(join(outDir, f), text);
  console.log(`wrote ${Object.keys(artifacts).length} artifacts to contracts/out (${solc.version()})`);
}
