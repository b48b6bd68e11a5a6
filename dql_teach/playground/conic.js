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

// Marching squares: the zero set of values (ny rows of nx, row-major, row r at y index r) as
// line segments [i0, j0, i1, j1, ...] in grid coordinates (i along x, j along y), each end
// placed where the values, linearly interpolated along a cell edge, cross zero. Grid point
// (i, j) is values[offset + stride * (j * nx + i)]: one neuron of a layer's (points, m) outputs
// is read in place (stride m, offset its index).
export function contourSegments(values, nx, ny, stride = 1, offset = 0) {
  const out = [];
  const cross = (va, vb) => va / (va - vb); // fraction along the edge where the sign flips
  const at = (k) => values[offset + stride * k];
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const v00 = at(j * nx + i);
      const v10 = at(j * nx + i + 1);
      const v01 = at((j + 1) * nx + i);
      const v11 = at((j + 1) * nx + i + 1);
      const code = (v00 > 0) | ((v10 > 0) << 1) | ((v11 > 0) << 2) | ((v01 > 0) << 3);
      if (code === 0 || code === 15) continue;
      // crossing points on the four edges: bottom (00-10), right (10-11), top (01-11), left
      const pts = [];
      if ((v00 > 0) !== (v10 > 0)) pts.push(i + cross(v00, v10), j);
      if ((v10 > 0) !== (v11 > 0)) pts.push(i + 1, j + cross(v10, v11));
      if ((v01 > 0) !== (v11 > 0)) pts.push(i + cross(v01, v11), j + 1);
      if ((v00 > 0) !== (v01 > 0)) pts.push(i, j + cross(v00, v01));
      if (pts.length === 4) {
        out.push(pts[0], pts[1], pts[2], pts[3]);
      } else if (pts.length === 8) {
        // a saddle cell: pair the crossings by the sign at the centre
        const centre = (v00 + v10 + v01 + v11) / 4 > 0;
        if (centre === v00 > 0) {
          out.push(pts[0], pts[1], pts[2], pts[3], pts[4], pts[5], pts[6], pts[7]);
        } else {
          out.push(pts[0], pts[1], pts[6], pts[7], pts[2], pts[3], pts[4], pts[5]);
        }
      }
    }
  }
  return out;
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
