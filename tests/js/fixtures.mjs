// Shared helpers of the playground's Node tests: the fixtures that
// tests/test_playground_node.py exports from dql_teach, and float comparisons.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const FIXTURES = process.env.DQL_PLAYGROUND_FIXTURES || "";

// The parsed fixture file, or null when the tests run without fixtures (plain `node --test`):
// the fixture tests are then skipped, which tests/test_playground_node.py does not allow.
export function fixture(name) {
  const path = join(FIXTURES, name);
  if (!FIXTURES || !existsSync(path)) return null;
  return name.endsWith(".json") ? JSON.parse(readFileSync(path, "utf8")) : readFileSync(path, "utf8");
}

export const SKIP = FIXTURES ? false : "no fixtures: run python -m pytest tests/test_playground_node.py";

export const TOL = 1e-6;

// |actual - expected| <= tol * max(1, |expected|), element by element, for nested arrays.
export function assertClose(actual, expected, what, tol = TOL) {
  const a = [actual].flat(Infinity);
  const e = [expected].flat(Infinity);
  assert.equal(a.length, e.length, `${what}: ${a.length} values, expected ${e.length}`);
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i] - e[i]) / Math.max(1, Math.abs(e[i]));
    if (!(err <= tol)) assert.fail(`${what}[${i}]: ${a[i]} != ${e[i]} (relative error ${err})`);
    worst = Math.max(worst, err);
  }
  return worst;
}
