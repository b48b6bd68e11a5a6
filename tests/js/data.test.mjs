// The page's datasets against dql_teach.make_dataset.
import assert from "node:assert/strict";
import { test } from "node:test";

import { DATASET_NAMES, DATASET_NOISE, GAUSSIAN_CLASSES, dataBounds, makeDataset, splitDataset } from "../../dql_teach/playground/data.js";
import { SKIP, assertClose, fixture } from "./fixtures.mjs";

const facts = fixture("data.json");

const sortedRows = (X, y) => {
  const rows = [];
  for (let i = 0; i < y.length; i++) rows.push([X[2 * i], X[2 * i + 1], y[i]]);
  // by x rounded (the library's points are float32: mirror images may differ in the last bit)
  const key = (v) => Math.round(v * 1e5);
  return rows.sort((a, b) => key(a[0]) - key(b[0]) || a[1] - b[1]);
};

test("the same 2-D datasets, default noise and Gaussian classes as the library", { skip: SKIP }, () => {
  assert.deepEqual([...DATASET_NAMES].sort(), [...facts.names].sort());
  assert.deepEqual(DATASET_NOISE, facts.default_noise);
  assert.deepEqual(GAUSSIAN_CLASSES, facts.gaussians);
});

test("noise-free circles and moons are scikit-learn's points (in another order)", { skip: SKIP }, () => {
  for (const [name, ref] of Object.entries(facts.noise_free)) {
    const { X, y } = makeDataset(name, ref.y.length, 0, 5);
    const mine = sortedRows(X, y);
    const theirs = sortedRows(ref.X.flat(), ref.y);
    assertClose(mine.map((r) => r.slice(0, 2)), theirs.map((r) => r.slice(0, 2)), `${name} points (float32 in the library)`, 1e-6);
    assert.deepEqual(mine.map((r) => r[2]), theirs.map((r) => r[2]), `${name} labels`);
  }
});

test("xor: uniform on the square, class 1 where x1 x2 > 0, like the library's", { skip: SKIP }, () => {
  const { X, y } = makeDataset("xor", 4000, 0, 1);
  for (let i = 0; i < y.length; i++) assert.equal(y[i], X[2 * i] * X[2 * i + 1] > 0 ? 1 : 0);
  const share = (labels) => labels.reduce((s, v) => s + v, 0) / labels.length;
  assert.ok(Math.abs(share(y) - share(facts.xor.y)) < 0.06);
  assert.ok(Math.max(...X.map(Math.abs)) <= 1);
});

test("gaussians: class means and covariances as GAUSSIANS says", () => {
  const { X, y } = makeDataset("gaussians", 20000, 0, 2);
  for (const k of [0, 1]) {
    const pts = [];
    for (let i = 0; i < y.length; i++) if (y[i] === k) pts.push([X[2 * i], X[2 * i + 1]]);
    const mean = [0, 1].map((d) => pts.reduce((s, p) => s + p[d], 0) / pts.length);
    const cov = (a, b) => pts.reduce((s, p) => s + (p[a] - mean[a]) * (p[b] - mean[b]), 0) / pts.length;
    assertClose(mean, GAUSSIAN_CLASSES.means[k], `mean ${k}`, 0.03);
    assertClose([[cov(0, 0), cov(0, 1)], [cov(1, 0), cov(1, 1)]], GAUSSIAN_CLASSES.covariances[k], `cov ${k}`, 0.03);
  }
});

test("spirals: two arms, radius growing with the angle", () => {
  const { X, y } = makeDataset("spirals", 1000, 0, 0);
  assert.equal(y.reduce((s, v) => s + v, 0), 500);
  for (let i = 0; i < y.length; i++) {
    const r = Math.hypot(X[2 * i], X[2 * i + 1]); // r = t / (3 pi), angle = t + pi y
    const t = r * 3 * Math.PI;
    const angle = Math.atan2(X[2 * i + 1], X[2 * i]);
    const d = (angle - t - Math.PI * y[i]) / (2 * Math.PI);
    assert.ok(Math.abs(d - Math.round(d)) < 1e-9);
  }
});

test("a seed gives the same data, another seed other data; the split is a partition", () => {
  const a = makeDataset("moons", 300, 0.1, 4);
  assert.deepEqual(a, makeDataset("moons", 300, 0.1, 4));
  assert.notDeepEqual(a.X, makeDataset("moons", 300, 0.1, 5).X);
  const { train, test: held } = splitDataset(a, 0.2, 9);
  assert.equal(train.n, 240);
  assert.equal(held.n, 60);
  assert.equal(train.y.reduce((s, v) => s + v, 0) + held.y.reduce((s, v) => s + v, 0), a.y.reduce((s, v) => s + v, 0));
  const [x0, x1, y0, y1] = dataBounds(a.X);
  assert.ok(x1 - x0 === y1 - y0 && x0 < -1 && x1 > 2);
  assert.throws(() => makeDataset("rings", 10, 0, 0), /dataset must be one of/);
});
