// Conic names against dql_teach.classify_quadric, and the contour tracer.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  PROPER_CONICS, classifyConic, conicText, contourLines,
} from "../../dql_teach/playground/conic.js";
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

test("the traced zero set of x^2 + y^2 - r^2 is one closed line on the circle", () => {
  const R = 101;
  const r = 30.3;
  const values = new Float64Array(R * R);
  for (let j = 0; j < R; j++) {
    for (let i = 0; i < R; i++) values[j * R + i] = (i - 50) ** 2 + (j - 50) ** 2 - r * r;
  }
  const lines = contourLines(values, R, R);
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.ok(line.length / 2 > 150, "many vertices");
  assert.deepEqual(line.slice(0, 2), line.slice(-2), "closed: it ends where it starts");
  for (let k = 0; k < line.length; k += 2) {
    const radius = Math.hypot(line[k] - 50, line[k + 1] - 50);
    assert.ok(Math.abs(radius - r) < 0.05, `vertex ${k / 2} at radius ${radius}`);
  }
  // consecutive vertices are neighbours (less than a cell's diagonal apart): one chain
  for (let k = 2; k < line.length; k += 2) {
    assert.ok(Math.hypot(line[k] - line[k - 2], line[k + 1] - line[k - 1]) <= Math.SQRT2 + 1e-9);
  }
});

test("a coarser trace (step 2) keeps the full grid's coordinates", () => {
  const R = 101;
  const values = new Float64Array(R * R);
  for (let j = 0; j < R; j++) {
    for (let i = 0; i < R; i++) values[j * R + i] = (i - 50) ** 2 + (j - 50) ** 2 - 30.3 ** 2;
  }
  const [full] = contourLines(values, R, R);
  const [line] = contourLines(values, R, R, 1, 0, 2);
  const ratio = line.length / full.length; // half the grid lines: about half the vertices
  assert.ok(ratio > 0.45 && ratio < 0.55, `${line.length / 2} of ${full.length / 2} vertices`);
  for (let k = 0; k < line.length; k += 2) {
    assert.ok(Math.abs(Math.hypot(line[k] - 50, line[k + 1] - 50) - 30.3) < 0.2);
  }
});

test("open curves run edge to edge; a stride reads one neuron of interleaved outputs", () => {
  // two neurons interleaved (stride 2): x - 10.5 (a vertical line) and y - 4.5 (horizontal)
  const R = 21;
  const both = new Float64Array(2 * R * R);
  for (let j = 0; j < R; j++) {
    for (let i = 0; i < R; i++) {
      both[2 * (j * R + i)] = i - 10.5;
      both[2 * (j * R + i) + 1] = j - 4.5;
    }
  }
  const vertical = contourLines(both, R, R, 2, 0);
  assert.equal(vertical.length, 1);
  assert.ok(vertical[0].every((v, k) => k % 2 === 1 || Math.abs(v - 10.5) < 1e-12));
  assert.equal(vertical[0].length / 2, R); // one vertex per row, bottom to top
  const horizontal = contourLines(both, R, R, 2, 1);
  assert.ok(horizontal[0].every((v, k) => k % 2 === 0 || Math.abs(v - 4.5) < 1e-12));
  // a saddle, x y = 0 shifted off the grid points: two lines, no stray vertex
  const saddle = new Float64Array(R * R);
  for (let j = 0; j < R; j++) for (let i = 0; i < R; i++) saddle[j * R + i] = (i - 10.3) * (j - 9.7);
  const lines = contourLines(saddle, R, R);
  const vertices = lines.reduce((n, l) => n + l.length / 2, 0);
  assert.equal(vertices, 2 * R);
  assert.ok(lines.length >= 2 && lines.length <= 4);
});

test("conicText writes the polynomial as a person would", () => {
  assert.equal(conicText([[1, 0.25], [0.25, 2]], [0, -1], -1), "x₁² + 0.5x₁x₂ + 2x₂² − x₂ − 1");
  assert.equal(conicText([[0, 0], [0, 0]], [0, 0], 0), "0");
});
