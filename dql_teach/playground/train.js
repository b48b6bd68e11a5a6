// The playground's model and its training: numbers only, no DOM.
//
// hidden = 0: one neuron of the form, a 2-1 model (dql_teach.make_layer(form, 2, 1));
// hidden = h: a 2-h-1 network, a first layer of the form, ReLU, then nn.Linear(h, 1)
// (dql_teach.make_mlp([2, h, 1], [form, "linear"]): state_dict keys "0.*" and "2.*").
// Training is what dql_teach.fit does by default: full batch, binary cross-entropy on one
// logit (mean over the points), Adam with torch's defaults (betas 0.9, 0.999, eps 1e-8).

import {
  formParams,
  initParams,
  layerBackward,
  layerForward,
  stateToParams,
  unflatten,
} from "./forms.js";
import { makeRng, subSeed } from "./data.js";

export function makeModel({ form, hidden = 0, rank = 1, seed = 0 }) {
  const rng = makeRng(subSeed(seed, 2));
  const m = hidden > 0 ? hidden : 1;
  const model = {
    form,
    hidden,
    rank,
    n: 2,
    m,
    first: initParams(form, 2, m, rank, rng),
    readout: null,
  };
  if (hidden > 0) model.readout = initParams("linear", hidden, 1, 1, rng);
  return model;
}

// The model's parameters as one flat {key: Float64Array}, keyed as the state_dict.
export function modelParams(model) {
  const out = {};
  const prefix = model.hidden > 0 ? "0." : "";
  for (const [name, data] of Object.entries(model.first)) out[prefix + name] = data;
  if (model.readout) {
    for (const [name, data] of Object.entries(model.readout)) out["2." + name] = data;
  }
  return out;
}

export function parameterCount(model) {
  return Object.values(modelParams(model)).reduce((s, p) => s + p.length, 0);
}

function shapesOf(model) {
  const shapes = {};
  const prefix = model.hidden > 0 ? "0." : "";
  for (const { name, shape } of formParams(model.form, model.n, model.m, model.rank)) {
    if (name in model.first) shapes[prefix + name] = shape;
  }
  if (model.readout) {
    shapes["2.weight"] = [1, model.hidden];
    shapes["2.bias"] = [1];
  }
  return shapes;
}

// The model's state_dict as nested lists (what torch's load_state_dict takes after
// torch.tensor(...) of each entry).
export function stateDict(model) {
  const state = {};
  const shapes = shapesOf(model);
  for (const [key, data] of Object.entries(modelParams(model))) {
    state[key] = unflatten(data, shapes[key]);
  }
  return state;
}

// A model from a state_dict of nested lists (as the library gives it).
export function modelFromState(form, hidden, state) {
  const first = {};
  const readout = {};
  for (const [key, value] of Object.entries(state)) {
    if (hidden > 0 && key.startsWith("0.")) first[key.slice(2)] = value;
    else if (hidden > 0 && key.startsWith("2.")) readout[key.slice(2)] = value;
    else if (hidden > 0) throw new Error(`a 2-${hidden}-1 network has no parameter ${key}`);
    else first[key] = value;
  }
  const layer = stateToParams(form, first);
  const m = hidden > 0 ? hidden : 1;
  if (layer.n !== 2 || layer.m !== m) {
    throw new Error(
      `the ${form} layer must map 2 inputs to ${m} outputs, got ${layer.n} to ${layer.m}`,
    );
  }
  const model = { form, hidden, rank: layer.rank, n: 2, m, first: layer.P, readout: null };
  if (hidden > 0) {
    const out = stateToParams("linear", readout);
    if (out.n !== hidden || out.m !== 1) throw new Error(`2.weight must have shape [1, ${hidden}]`);
    model.readout = out.P;
  }
  return model;
}

function workspace(model, N) {
  model.ws = model.ws || {};
  if (!model.ws[N]) {
    model.ws[N] = {
      Z: new Float64Array(N * model.m), // first layer's outputs (pre-activation)
      logits: new Float64Array(N),
      dZ: new Float64Array(N * model.m),
    };
  }
  return model.ws[N];
}

// Logits (N) of X (N * 2), and the first layer's outputs Z (N * m) on the way.
export function modelForward(model, X, N) {
  const ws = workspace(model, N);
  layerForward(model.form, model.first, X, N, model.n, model.m, ws.Z, model.rank);
  if (!model.readout) {
    ws.logits.set(ws.Z);
    return ws;
  }
  const { weight, bias } = model.readout;
  const h = model.hidden;
  for (let s = 0; s < N; s++) {
    let z = bias[0];
    for (let j = 0; j < h; j++) {
      const a = ws.Z[s * h + j];
      z += weight[j] * (a > 0 ? a : 0); // ReLU
    }
    ws.logits[s] = z;
  }
  return ws;
}

function bce(z, t) {
  // log(1 + exp(-|z|)) + max(z, 0) - z t: the stable form torch uses
  return Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z)));
}

// Mean loss and accuracy on a dataset {X, y, n}.
export function evaluate(model, data) {
  if (data.n === 0) return { loss: NaN, accuracy: NaN };
  const { logits } = modelForward(model, data.X, data.n);
  let loss = 0;
  let correct = 0;
  for (let s = 0; s < data.n; s++) {
    loss += bce(logits[s], data.y[s]);
    if ((logits[s] > 0 ? 1 : 0) === data.y[s]) correct++;
  }
  return { loss: loss / data.n, accuracy: correct / data.n };
}

export function zeroGrads(params) {
  const G = {};
  for (const [key, p] of Object.entries(params)) G[key] = new Float64Array(p.length);
  return G;
}

// The mean BCE loss on {X, y, n} and its gradient, written into G (keyed as modelParams).
// dX (N * 2), when given, receives the gradient with respect to the inputs.
export function lossAndGrad(model, data, G, dX = null) {
  const N = data.n;
  const ws = modelForward(model, data.X, N);
  for (const g of Object.values(G)) g.fill(0);
  let loss = 0;
  let correct = 0;
  const h = model.hidden;
  const dZ = ws.dZ;
  const prefix = h > 0 ? "0." : "";
  for (let s = 0; s < N; s++) {
    const z = ws.logits[s];
    const t = data.y[s];
    loss += bce(z, t);
    if ((z > 0 ? 1 : 0) === t) correct++;
    const dz = (1 / (1 + Math.exp(-z)) - t) / N; // d mean-BCE / d logit
    if (h === 0) {
      dZ[s] = dz;
      continue;
    }
    G["2.bias"][0] += dz;
    for (let j = 0; j < h; j++) {
      const a = ws.Z[s * h + j];
      if (a > 0) {
        G["2.weight"][j] += dz * a;
        dZ[s * h + j] = dz * model.readout.weight[j];
      } else {
        dZ[s * h + j] = 0; // torch's ReLU passes no gradient at 0 either
      }
    }
  }
  const first = {};
  for (const name of Object.keys(model.first)) first[name] = G[prefix + name];
  layerBackward(model.form, model.first, data.X, N, model.n, model.m, dZ, first, dX, model.rank);
  return { loss: loss / N, accuracy: correct / N };
}

// torch.optim.Adam with its defaults (no weight decay, no amsgrad), one step at a time.
export class Adam {
  constructor(params, lr, betas = [0.9, 0.999], eps = 1e-8) {
    this.lr = lr;
    this.betas = betas;
    this.eps = eps;
    this.t = 0;
    this.m = zeroGrads(params);
    this.v = zeroGrads(params);
  }

  step(params, grads) {
    const [b1, b2] = this.betas;
    this.t += 1;
    const bc1 = 1 - b1 ** this.t;
    const bc2sqrt = Math.sqrt(1 - b2 ** this.t);
    const stepSize = this.lr / bc1;
    for (const [key, p] of Object.entries(params)) {
      const g = grads[key];
      const m = this.m[key];
      const v = this.v[key];
      for (let i = 0; i < p.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / bc2sqrt + this.eps);
      }
    }
  }
}

// A loss this far above that of the coin-flip model (ln 2) means the weights ran away: the
// model is confidently wrong on most points. Training from any sane start never gets there.
export const DIVERGED_LOSS = 50;

// `epochs` full-batch steps. Returns {losses (each measured before its step, as fit does),
// diverged: null or a reason}. A step whose loss is not finite (or runs away) is not applied,
// and neither is one that would make a parameter non-finite. onEpoch(e, loss), when given,
// runs before each step (with the weights that loss was measured on).
export function trainEpochs(model, optimizer, data, epochs, onEpoch = null) {
  const params = modelParams(model);
  model.grads = model.grads || zeroGrads(params);
  const G = model.grads;
  const losses = [];
  for (let e = 0; e < epochs; e++) {
    const { loss } = lossAndGrad(model, data, G);
    if (!Number.isFinite(loss) || loss > DIVERGED_LOSS) {
      const what = Number.isFinite(loss) ? `reached ${loss.toPrecision(3)}` : `became ${loss}`;
      return { losses, diverged: `the loss ${what}` };
    }
    losses.push(loss);
    if (onEpoch) onEpoch(e, loss);
    const backup = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.slice()]));
    optimizer.step(params, G);
    if (!Object.values(params).every((p) => p.every(Number.isFinite))) {
      for (const [k, p] of Object.entries(params)) p.set(backup[k]);
      return { losses, diverged: "a weight became infinite" };
    }
  }
  return { losses, diverged: null };
}

// The model on an R x R grid over bounds [x0, x1, y0, y1], at the pixel centres (row 0 at
// y0): {logits (R * R), Z (R * R * m, the first layer's outputs)}.
export function gridEvaluate(model, bounds, R) {
  const [x0, x1, y0, y1] = bounds;
  const key = `${R} ${bounds.join(" ")}`;
  if (!model.grid || model.grid.key !== key) {
    // the grid's points change only with the view: computed once per model and view
    const X = new Float64Array(2 * R * R);
    const dx = (x1 - x0) / R;
    const dy = (y1 - y0) / R;
    for (let j = 0; j < R; j++) {
      for (let i = 0; i < R; i++) {
        X[2 * (j * R + i)] = x0 + (i + 0.5) * dx;
        X[2 * (j * R + i) + 1] = y0 + (j + 0.5) * dy;
      }
    }
    model.grid = { key, X };
  }
  const X = model.grid.X;
  const ws = modelForward(model, X, R * R);
  return { logits: ws.logits, Z: ws.Z, R, m: model.m };
}

// The hook's network forward: logits (N arrays of one) of a 2-h-1 state_dict.
export function networkForward(form, hidden, state, X) {
  const model = modelFromState(form, hidden, state);
  const x = Float64Array.from(X.flat());
  const { logits } = modelForward(model, x, X.length);
  return Array.from(logits, (z) => [z]);
}

// The mean BCE loss of a state_dict on (X, y) and its gradients {key: nested} (and dX).
export function networkGrad(form, hidden, state, X, y) {
  const model = modelFromState(form, hidden, state);
  const data = { X: Float64Array.from(X.flat()), y: Uint8Array.from(y), n: X.length };
  const params = modelParams(model);
  const G = zeroGrads(params);
  const dX = new Float64Array(2 * X.length);
  const { loss } = lossAndGrad(model, data, G, dX);
  const shapes = shapesOf(model);
  const grads = {};
  for (const key of Object.keys(G)) grads[key] = unflatten(G[key], shapes[key]);
  return { loss, grads, dX: unflatten(dX, [X.length, 2]) };
}
