// The 2-h-1 model: logits, mean binary cross-entropy and gradients, and Adam, against torch.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { makeDataset, splitDataset, subSeed } from "../../dql_teach/playground/data.js";
import { Adam, evaluate, makeModel, modelFromState, modelParams, networkForward, networkGrad, parameterCount, stateDict, trainEpochs } from "../../dql_teach/playground/train.js";
import { SKIP, assertClose, fixture } from "./fixtures.mjs";

const cases = fixture("networks.json") || [];

describe("networks against dql_teach.make_mlp and torch.optim.Adam", { skip: SKIP }, () => {
  for (const c of cases) {
    const label = c.hidden ? `2-${c.hidden}-1 ${c.form} network` : `one ${c.form} neuron`;
    test(`${label}: logits, loss and gradients`, () => {
      assertClose(networkForward(c.form, c.hidden, c.state, c.X).map((r) => r[0]), c.logits, "logits");
      const { loss, grads, dX } = networkGrad(c.form, c.hidden, c.state, c.X, c.y);
      assertClose(loss, c.loss, "loss");
      assert.deepEqual(Object.keys(grads).sort(), Object.keys(c.grads).sort());
      for (const key of Object.keys(c.grads)) assertClose(grads[key], c.grads[key], key);
      assertClose(dX, c.dX, "dX");
    });
    test(`${label}: five Adam steps`, () => {
      const model = modelFromState(c.form, c.hidden, c.state);
      assert.deepEqual(Object.keys(stateDict(model)).sort(), Object.keys(c.state).sort());
      const optimizer = new Adam(modelParams(model), c.lr);
      const data = { X: Float64Array.from(c.X.flat()), y: Uint8Array.from(c.y), n: c.X.length };
      for (const [i, step] of c.adam.entries()) {
        const { losses, diverged } = trainEpochs(model, optimizer, data, 1);
        assert.equal(diverged, null);
        assertClose(losses[0], step.loss, `loss of step ${i + 1}`);
        const state = stateDict(model);
        for (const key of Object.keys(step.state)) assertClose(state[key], step.state[key], `${key} after step ${i + 1}`);
      }
    });
  }
});

test("parameter counts: one neuron of each form, and a 2-8-1 network", () => {
  const count = (form, hidden = 0) => parameterCount(makeModel({ form, hidden }));
  assert.deepEqual(
    ["linear", "diagonal", "full", "fan", "hadamard", "lowrank"].map((f) => count(f)),
    [3, 5, 6, 9, 7, 6],
  );
  assert.equal(count("full", 8), 8 * 6 + 9);
});

function trainedAccuracy(form, dataset, seed, { hidden = 0, noise, epochs = 300, lr = 0.05 } = {}) {
  const data = makeDataset(dataset, 300, noise, subSeed(seed, 1));
  const { train } = splitDataset(data, 0.2, subSeed(seed, 3));
  const model = makeModel({ form, hidden, seed });
  trainEpochs(model, new Adam(modelParams(model), lr), train, epochs);
  return evaluate(model, train).accuracy;
}

test("the book's facts hold for the page's own data and training (seeds 0-5)", () => {
  for (let seed = 0; seed < 6; seed++) {
    for (const form of ["full", "fan"]) assert.ok(trainedAccuracy(form, "circles", seed, { noise: 0.1 }) >= 0.95, `${form} circles, seed ${seed}`);
    for (const form of ["hadamard", "linear"]) assert.ok(trainedAccuracy(form, "circles", seed, { noise: 0.1 }) <= 0.8, `${form} circles, seed ${seed}`);
    assert.ok(trainedAccuracy("diagonal", "xor", seed) <= 0.8, `diagonal xor, seed ${seed}`);
    assert.ok(trainedAccuracy("full", "xor", seed) >= 0.9, `full xor, seed ${seed}`);
  }
});

test("a learning rate that diverges stops training before the bad step", () => {
  const data = makeDataset("circles", 200, 0.05, 1);
  const model = makeModel({ form: "full", hidden: 8, seed: 0 });
  const before = JSON.stringify(stateDict(model));
  const { losses, diverged } = trainEpochs(model, new Adam(modelParams(model), 1e6), data, 50);
  assert.match(diverged, /the loss (reached|became)/);
  assert.ok(losses.length < 50);
  assert.notEqual(JSON.stringify(stateDict(model)), before); // the good steps were applied
  for (const p of Object.values(modelParams(model))) assert.ok(p.every(Number.isFinite));
});
