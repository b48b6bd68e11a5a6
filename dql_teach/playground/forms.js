// The neuron forms of dql_teach, forward and backward, in float64: numbers only, no DOM.
//
// A layer's parameters are the Python layer's state_dict(): the same names, the same shapes
// (row-major), here as Float64Arrays. Each form's formula, per neuron j and input x (n,):
//
//   linear    weight w (m, n), bias c (m)                          w.x + c
//   diagonal  weight_sq q (m, n), weight w, bias c                 q.(x o x) + w.x + c
//   full      weight_quad (m, n(n+1)/2): x_i x_k, i <= k, in torch.triu_indices order;
//             weight w, bias c                                     sum q_ik x_i x_k + w.x + c
//   fan       weight_u, weight_v, weight_sq (m, n), bias_u, bias_v, bias (m)
//                                                                  (u.x + u0)(v.x + v0) + q.(x o x) + c
//   hadamard  weight_u, weight_v, weight (m, n), bias (m)          (u.x)(v.x) + w.x + c
//   lowrank   weight_q (m, k, n), weight_lambda (m, k), weight, bias
//                                                                  sum_k lambda_k (Q_k.x)^2 / k + w.x + c
//
// weight and bias may be missing (a layer built with linear_term=False or bias=False): the
// term is then zero. tests/js/forms.test.mjs checks outputs, gradients and as_quadric() of
// every form against fixtures exported from the library.

export const FORM_NAMES = ["linear", "diagonal", "full", "fan", "hadamard", "lowrank"];

// The state_dict entries of a layer of `form` with n inputs, m neurons (rank k for lowrank),
// in the library's order, with nn.Linear-style initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn))
// (the low-rank form's lambda starts at zero, as in the library).
export function formParams(form, n, m, rank = 1) {
  const p = (n * (n + 1)) / 2;
  const u = (name, shape, fanIn = n) => ({ name, shape, fanIn });
  switch (form) {
    case "linear":
      return [u("weight", [m, n]), u("bias", [m])];
    case "diagonal":
      return [u("weight_sq", [m, n]), u("weight", [m, n]), u("bias", [m])];
    case "full":
      return [u("weight_quad", [m, p], p), u("weight", [m, n]), u("bias", [m])];
    case "fan":
      return [
        u("weight_u", [m, n]), u("weight_v", [m, n]), u("weight_sq", [m, n]),
        u("bias_u", [m]), u("bias_v", [m]), u("bias", [m]),
      ];
    case "hadamard":
      return [u("weight_u", [m, n]), u("weight_v", [m, n]), u("weight", [m, n]), u("bias", [m])];
    case "lowrank":
      return [
        u("weight_q", [m, rank, n]), u("weight_lambda", [m, rank], 0), u("weight", [m, n]),
        u("bias", [m]),
      ];
    default:
      throw new Error(`form must be one of ${FORM_NAMES.join(", ")}, got ${form}`);
  }
}

export function sizeOf(shape) {
  return shape.reduce((a, b) => a * b, 1);
}

// Fresh parameters {name: Float64Array} drawn with rng.uniform().
export function initParams(form, n, m, rank, rng) {
  const P = {};
  for (const { name, shape, fanIn } of formParams(form, n, m, rank)) {
    const data = new Float64Array(sizeOf(shape));
    const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
    for (let i = 0; i < data.length; i++) data[i] = bound * (2 * rng.uniform() - 1);
    P[name] = data;
  }
  return P;
}

// n, m and the rank of a layer, read off its parameters' shapes ({name: shape}).
export function layerSizes(form, shapes) {
  const need = (name) => {
    if (!shapes[name]) throw new Error(`the ${form} state has no ${name}`);
    return shapes[name];
  };
  if (form === "lowrank") {
    const [m, k, n] = need("weight_q");
    return { n, m, rank: k };
  }
  if (form === "full") {
    const [m, p] = need("weight_quad");
    return { n: Math.round((Math.sqrt(8 * p + 1) - 1) / 2), m, rank: 1 };
  }
  const first = { linear: "weight", diagonal: "weight_sq", fan: "weight_u", hadamard: "weight_u" };
  if (!(form in first)) throw new Error(`form must be one of ${FORM_NAMES.join(", ")}, got ${form}`);
  const [m, n] = need(first[form]);
  return { n, m, rank: 1 };
}

function dot(W, row, n, x, xo) {
  let s = 0;
  for (let i = 0; i < n; i++) s += W[row * n + i] * x[xo + i];
  return s;
}

// Two inputs (the playground's plane) get loops written out for x = (x0, x1): the grid behind
// every redraw is 40,000 points, and these run about ten times faster than the general loops
// below them (which serve any n, and are tested with n = 3).
const FORWARD_2D = {
  linear(P, X, N, m, Y) {
    const { weight: w, bias: c } = P;
    for (let s = 0; s < N; s++) {
      const x0 = X[2 * s], x1 = X[2 * s + 1];
      for (let j = 0; j < m; j++) Y[s * m + j] = w[2 * j] * x0 + w[2 * j + 1] * x1 + (c ? c[j] : 0);
    }
  },
  diagonal(P, X, N, m, Y) {
    const { weight_sq: q, weight: w, bias: c } = P;
    for (let s = 0; s < N; s++) {
      const x0 = X[2 * s], x1 = X[2 * s + 1];
      for (let j = 0; j < m; j++) {
        let y = q[2 * j] * x0 * x0 + q[2 * j + 1] * x1 * x1 + (c ? c[j] : 0);
        if (w) y += w[2 * j] * x0 + w[2 * j + 1] * x1;
        Y[s * m + j] = y;
      }
    }
  },
  full(P, X, N, m, Y) {
    const { weight_quad: W, weight: w, bias: c } = P;
    for (let s = 0; s < N; s++) {
      const x0 = X[2 * s], x1 = X[2 * s + 1];
      for (let j = 0; j < m; j++) {
        let y = W[3 * j] * x0 * x0 + W[3 * j + 1] * x0 * x1 + W[3 * j + 2] * x1 * x1 + (c ? c[j] : 0);
        if (w) y += w[2 * j] * x0 + w[2 * j + 1] * x1;
        Y[s * m + j] = y;
      }
    }
  },
  fan(P, X, N, m, Y) {
    const { weight_u: U, weight_v: V, weight_sq: q, bias_u: u0, bias_v: v0, bias: c } = P;
    for (let s = 0; s < N; s++) {
      const x0 = X[2 * s], x1 = X[2 * s + 1];
      for (let j = 0; j < m; j++) {
        const r = U[2 * j] * x0 + U[2 * j + 1] * x1 + (u0 ? u0[j] : 0);
        const g = V[2 * j] * x0 + V[2 * j + 1] * x1 + (v0 ? v0[j] : 0);
        Y[s * m + j] = r * g + q[2 * j] * x0 * x0 + q[2 * j + 1] * x1 * x1 + (c ? c[j] : 0);
      }
    }
  },
  hadamard(P, X, N, m, Y) {
    const { weight_u: U, weight_v: V, weight: w, bias: c } = P;
    for (let s = 0; s < N; s++) {
      const x0 = X[2 * s], x1 = X[2 * s + 1];
      for (let j = 0; j < m; j++) {
        let y = (U[2 * j] * x0 + U[2 * j + 1] * x1) * (V[2 * j] * x0 + V[2 * j + 1] * x1) + (c ? c[j] : 0);
        if (w) y += w[2 * j] * x0 + w[2 * j + 1] * x1;
        Y[s * m + j] = y;
      }
    }
  },
  lowrank(P, X, N, m, Y, rank) {
    const { weight_q: Q, weight_lambda: lam, weight: w, bias: c } = P;
    for (let s = 0; s < N; s++) {
      const x0 = X[2 * s], x1 = X[2 * s + 1];
      for (let j = 0; j < m; j++) {
        let y = c ? c[j] : 0;
        if (w) y += w[2 * j] * x0 + w[2 * j + 1] * x1;
        for (let k = 0; k < rank; k++) {
          const row = j * rank + k;
          const f = Q[2 * row] * x0 + Q[2 * row + 1] * x1;
          y += (f * f * lam[row]) / rank;
        }
        Y[s * m + j] = y;
      }
    }
  },
};

// The same for any n.
function linearPart(P, X, N, n, m, Y) {
  const w = P.weight;
  const c = P.bias;
  for (let s = 0; s < N; s++) {
    for (let j = 0; j < m; j++) {
      let y = c ? c[j] : 0;
      if (w) for (let i = 0; i < n; i++) y += w[j * n + i] * X[s * n + i];
      Y[s * m + j] = y;
    }
  }
}

const FORWARD = {
  linear(P, X, N, n, m, Y) {
    linearPart(P, X, N, n, m, Y);
  },
  diagonal(P, X, N, n, m, Y) {
    linearPart(P, X, N, n, m, Y);
    const q = P.weight_sq;
    for (let s = 0; s < N; s++) {
      for (let j = 0; j < m; j++) {
        let y = 0;
        for (let i = 0; i < n; i++) y += q[j * n + i] * X[s * n + i] * X[s * n + i];
        Y[s * m + j] += y;
      }
    }
  },
  full(P, X, N, n, m, Y) {
    linearPart(P, X, N, n, m, Y);
    const W = P.weight_quad;
    const p = (n * (n + 1)) / 2;
    for (let s = 0; s < N; s++) {
      const xo = s * n;
      for (let j = 0; j < m; j++) {
        let y = 0;
        let t = j * p;
        for (let i = 0; i < n; i++) {
          const xi = X[xo + i];
          for (let k = i; k < n; k++) y += W[t++] * xi * X[xo + k];
        }
        Y[s * m + j] += y;
      }
    }
  },
  fan(P, X, N, n, m, Y) {
    const { weight_u: U, weight_v: V, weight_sq: q, bias_u: u0, bias_v: v0, bias: c } = P;
    for (let s = 0; s < N; s++) {
      const xo = s * n;
      for (let j = 0; j < m; j++) {
        let r = u0 ? u0[j] : 0;
        let g = v0 ? v0[j] : 0;
        let y = c ? c[j] : 0;
        for (let i = 0; i < n; i++) {
          const x = X[xo + i];
          r += U[j * n + i] * x;
          g += V[j * n + i] * x;
          y += q[j * n + i] * x * x;
        }
        Y[s * m + j] = y + r * g;
      }
    }
  },
  hadamard(P, X, N, n, m, Y) {
    linearPart(P, X, N, n, m, Y);
    const { weight_u: U, weight_v: V } = P;
    for (let s = 0; s < N; s++) {
      const xo = s * n;
      for (let j = 0; j < m; j++) {
        let a = 0;
        let b = 0;
        for (let i = 0; i < n; i++) {
          a += U[j * n + i] * X[xo + i];
          b += V[j * n + i] * X[xo + i];
        }
        Y[s * m + j] += a * b;
      }
    }
  },
  lowrank(P, X, N, n, m, Y, rank) {
    linearPart(P, X, N, n, m, Y);
    const { weight_q: Q, weight_lambda: lam } = P;
    for (let s = 0; s < N; s++) {
      const xo = s * n;
      for (let j = 0; j < m; j++) {
        let y = 0;
        for (let k = 0; k < rank; k++) {
          const f = dot(Q, j * rank + k, n, X, xo);
          y += (f * f * lam[j * rank + k]) / rank;
        }
        Y[s * m + j] += y;
      }
    }
  },
};

// Y (N * m) = the layer applied to X (N * n).
export function layerForward(form, P, X, N, n, m, Y, rank = 1) {
  if (!FORWARD[form]) throw new Error(`form must be one of ${FORM_NAMES.join(", ")}, got ${form}`);
  if (n === 2) FORWARD_2D[form](P, X, N, m, Y, rank);
  else FORWARD[form](P, X, N, n, m, Y, rank);
}

// Accumulate the gradients of a loss L into G {name: Float64Array} (and dX, N * n, when given)
// from dY = dL/dY (N * m).
export function layerBackward(form, P, X, N, n, m, dY, G, dX, rank = 1) {
  for (let s = 0; s < N; s++) {
    const xo = s * n;
    for (let j = 0; j < m; j++) {
      const g = dY[s * m + j];
      if (g === 0) continue; // a ReLU that is off passes nothing back
      // the linear term w.x + c, shared by most forms
      if (G.bias && form !== "fan") G.bias[j] += g;
      if (P.weight) {
        for (let i = 0; i < n; i++) {
          G.weight[j * n + i] += g * X[xo + i];
          if (dX) dX[xo + i] += g * P.weight[j * n + i];
        }
      }
      switch (form) {
        case "linear":
          break;
        case "diagonal":
          for (let i = 0; i < n; i++) {
            const x = X[xo + i];
            G.weight_sq[j * n + i] += g * x * x;
            if (dX) dX[xo + i] += 2 * g * P.weight_sq[j * n + i] * x;
          }
          break;
        case "full": {
          const p = (n * (n + 1)) / 2;
          let t = j * p;
          for (let i = 0; i < n; i++) {
            for (let k = i; k < n; k++, t++) {
              G.weight_quad[t] += g * X[xo + i] * X[xo + k];
              if (dX) {
                dX[xo + i] += g * P.weight_quad[t] * X[xo + k];
                dX[xo + k] += g * P.weight_quad[t] * X[xo + i];
              }
            }
          }
          break;
        }
        case "fan": {
          const r = dot(P.weight_u, j, n, X, xo) + (P.bias_u ? P.bias_u[j] : 0);
          const h = dot(P.weight_v, j, n, X, xo) + (P.bias_v ? P.bias_v[j] : 0);
          if (G.bias) {
            G.bias[j] += g;
            G.bias_u[j] += g * h;
            G.bias_v[j] += g * r;
          }
          for (let i = 0; i < n; i++) {
            const x = X[xo + i];
            G.weight_u[j * n + i] += g * h * x;
            G.weight_v[j * n + i] += g * r * x;
            G.weight_sq[j * n + i] += g * x * x;
            if (dX) {
              dX[xo + i] += g * (h * P.weight_u[j * n + i] + r * P.weight_v[j * n + i] +
                2 * P.weight_sq[j * n + i] * x);
            }
          }
          break;
        }
        case "hadamard": {
          const a = dot(P.weight_u, j, n, X, xo);
          const b = dot(P.weight_v, j, n, X, xo);
          for (let i = 0; i < n; i++) {
            const x = X[xo + i];
            G.weight_u[j * n + i] += g * b * x;
            G.weight_v[j * n + i] += g * a * x;
            if (dX) dX[xo + i] += g * (b * P.weight_u[j * n + i] + a * P.weight_v[j * n + i]);
          }
          break;
        }
        case "lowrank":
          for (let k = 0; k < rank; k++) {
            const row = j * rank + k;
            const lam = P.weight_lambda[row];
            const f = dot(P.weight_q, row, n, X, xo);
            G.weight_lambda[row] += (g * f * f) / rank;
            const gf = (2 * g * lam * f) / rank; // dL/df
            for (let i = 0; i < n; i++) {
              G.weight_q[row * n + i] += gf * X[xo + i];
              if (dX) dX[xo + i] += gf * P.weight_q[row * n + i];
            }
          }
          break;
        default:
          throw new Error(`form must be one of ${FORM_NAMES.join(", ")}, got ${form}`);
      }
    }
  }
}

// The explicit quadric of neuron j, {A (n x n, symmetric), b (n), c}, as the layer's
// as_quadric() gives it.
export function neuronQuadric(form, P, n, j, rank = 1) {
  const A = Array.from({ length: n }, () => new Array(n).fill(0));
  const b = new Array(n).fill(0);
  let c = P.bias ? P.bias[j] : 0;
  if (P.weight) for (let i = 0; i < n; i++) b[i] = P.weight[j * n + i];
  const outer = (U, V) => {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        A[i][k] += (U[j * n + i] * V[j * n + k] + U[j * n + k] * V[j * n + i]) / 2;
      }
    }
  };
  switch (form) {
    case "linear":
      break;
    case "diagonal":
      for (let i = 0; i < n; i++) A[i][i] = P.weight_sq[j * n + i];
      break;
    case "full": {
      let t = (j * n * (n + 1)) / 2;
      for (let i = 0; i < n; i++) {
        for (let k = i; k < n; k++, t++) {
          if (i === k) A[i][i] = P.weight_quad[t];
          else A[i][k] = A[k][i] = P.weight_quad[t] / 2;
        }
      }
      break;
    }
    case "fan": {
      outer(P.weight_u, P.weight_v);
      for (let i = 0; i < n; i++) A[i][i] += P.weight_sq[j * n + i];
      const u0 = P.bias_u ? P.bias_u[j] : 0;
      const v0 = P.bias_v ? P.bias_v[j] : 0;
      for (let i = 0; i < n; i++) b[i] = v0 * P.weight_u[j * n + i] + u0 * P.weight_v[j * n + i];
      c = u0 * v0 + (P.bias ? P.bias[j] : 0);
      break;
    }
    case "hadamard":
      outer(P.weight_u, P.weight_v);
      break;
    case "lowrank":
      for (let k = 0; k < rank; k++) {
        const row = j * rank + k;
        const lam = P.weight_lambda[row] / rank;
        for (let i = 0; i < n; i++) {
          for (let l = 0; l < n; l++) {
            A[i][l] += lam * P.weight_q[row * n + i] * P.weight_q[row * n + l];
          }
        }
      }
      break;
    default:
      throw new Error(`form must be one of ${FORM_NAMES.join(", ")}, got ${form}`);
  }
  return { A, b, c };
}

// -- nested lists (what Python's state_dict() becomes in JSON) <-> flat arrays ------------
export function shapeOf(nested) {
  const shape = [];
  for (let v = nested; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

export function flatten(nested) {
  const shape = shapeOf(nested);
  const data = Float64Array.from(Array.isArray(nested) ? nested.flat(Infinity) : [nested]);
  return { data, shape };
}

export function unflatten(data, shape) {
  if (shape.length === 0) return data[0];
  const build = (offset, dim) => {
    if (dim === shape.length - 1) return Array.from(data.subarray(offset, offset + shape[dim]));
    const stride = sizeOf(shape.slice(dim + 1));
    return Array.from({ length: shape[dim] }, (_, i) => build(offset + i * stride, dim + 1));
  };
  return build(0, 0);
}

// {name: nested} -> {P: {name: Float64Array}, shapes: {name: shape}, n, m, rank}, checking the
// names against the form (an unknown or missing entry is an error, as in load_state_dict).
export function stateToParams(form, state) {
  const P = {};
  const shapes = {};
  for (const [name, value] of Object.entries(state)) {
    const { data, shape } = flatten(value);
    P[name] = data;
    shapes[name] = shape;
  }
  const sizes = layerSizes(form, shapes);
  const expected = formParams(form, sizes.n, sizes.m, sizes.rank);
  const optional = new Set(["weight", "bias", "bias_u", "bias_v"]);
  for (const { name, shape } of expected) {
    if (!(name in P)) {
      if (optional.has(name) && !(form === "linear" && name === "weight")) continue;
      throw new Error(`the ${form} state has no ${name}`);
    }
    if (shapes[name].join() !== shape.join()) {
      throw new Error(`${name} must have shape [${shape}], got [${shapes[name]}]`);
    }
  }
  const known = new Set(expected.map((e) => e.name));
  for (const name of Object.keys(P)) {
    if (!known.has(name)) throw new Error(`the ${form} form has no parameter ${name}`);
  }
  return { P, shapes, ...sizes };
}

// The page's hook: forward(form, state, X) -> N arrays of m outputs, for one layer.
export function forward(form, state, X) {
  const { P, n, m, rank } = stateToParams(form, state);
  const N = X.length;
  const x = Float64Array.from(X.flat());
  if (x.length !== N * n) throw new Error(`X must be N arrays of ${n} inputs`);
  const Y = new Float64Array(N * m);
  layerForward(form, P, x, N, n, m, Y, rank);
  return unflatten(Y, [N, m]);
}

// backward(form, state, X, dY) -> {grads: {name: nested}, dX: nested}: the gradients of any
// loss L whose gradient with respect to the outputs is dY (N arrays of m).
export function backward(form, state, X, dY) {
  const { P, shapes, n, m, rank } = stateToParams(form, state);
  const N = X.length;
  const x = Float64Array.from(X.flat());
  const G = {};
  for (const name of Object.keys(P)) G[name] = new Float64Array(P[name].length);
  const dX = new Float64Array(N * n);
  layerBackward(form, P, x, N, n, m, Float64Array.from(dY.flat()), G, dX, rank);
  const grads = {};
  for (const name of Object.keys(G)) grads[name] = unflatten(G[name], shapes[name]);
  return { grads, dX: unflatten(dX, [N, n]) };
}
