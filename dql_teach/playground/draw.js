// Drawing the playground on <canvas>: decision regions, data, each neuron's conic, the loss
// curve. Takes numbers (grids, points, curves) and a canvas; computes nothing about the model.
//
// Every canvas is sized to its CSS box times devicePixelRatio, so lines and markers stay crisp
// on a phone's or a laptop's high-density screen; colours come from CSS custom properties on
// the playground's root (light and dark themes set them: playground.css).

import { contourLines } from "./conic.js";

// Okabe-Ito colours for the neurons' curves (the two class colours are kept for the classes).
export const CURVE_COLOURS = ["#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#F0E442"];
export const CURVE_DASHES = [
  [6, 4],
  [2, 3],
  [9, 3, 2, 3],
  [4, 4],
  [1, 3],
];

function parseColour(text, fallback) {
  const hex = /^#([0-9a-f]{6})$/i.exec((text || "").trim());
  if (!hex) return fallback;
  const v = parseInt(hex[1], 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

// The theme's colours, read from the root's CSS custom properties.
export function themeColours(root) {
  const css = root && typeof getComputedStyle === "function" ? getComputedStyle(root) : null;
  const get = (name, fallback) => (css && css.getPropertyValue(name).trim()) || fallback;
  return {
    class0: get("--dqlp-class0", "#0072B2"),
    class1: get("--dqlp-class1", "#E69F00"),
    background: get("--dqlp-plot-bg", "#ffffff"),
    foreground: get("--dqlp-fg", "#222222"),
    muted: get("--dqlp-muted", "#6b6b6b"),
    boundary: get("--dqlp-boundary", "#000000"),
    gridline: get("--dqlp-gridline", "#d9d9d9"),
  };
}

// Size a canvas's bitmap to its CSS box x devicePixelRatio; returns its 2-D context, scaled so
// that drawing is in CSS pixels, and the CSS size.
export function fitCanvas(canvas) {
  const dpr = (typeof window !== "undefined" && window.devicePixelRatio) || 1;
  const width = Math.max(1, canvas.clientWidth || Number(canvas.getAttribute("width")) || 300);
  const height = Math.max(1, canvas.clientHeight || width);
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(w / width, 0, 0, h / height, 0, 0);
  return { ctx, width, height };
}

// A 256-entry colour table over p = sigmoid(logit): class 0's colour below 1/2, class 1's above,
// paler near the boundary, so the markers stay visible on both.
function regionTable(colours) {
  const bg = parseColour(colours.background, [255, 255, 255]);
  const c0 = parseColour(colours.class0, [0, 114, 178]);
  const c1 = parseColour(colours.class1, [230, 159, 0]);
  const table = new Uint8ClampedArray(256 * 4);
  for (let k = 0; k < 256; k++) {
    const p = k / 255;
    const strength = Math.min(1, Math.abs(2 * p - 1));
    const alpha = 0.16 + 0.42 * Math.sqrt(strength);
    const c = p >= 0.5 ? c1 : c0;
    for (let d = 0; d < 3; d++) table[4 * k + d] = bg[d] + (c[d] - bg[d]) * alpha;
    table[4 * k + 3] = 255;
  }
  return table;
}

let regionCanvas = null; // one scratch canvas for every playground's R x R image

function drawRegions(ctx, logits, R, size, colours) {
  if (!regionCanvas) regionCanvas = document.createElement("canvas");
  if (regionCanvas.width !== R) regionCanvas.width = regionCanvas.height = R;
  const rctx = regionCanvas.getContext("2d");
  const image = rctx.createImageData(R, R);
  const px = image.data;
  const table = regionTable(colours);
  for (let j = 0; j < R; j++) {
    const row = (R - 1 - j) * R; // grid row 0 is the bottom edge, image row 0 the top
    for (let i = 0; i < R; i++) {
      const z = logits[j * R + i];
      const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      const k = 4 * (Number.isFinite(p) ? Math.round(p * 255) : 128);
      const o = 4 * (row + i);
      px[o] = table[k];
      px[o + 1] = table[k + 1];
      px[o + 2] = table[k + 2];
      px[o + 3] = 255;
    }
  }
  rctx.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(regionCanvas, 0, 0, size, size);
}

function drawAxes(ctx, bounds, size, colours) {
  const [x0, x1, y0, y1] = bounds;
  const sx = (x) => ((x - x0) / (x1 - x0)) * size;
  const sy = (y) => size - ((y - y0) / (y1 - y0)) * size;
  const step = niceStep((x1 - x0) / 4);
  ctx.save();
  ctx.lineWidth = 1;
  ctx.strokeStyle = colours.gridline;
  ctx.globalAlpha = 0.55;
  ctx.beginPath();
  for (let v = Math.ceil(x0 / step) * step; v <= x1; v += step) {
    const x = Math.round(sx(v)) + 0.5;
    ctx.moveTo(x, 0);
    ctx.lineTo(x, size);
  }
  for (let v = Math.ceil(y0 / step) * step; v <= y1; v += step) {
    const y = Math.round(sy(v)) + 0.5;
    ctx.moveTo(0, y);
    ctx.lineTo(size, y);
  }
  ctx.stroke();
  ctx.globalAlpha = 1;
  ctx.fillStyle = colours.muted;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "bottom";
  for (let v = Math.ceil(x0 / step) * step; v <= x1 - step / 2; v += step) {
    if (Math.abs(v) < step / 2 && v !== 0) continue;
    ctx.fillText(formatTick(v), sx(v) + 2, size - 2);
  }
  ctx.textBaseline = "top";
  for (let v = Math.ceil(y0 / step) * step; v <= y1 - step / 2; v += step) {
    ctx.fillText(formatTick(v), 2, sy(v) + 2);
  }
  ctx.restore();
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * power;
}

function formatTick(v) {
  return String(Number(v.toFixed(6))).replace("-", "−");
}

function drawCurve(ctx, values, R, size, style) {
  const lines = contourLines(values, R, R, style.stride || 1, style.offset || 0, style.step || 1);
  if (!lines.length) return 0;
  const cell = size / R;
  let vertices = 0;
  ctx.save();
  ctx.beginPath();
  for (const line of lines) {
    // grid index g sits at the centre of pixel g: (g + 0.5) cells from the edge
    ctx.moveTo((line[0] + 0.5) * cell, size - (line[1] + 0.5) * cell);
    for (let k = 2; k < line.length; k += 2) {
      ctx.lineTo((line[k] + 0.5) * cell, size - (line[k + 1] + 0.5) * cell);
    }
    vertices += line.length / 2;
  }
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  if (style.halo) {
    // a pale underlay keeps a dark curve readable on both region colours
    ctx.strokeStyle = style.halo;
    ctx.lineWidth = style.width + 2.5;
    ctx.globalAlpha = 0.7;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }
  ctx.setLineDash(style.dash || []);
  ctx.strokeStyle = style.colour;
  ctx.lineWidth = style.width;
  ctx.stroke();
  ctx.restore();
  return vertices;
}

function drawPoints(ctx, data, bounds, size, colours, isTest) {
  const [x0, x1, y0, y1] = bounds;
  const r = size < 300 ? 3 : 3.6;
  const outline = isTest ? colours.foreground : colours.background;
  ctx.save();
  // class 0: filled circles
  ctx.beginPath();
  for (let s = 0; s < data.n; s++) {
    if (data.y[s] !== 0) continue;
    const x = ((data.X[2 * s] - x0) / (x1 - x0)) * size;
    const y = size - ((data.X[2 * s + 1] - y0) / (y1 - y0)) * size;
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  }
  ctx.fillStyle = colours.class0;
  ctx.fill();
  ctx.lineWidth = isTest ? 1.6 : 1;
  ctx.strokeStyle = outline;
  ctx.stroke();
  // class 1: upward triangles, the book's marker for class 1 (viz.style.CLASS_SYMBOLS), of
  // about the circles' area
  const t = 1.5 * r;
  ctx.beginPath();
  for (let s = 0; s < data.n; s++) {
    if (data.y[s] !== 1) continue;
    const x = ((data.X[2 * s] - x0) / (x1 - x0)) * size;
    const y = size - ((data.X[2 * s + 1] - y0) / (y1 - y0)) * size;
    ctx.moveTo(x, y - t);
    ctx.lineTo(x + 0.866 * t, y + 0.5 * t);
    ctx.lineTo(x - 0.866 * t, y + 0.5 * t);
    ctx.closePath();
  }
  ctx.fillStyle = colours.class1;
  ctx.fill();
  ctx.lineJoin = "round";
  ctx.stroke(); // the circles' outline (colour and width set above): train and test alike
  ctx.restore();
}

// The main picture. scene: {logits (R * R), R, bounds, curves: [{values, stride, offset (grid
// point k at values[offset + stride * k]), step (trace every step-th grid line), colour, dash,
// width, halo}], train, test: datasets
// {X, y, n}, colours}. Returns the number of curve vertices and where the time went (ms).
export function drawScene(canvas, scene) {
  const t0 = performance.now();
  const { ctx, width } = fitCanvas(canvas);
  const size = width;
  const colours = scene.colours;
  ctx.clearRect(0, 0, size, size);
  drawRegions(ctx, scene.logits, scene.R, size, colours);
  const t1 = performance.now();
  drawAxes(ctx, scene.bounds, size, colours);
  let vertices = 0;
  for (const curve of scene.curves) vertices += drawCurve(ctx, curve.values, scene.R, size, curve);
  const t2 = performance.now();
  drawPoints(ctx, scene.train, scene.bounds, size, colours, false);
  if (scene.test && scene.test.n) drawPoints(ctx, scene.test, scene.bounds, size, colours, true);
  const t3 = performance.now();
  return { vertices, regions: t1 - t0, curves: t2 - t1, points: t3 - t2 };
}

// The loss per epoch (train solid, test dashed), on a log axis when it spans a decade or more.
export function drawLoss(canvas, train, test, colours) {
  const { ctx, width, height } = fitCanvas(canvas);
  ctx.clearRect(0, 0, width, height);
  const all = train.concat(test).filter((v) => Number.isFinite(v) && v > 0);
  ctx.fillStyle = colours.muted;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "top";
  if (!all.length) {
    ctx.fillText("loss: press Train or Step", 4, 4);
    return;
  }
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  const log = hi / lo >= 10;
  const f = log ? Math.log10 : (v) => v;
  if (!log) lo = 0;
  const top = f(hi);
  const bottom = log ? f(lo) : 0;
  const pad = { l: 4, r: 4, t: 16, b: 4 };
  const plotW = width - pad.l - pad.r;
  const plotH = height - pad.t - pad.b;
  const epochs = Math.max(train.length, 2);
  const line = (values, colour, dash) => {
    if (values.length < 1) return;
    ctx.beginPath();
    const stride = Math.max(1, Math.floor(values.length / (2 * plotW))); // at most 2 points per px
    for (let e = 0; e < values.length; e += stride) {
      const v = Math.max(values[e], lo);
      const x = pad.l + (e / (epochs - 1)) * plotW;
      const y = pad.t + (1 - (f(v) - bottom) / (top - bottom || 1)) * plotH;
      if (e === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.setLineDash(dash);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.75;
    ctx.stroke();
  };
  line(train, colours.foreground, []);
  line(test, colours.class0, [5, 3]);
  ctx.setLineDash([]);
  ctx.fillStyle = colours.muted;
  const last = train[train.length - 1];
  ctx.fillText(
    `loss ${log ? "(log scale) " : ""}${formatLoss(last)} · ${train.length} epochs`,
    4,
    2,
  );
}

export function formatLoss(v) {
  if (!Number.isFinite(v)) return String(v);
  return v >= 0.01 ? v.toFixed(3) : v.toExponential(1);
}
