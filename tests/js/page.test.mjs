// The page script (the modules joined into one classic script, as the book serves it) runs,
// defines window.dqlTeach and computes what the modules compute.
import assert from "node:assert/strict";
import { test } from "node:test";
import vm from "node:vm";

import { forward } from "../../dql_teach/playground/forms.js";
import { SKIP, fixture } from "./fixtures.mjs";

test("page.js runs as a classic script and its hooks give the modules' outputs", { skip: SKIP }, () => {
  const source = fixture("page.js");
  const cases = fixture("forms.json");
  const sandbox = { console };
  sandbox.window = sandbox; // a window without a document: nothing to mount
  vm.createContext(sandbox);
  vm.runInContext(source, sandbox, { filename: "dql-playground.js" });
  assert.equal(typeof sandbox.window.dqlTeach, "undefined", "no document: the hooks wait for a page");
  // with a document, the hooks are published and mountAll finds nothing to mount
  const roots = [];
  const page = { console, document: { readyState: "complete", querySelectorAll: () => roots, documentElement: {} } };
  page.window = page;
  vm.createContext(page);
  vm.runInContext(source, page, { filename: "dql-playground.js" });
  const api = page.window.dqlTeach;
  assert.equal(typeof api.forward, "function");
  // (arrays made in the other context have its prototypes: compare their JSON)
  const json = (v) => JSON.stringify(v);
  for (const c of cases) assert.equal(json(api.forward(c.form, c.state, c.X)), json(forward(c.form, c.state, c.X)));
  assert.equal(json([...api.forms].sort()), json(["diagonal", "fan", "full", "hadamard", "linear", "lowrank"]));
});
