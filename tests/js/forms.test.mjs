// Every form's forward, backward and as_quadric() against the library (float64, 1e-6).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { FORM_NAMES, backward, formParams, forward, neuronQuadric, stateToParams } from "../../dql_teach/playground/forms.js";
import { SKIP, assertClose, fixture } from "./fixtures.mjs";

const cases = fixture("forms.json") || [];
const data = fixture("data.json");

test("the page knows the library's forms, by the same names", { skip: SKIP }, () => {
  assert.deepEqual([...FORM_NAMES].sort(), [...data.forms].sort());
});

describe("one layer of each form", { skip: SKIP }, () => {
  for (const c of cases) {
    const label = `${c.form}, n = ${c.n}, m = ${c.m}${c.rank ? `, rank ${c.rank}` : ""}`;
    test(`${label}: state_dict names and shapes`, () => {
      const expected = formParams(c.form, c.n, c.m, c.rank || 1);
      assert.deepEqual(Object.keys(c.state).sort(), expected.map((e) => e.name).sort());
      const { shapes } = stateToParams(c.form, c.state);
      for (const { name, shape } of expected) assert.deepEqual(shapes[name], shape, name);
    });
    test(`${label}: outputs`, () => {
      const Y = forward(c.form, c.state, c.X);
      assert.equal(Y.length, c.X.length);
      assert.equal(Y[0].length, c.m);
      assertClose(Y, c.Y, "Y");
    });
    test(`${label}: gradients of every parameter and of X`, () => {
      const { grads, dX } = backward(c.form, c.state, c.X, c.dY);
      assert.deepEqual(Object.keys(grads).sort(), Object.keys(c.grads).sort());
      for (const name of Object.keys(c.grads)) assertClose(grads[name], c.grads[name], name);
      assertClose(dX, c.dX, "dX");
    });
    test(`${label}: as_quadric()`, () => {
      const { P, n, rank } = stateToParams(c.form, c.state);
      for (let j = 0; j < c.m; j++) {
        const q = neuronQuadric(c.form, P, n, j, rank);
        assertClose(q.A, c.quadric.A[j], `A[${j}]`);
        assertClose(q.b, c.quadric.b[j], `b[${j}]`);
        assertClose(q.c, c.quadric.c[j], `c[${j}]`);
      }
    });
  }
});

test("a state with a missing or unknown parameter, or a wrong shape, is refused", () => {
  const state = { weight_sq: [[1, 2]], weight: [[0, 0]], bias: [0] };
  assert.throws(() => forward("diagonal", { ...state, extra: [1] }, [[0, 0]]), /no parameter extra/);
  assert.throws(() => forward("diagonal", { weight: [[0, 0]], bias: [0] }, [[0, 0]]), /no weight_sq/);
  assert.throws(() => forward("diagonal", { ...state, weight: [[0, 0, 0]] }, [[0, 0]]), /shape/);
  assert.throws(() => forward("cubic", state, [[0, 0]]), /form must be one of/);
  // a layer without its linear term or bias (linear_term=False, bias=False) works
  assert.deepEqual(forward("diagonal", { weight_sq: [[1, 2]] }, [[1, 1]]), [[3]]);
});
