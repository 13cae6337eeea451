import { equal } from "node:assert/strict";
import { readFileSync } from "node:fs";
import { VERSION } from "../../lib/version.ts";

// The version lives in two places: package.json (npm) and lib/version.ts (what --version prints,
// without reading package.json at run time). This test keeps them equal.
Deno.test('VERSION equals package.json "version"', () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  equal(typeof pkg.version, "string");
  equal(VERSION, pkg.version);
});
