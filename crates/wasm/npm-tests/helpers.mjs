// Shared by the ESM tests: fixtures come from the core crate, so the package
// is checked against the same bodies and vectors as the Rust tests.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.COC_FIXTURES_DIR;
if (!dir) throw new Error("COC_FIXTURES_DIR is not set: run these tests through `cargo xtask test`");

export const fixture = (name) => readFileSync(join(dir, name));
export const fixtureJson = (name) => JSON.parse(fixture(name).toString("utf8"));
export const gatewayUrl = process.env.COC_GATEWAY_URL;
