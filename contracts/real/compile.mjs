// Compiles, with the solc-js of contracts/ (npm ci --prefix contracts), the
// real sources the value-locked tests deploy and that their npm packages ship
// without bytecode:
//   * Chainlink's MockV3Aggregator (@chainlink/contracts, an
//     AggregatorV3Interface price feed whose rounds a test sets);
//   * an ERC-20 token built on OpenZeppelin 5's ERC20 (abstract in the
//     package) with a chosen number of decimals, minted once.
// Writes node_modules/.l2stage/<Contract>.json (ABI, creation bytecode);
// run by scripts/test.sh after `npm ci --prefix contracts/real`.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, "node_modules");
const require = createRequire(join(here, "..", "package.json"));
let solc;
try {
  solc = require("solc");
} catch {
  console.error("solc-js is not installed: run `npm ci --prefix contracts` first");
  process.exit(2);
}

const AGGREGATOR = "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
const TOKEN = "l2stage/Token.sol";
const sources = {
  [AGGREGATOR]: { content: readFileSync(join(modules, AGGREGATOR), "utf8") },
  [TOKEN]: {
    content: `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract Token is ERC20 {
    uint8 private immutable places;
    constructor(string memory name_, string memory symbol_, uint8 places_, uint256 supply, address holder) ERC20(name_, symbol_) {
        places = places_;
        _mint(holder, supply);
    }
    function decimals() public view override returns (uint8) {
        return places;
    }
}
`,
  },
};

function findImports(path) {
  const p = join(modules, path);
  return existsSync(p) ? { contents: readFileSync(p, "utf8") } : { error: `not found: ${path}` };
}

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of errors) console.error(e.formattedMessage);
if (errors.length) process.exit(1);

const outDir = join(modules, ".l2stage");
mkdirSync(outDir, { recursive: true });
for (const [file, name] of [[AGGREGATOR, "MockV3Aggregator"], [TOKEN, "Token"]]) {
  const c = output.contracts[file][name];
  writeFileSync(
    join(outDir, `${name}.json`),
    JSON.stringify({ contractName: name, sourceName: file, compiler: `solc-js ${solc.version()}`, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }, null, 2) + "\n",
  );
}
console.error(`compiled MockV3Aggregator and Token into ${outDir}`);
