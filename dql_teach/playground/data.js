// The playground's datasets and random numbers: numbers only, no DOM.
//
// The five 2-D datasets of dql_teach.make_dataset, drawn from the same distributions with the
// same formulas (the circles and moons are scikit-learn's make_circles(factor=0.5) and
// make_moons). The page has its own random generator, so a seed gives the same points on
// every page load but not the points numpy draws for that seed: the noise-free circles and
// moons match the library's exactly, the others match in distribution (tests/js/data.test.mjs).

// Each dataset's default noise, as dql_teach.DATASETS has it (a Node test compares them).
export const DATASET_NOISE = {
  circles: 0.05,
  moons: 0.1,
  xor: 0.0,
  spirals: 0.02,
  gaussians: 0.0,
};

export const DATASET_NAMES = Object.keys(DATASET_NOISE);

// The two classes of the "gaussians" dataset (dql_teach.GAUSSIANS).
export const GAUSSIAN_CLASSES = {
  means: [[0.0, 0.0], [0.6, 0.4]],
  covariances: [[[0.15, 0.08], [0.08, 0.1]], [[0.6, -0.2], [-0.2, 0.4]]],
};

// mulberry32: a small, fast 32-bit generator; good enough for data and initial weights.
export function makeRng(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare = null;
  const normal = () => {
    // Box-Muller; the second value of each pair is kept for the next call
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - uniform(); // (0, 1]: log(u) is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return { uniform, normal };
}

// A seed for one purpose (data, weights, split) derived from the reader's seed.
export function subSeed(seed, purpose) {
  let h = (Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(purpose, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

function linspace(start, stop, count, endpoint) {
  const out = new Float64Array(count);
  const div = endpoint ? count - 1 : count;
  const step = div > 0 ? (stop - start) / div : 0;
  for (let i = 0; i < count; i++) out[i] = start + i * step;
  return out;
}

function twoArcs(n, outer, inner) {
  // class 0: n // 2 points outer(i), class 1: the other n - n // 2 points inner(i)
  const n0 = Math.floor(n / 2);
  const X = new Float64Array(2 * n);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const [a, b] = i < n0 ? outer(i) : inner(i - n0);
    X[2 * i] = a;
    X[2 * i + 1] = b;
    y[i] = i < n0 ? 0 : 1;
  }
  return { X, y };
}

const GENERATORS = {
  circles(n) {
    // scikit-learn's make_circles(factor=0.5): outer circle class 0, inner class 1
    const t0 = linspace(0, 2 * Math.PI, Math.floor(n / 2), false);
    const t1 = linspace(0, 2 * Math.PI, n - Math.floor(n / 2), false);
    return twoArcs(
      n,
      (i) => [Math.cos(t0[i]), Math.sin(t0[i])],
      (i) => [0.5 * Math.cos(t1[i]), 0.5 * Math.sin(t1[i])],
    );
  },
  moons(n) {
    // scikit-learn's make_moons: the upper arc class 0, the lower one class 1
    const t0 = linspace(0, Math.PI, Math.floor(n / 2), true);
    const t1 = linspace(0, Math.PI, n - Math.floor(n / 2), true);
    return twoArcs(
      n,
      (i) => [Math.cos(t0[i]), Math.sin(t0[i])],
      (i) => [1 - Math.cos(t1[i]), 1 - Math.sin(t1[i]) - 0.5],
    );
  },
  xor(n, rng) {
    // label 1 where x1 x2 > 0 (the noise is added afterwards, as in the library)
    const X = new Float64Array(2 * n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      X[2 * i] = 2 * rng.uniform() - 1;
      X[2 * i + 1] = 2 * rng.uniform() - 1;
      y[i] = X[2 * i] * X[2 * i + 1] > 0 ? 1 : 0;
    }
    return { X, y };
  },
  spirals(n, rng) {
    const n0 = Math.floor(n / 2);
    const X = new Float64Array(2 * n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const t = Math.sqrt(rng.uniform()) * 3 * Math.PI; // sqrt: even density along the arm
      y[i] = i >= n0 ? 1 : 0;
      const angle = t + Math.PI * y[i];
      X[2 * i] = (t * Math.cos(angle)) / (3 * Math.PI);
      X[2 * i + 1] = (t * Math.sin(angle)) / (3 * Math.PI);
    }
    return { X, y };
  },
  gaussians(n, rng, noise) {
    // the library adds the noise to the covariance (S + noise^2 I), not to the points
    const n0 = Math.floor(n / 2);
    const X = new Float64Array(2 * n);
    const y = new Uint8Array(n);
    const chol = GAUSSIAN_CLASSES.covariances.map(([[a, b], [, d]]) => {
      const l11 = Math.sqrt(a + noise * noise);
      const l21 = b / l11;
      return [l11, l21, Math.sqrt(d + noise * noise - l21 * l21)];
    });
    for (let i = 0; i < n; i++) {
      const k = i < n0 ? 0 : 1;
      const [l11, l21, l22] = chol[k];
      const [m1, m2] = GAUSSIAN_CLASSES.means[k];
      const z1 = rng.normal();
      const z2 = rng.normal();
      X[2 * i] = m1 + l11 * z1;
      X[2 * i + 1] = m2 + l21 * z1 + l22 * z2;
      y[i] = k;
    }
    return { X, y };
  },
};

function shuffleInPlace(X, y, rng) {
  for (let i = y.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [y[i], y[j]] = [y[j], y[i]];
    for (let d = 0; d < 2; d++) [X[2 * i + d], X[2 * j + d]] = [X[2 * j + d], X[2 * i + d]];
  }
}

// makeDataset(name, n, noise, seed) -> {X: Float64Array (n * 2, row-major), y: Uint8Array (n)}
export function makeDataset(name, n, noise, seed) {
  const generate = GENERATORS[name];
  if (!generate) throw new Error(`dataset must be one of ${DATASET_NAMES.join(", ")}, got ${name}`);
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`n must be a positive integer, got ${n}`);
  const sigma = noise === undefined || noise === null ? DATASET_NOISE[name] : noise;
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw new Error(`noise must be >= 0, got ${noise}`);
  const rng = makeRng(seed);
  const data = generate(n, rng, sigma);
  if (name !== "gaussians" && sigma > 0) {
    for (let i = 0; i < data.X.length; i++) data.X[i] += sigma * rng.normal();
  }
  shuffleInPlace(data.X, data.y, rng);
  return { X: data.X, y: data.y, n };
}

// splitDataset(data, testFraction, seed) -> {train, test}: a random split, each a dataset.
export function splitDataset(data, testFraction, seed) {
  const n = data.y.length;
  const nTest = Math.min(n - 1, Math.round(n * testFraction));
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = makeRng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const take = (indices) => {
    const X = new Float64Array(2 * indices.length);
    const y = new Uint8Array(indices.length);
    indices.forEach((src, dst) => {
      X[2 * dst] = data.X[2 * src];
      X[2 * dst + 1] = data.X[2 * src + 1];
      y[dst] = data.y[src];
    });
    return { X, y, n: indices.length };
  };
  return { train: take(order.slice(nTest)), test: take(order.slice(0, nTest)) };
}

// The square view [x0, x1] x [y0, y1] that shows every point with a margin.
export function dataBounds(X, margin = 0.15) {
  let lo0 = Infinity, hi0 = -Infinity, lo1 = Infinity, hi1 = -Infinity;
  for (let i = 0; i < X.length; i += 2) {
    lo0 = Math.min(lo0, X[i]);
    hi0 = Math.max(hi0, X[i]);
    lo1 = Math.min(lo1, X[i + 1]);
    hi1 = Math.max(hi1, X[i + 1]);
  }
  if (!Number.isFinite(lo0)) return [-1, 1, -1, 1];
  const half = Math.max(hi0 - lo0, hi1 - lo1, 1e-6) * (0.5 + margin);
  const c0 = (lo0 + hi0) / 2;
  const c1 = (lo1 + hi1) / 2;
  return [c0 - half, c0 + half, c1 - half, c1 + half];
}
