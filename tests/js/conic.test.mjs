// Conic names against dql_teach.classify_quadric, and the contour tracer.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { PROPER_CONICS, classifyConic, conicText, contourSegments } from "../../dql_teach/playground/conic.js";
import { SKIP, fixture } from "./fixtures.mjs";

const conics = fixture("conics.json") || [];
const forms = fixture("forms.json") || [];

describe("the page names each conic as classify_quadric does", { skip: SKIP }, () => {
  test(`${conics.length} random and special conics`, () => {
    const wrong = conics
      .map((c) => ({ ...c, page: classifyConic(c.A, c.b, c.c).name }))
      .filter((c) => c.page !== c.name)
      .map((c) => `${c.why}: page ${c.page}, library ${c.name}`);
    assert.deepEqual(wrong, []);
  });
  test("every neuron of the forms' fixtures", () => {
    for (const c of forms.filter((f) => f.n === 2)) {
      c.names.forEach((name, j) => {
        const page = classifyConic(c.quadric.A[j], c.quadric.b[j], c.quadric.c[j]).name;
        assert.equal(page, name, `${c.form} neuron ${j}`);
      });
    }
  });
});

test("scale does not change the name (q = 0 is the same curve)", () => {
  for (const s of [1e-12, 1e-6, 1, 1e6, 1e12]) {
    assert.equal(classifyConic([[s, 0], [0, s]], [0, 0], -s).name, "circle");
    assert.equal(classifyConic([[s, 0], [0, -s]], [0, 0], -s).name, "hyperbola");
    assert.equal(classifyConic([[s, 0], [0, 0]], [0, -s], 0).name, "parabola");
  }
  assert.equal(classifyConic([[NaN, 0], [0, 1]], [0, 0], 1).name, "not finite");
  assert.ok(PROPER_CONICS.includes("ellipse") && !PROPER_CONICS.includes("point"));
});

test("the traced zero set of x^2 + y^2 - r^2 lies on the circle", () => {
  const R = 101;
  const r = 30.3;
  const values = new Float64Array(R * R);
  for (let j = 0; j < R; j++) for (let i = 0; i < R; i++) values[j * R + i] = (i - 50) ** 2 + (j - 50) ** 2 - r * r;
  const seg = contourSegments(values, R, R);
  assert.ok(seg.length / 4 > 150, "a closed curve of many segments");
  for (let k = 0; k < seg.length; k += 2) {
    const radius = Math.hypot(seg[k] - 50, seg[k + 1] - 50);
    assert.ok(Math.abs(radius - r) < 0.05, `point ${k / 2} at radius ${radius}`);
  }
  // a saddle (x y = 0) gives two crossing lines, no stray segment
  const saddle = new Float64Array(9).map((_, s) => ((s % 3) - 1) * (Math.floor(s / 3) - 1) + 1e-9);
  assert.ok(contourSegments(saddle, 3, 3).length > 0);
});

test("conicText writes the polynomial as a person would", () => {
  assert.equal(conicText([[1, 0.25], [0.25, 2]], [0, -1], -1), "x₁² + 0.5x₁x₂ + 2x₂² − x₂ − 1");
  assert.equal(conicText([[0, 0], [0, 0]], [0, 0], 0), "0");
});
