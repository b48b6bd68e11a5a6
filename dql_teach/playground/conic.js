// Naming a neuron's conic q(x) = x^T A x + b.x + c = 0, and tracing it on a grid: numbers
// only, no DOM.
//
// classifyConic follows dql_teach.classify_quadric for 2-D quadrics: the signature of A (how
// many eigenvalues are positive, negative, zero) fixes the family, that of the augmented
// matrix M = [[A, b/2], [b/2^T, c]] tells proper conics from degenerate ones. The quadric is
// first scaled so that its largest coefficient is 1 (q = 0 does not change), so huge and tiny
// coefficients classify alike; an eigenvalue counts as zero below 100 float64 epsilons of the
// largest one. tests/js/conic.test.mjs checks the names against the library's.

export const CONIC_TOL = 100 * 2.220446049250313e-16;

// The names of the curves that are not degenerate (the rest: line pairs, a point, nothing).
export const PROPER_CONICS = ["ellipse", "circle", "hyperbola", "parabola"];

// Eigenvalues of a symmetric 3 x 3 (or smaller) matrix, by cyclic Jacobi rotations: accurate
// to rounding, which the signature needs.
export function symmetricEigenvalues(S) {
  const n = S.length;
  const a = S.map((row) => row.slice());
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off === 0 || !Number.isFinite(off)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // rotate columns p and q, then rows p and q
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]).sort((x, y) => x - y);
}

function signatureOf(eig, tol) {
  const scale = Math.max(1, ...eig.map(Math.abs));
  let pos = 0, neg = 0, zero = 0;
  for (const e of eig) {
    if (Math.abs(e) <= tol * scale) zero++;
    else if (e > 0) pos++;
    else neg++;
  }
  return { pos, neg, zero, rank: pos + neg };
}

// classifyConic(A (2 x 2), b (2), c) -> {name, degenerate, eigenvalues}
export function classifyConic(A, b, c, tol = CONIC_TOL) {
  const raw = [A[0][0], (A[0][1] + A[1][0]) / 2, A[1][1], b[0], b[1], c];
  if (!raw.every(Number.isFinite)) return { name: "not finite", degenerate: true, eigenvalues: [] };
  const scale = Math.max(...raw.map(Math.abs));
  const [a11, a12, a22, b1, b2, c0] = scale > 0 ? raw.map((v) => v / scale) : raw;
  const eigA = symmetricEigenvalues([[a11, a12], [a12, a22]]);
  const sA = signatureOf(eigA, tol);
  const M = [[a11, a12, b1 / 2], [a12, a22, b2 / 2], [b1 / 2, b2 / 2, c0]];
  const sM = signatureOf(symmetricEigenvalues(M), tol);
  let name;
  if (sA.rank === 2 && sA.pos * sA.neg === 0) {
    if (sM.rank === 3) {
      const equal = eigA[1] - eigA[0] <= Math.max(tol, 1e-6) * Math.max(1, ...eigA.map(Math.abs));
      name = sM.pos === 3 || sM.neg === 3 ? "empty" : equal ? "circle" : "ellipse";
    } else {
      name = "point";
    }
  } else if (sA.rank === 2) {
    name = sM.rank === 3 ? "hyperbola" : "intersecting lines";
  } else if (sA.rank === 1) {
    if (sM.rank === 3) name = "parabola";
    else if (sM.rank === 2) name = sM.pos && sM.neg ? "parallel lines" : "empty";
    else name = "double line";
  } else {
    name = sM.rank === 2 ? "line" : sM.rank === 1 ? "no curve" : "zero everywhere";
  }
  return { name, degenerate: !PROPER_CONICS.includes(name), eigenvalues: eigA.map((e) => e * (scale || 1)) };
}

// Scratch buffers of contourLines, reused from call to call (a redraw traces up to nine
// curves on a 200 x 200 grid, so nothing is allocated per cell).
const scratch = { size: 0, generation: 0 };

function scratchFor(edges) {
  if (scratch.size < edges) {
    scratch.size = edges;
    scratch.x = new Float64Array(edges); // where the curve crosses each cell edge
    scratch.y = new Float64Array(edges);
    scratch.a = new Int32Array(edges); // the (up to) two edges it runs on to from there
    scratch.b = new Int32Array(edges);
    scratch.seen = new Int32Array(edges); // = generation: the edge has a vertex in this call
    scratch.walked = new Int32Array(edges); // = generation: the edge is on a line already
    scratch.generation = 0;
  }
  scratch.generation += 1;
  return scratch;
}

// Marching squares: the zero set of values (ny rows of nx, row-major, row j at y index j) as
// polylines [[x0, y0, x1, y1, ...], ...] in grid coordinates (x along i, y along j); a closed
// curve ends where it starts. Each vertex lies on a cell edge where the values, linearly
// interpolated along it, cross zero. Grid point (i, j) is values[offset + stride * (j * nx + i)]:
// one neuron of a layer's (points, m) outputs is read in place (stride m, offset its index).
// With step > 1 only every step-th row and column is traced (a coarser, cheaper curve; its
// coordinates stay those of the full grid). Chained into polylines (not loose segments), a
// curve can be dashed and joins smoothly.
export function contourLines(values, fullNx, fullNy, stride = 1, offset = 0, step = 1) {
  const nx = Math.floor((fullNx - 1) / step) + 1; // the traced grid
  const ny = Math.floor((fullNy - 1) / step) + 1;
  // edge ids: the horizontal edge from (i, j) to (i + 1, j) is j nx + i; the vertical edge
  // from (i, j) to (i, j + 1) is nx ny + j nx + i
  const V = nx * ny;
  const { x, y, a, b, seen, walked, generation } = scratchFor(2 * nx * ny);
  const rowStride = stride * step * fullNx; // from grid point (i, j) to (i, j + 1)
  const colStride = stride * step; // ... and to (i + 1, j)
  const used = []; // the edges with a vertex, in the order they were found
  const crossed = new Int32Array(4);
  const vertex = (edge, px, py) => {
    if (seen[edge] !== generation) {
      seen[edge] = generation;
      a[edge] = -1;
      b[edge] = -1;
      x[edge] = px;
      y[edge] = py;
      used.push(edge);
    }
    return edge;
  };
  const link = (e, f) => {
    if (a[e] < 0) a[e] = f;
    else b[e] = f;
    if (a[f] < 0) a[f] = e;
    else b[f] = e;
  };
  // first pass: a vertex on every edge the curve crosses, and the links within each cell
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const k = j * nx + i;
      const at = offset + j * rowStride + i * colStride;
      const v00 = values[at];
      const v10 = values[at + colStride];
      const v01 = values[at + rowStride];
      const v11 = values[at + rowStride + colStride];
      const s00 = v00 > 0;
      const s10 = v10 > 0;
      const s01 = v01 > 0;
      const s11 = v11 > 0;
      if (s00 === s10 && s10 === s11 && s11 === s01) continue;
      // the crossed edges in the order bottom, right, top, left (no closure in this loop:
      // one would cost an allocation per cell)
      let count = 0;
      if (s00 !== s10) crossed[count++] = vertex(k, i + v00 / (v00 - v10), j);
      if (s10 !== s11) crossed[count++] = vertex(V + k + 1, i + 1, j + v10 / (v10 - v11));
      if (s01 !== s11) crossed[count++] = vertex(k + nx, i + v01 / (v01 - v11), j + 1);
      if (s00 !== s01) crossed[count++] = vertex(V + k, i, j + v00 / (v00 - v01));
      if (count === 2) {
        link(crossed[0], crossed[1]);
      } else if (v00 + v10 + v01 + v11 > 0 === s00) {
        // a saddle: the centre's sign joins v00 to v11, cutting off v10 and v01
        link(crossed[0], crossed[1]);
        link(crossed[2], crossed[3]);
      } else {
        link(crossed[0], crossed[3]); // ... or joins v10 to v01, cutting off v00 and v11
        link(crossed[1], crossed[2]);
      }
    }
  }
  // second pass: walk the chains, the open ones from an end first, then the closed loops
  const lines = [];
  const walk = (start) => {
    const line = [step * x[start], step * y[start]];
    walked[start] = generation;
    let previous = -1;
    let current = start;
    for (;;) {
      const next = a[current] >= 0 && a[current] !== previous ? a[current] : b[current];
      if (next < 0) break;
      if (next === start) {
        line.push(step * x[start], step * y[start]); // closed
        break;
      }
      if (walked[next] === generation) break;
      walked[next] = generation;
      line.push(step * x[next], step * y[next]);
      previous = current;
      current = next;
    }
    lines.push(line);
  };
  for (const edge of used) if (walked[edge] !== generation && b[edge] < 0) walk(edge);
  for (const edge of used) if (walked[edge] !== generation) walk(edge);
  return lines;
}

// A polynomial as a person writes it: 1.2x₁² − 0.5x₁x₂ + x₂² − 1 (terms near zero left out).
export function conicText(A, b, c, digits = 2) {
  const terms = [
    [A[0][0], "x₁²"], [A[0][1] + A[1][0], "x₁x₂"], [A[1][1], "x₂²"],
    [b[0], "x₁"], [b[1], "x₂"], [c, ""],
  ];
  const scale = Math.max(...terms.map(([v]) => Math.abs(v)));
  let text = "";
  for (const [v, monomial] of terms) {
    const shown = Number(v.toFixed(digits));
    if (shown === 0 || Math.abs(v) < 1e-9 * scale) continue;
    const magnitude = Math.abs(shown);
    const number = magnitude === 1 && monomial ? "" : String(magnitude);
    const sign = shown < 0 ? "−" : "+";
    text += text ? ` ${sign} ${number}${monomial}` : `${shown < 0 ? "−" : ""}${number}${monomial}`;
  }
  return text || "0";
}
