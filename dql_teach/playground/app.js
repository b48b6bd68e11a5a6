// The playground's controller: the state (data, model, optimiser), the training loop and the
// redraw. One controller per root element carrying data-dql-playground (its value is the JSON
// config that dql_teach.playground writes); hooks.js mounts them and publishes the page hooks.
//
// Kept stable for tests: root.dqlPlayground with set({dataset, form, hidden, seed, ...}),
// train(epochs) -> Promise<{accuracy, loss, ms}> (train accuracy as a fraction) and
// render() -> milliseconds.

import {
  DATASET_NAMES,
  DATASET_NOISE,
  dataBounds,
  makeDataset,
  splitDataset,
  subSeed,
} from "./data.js";
import { FORM_NAMES, formParams, neuronQuadric } from "./forms.js";
import { classifyConic, conicText } from "./conic.js";
import {
  Adam,
  evaluate,
  gridEvaluate,
  makeModel,
  modelFromState,
  modelParams,
  parameterCount,
  stateDict,
  trainEpochs,
} from "./train.js";
import {
  CURVE_COLOURS,
  CURVE_DASHES,
  drawLoss,
  drawScene,
  formatLoss,
  themeColours,
} from "./draw.js";
import {
  FORM_LABELS,
  buildLayout,
  buildSliders,
  coefficientEntries,
  el,
  formatPercent,
  hiddenText,
  legendItem,
  modelText,
  syncSliders,
} from "./controls.js";

export const VERSION = "0.1.0";

export const DEFAULTS = {
  dataset: "circles",
  form: "full",
  hidden: 0,
  mode: "train",
  lr: 0.05,
  seed: 0,
  noise: null,
  testFraction: 0.2,
  points: 300,
  epochsPerFrame: 5,
  maxEpochs: 2000,
  resolution: 200,
  size: 360,
  rank: 1,
  title: "",
  state: null,
};

const NO_CURVE = ["zero everywhere", "no curve", "empty", "not finite"];
export const live = new Set(); // mounted controllers, redrawn when the page's theme changes

export class Playground {
  constructor(root, config = {}) {
    this.root = root;
    this.config = { ...DEFAULTS, ...config };
    if (this.config.noise === null) this.config.noise = DATASET_NOISE[this.config.dataset];
    this.running = false;
    this.epoch = 0;
    this.losses = [];
    this.testLosses = [];
    this.message = null;
    root.classList.add("dql-playground");
    if (this.config.size) root.style.setProperty("--dqlp-size", `${this.config.size}px`);
    this.ui = buildLayout(root, this.config, { datasets: DATASET_NAMES, forms: FORM_NAMES });
    this._wire();
    this._newData();
    this._newModel(this.config.state);
    this._frame = this._frame.bind(this);
    if (typeof ResizeObserver === "function") {
      let pending = false;
      this.resizer = new ResizeObserver(() => {
        // redraw on the next frame, outside the observer's callback
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          try {
            if (this.root.isConnected) this.render();
          } catch (error) {
            this._fail(error);
          }
        });
      });
      this.resizer.observe(this.ui.canvas);
    }
    live.add(this);
    this.render();
  }

  // -- the hooks ---------------------------------------------------------------------------
  set(values = {}) {
    this.pause();
    const known = Object.keys(DEFAULTS);
    for (const key of Object.keys(values)) {
      if (!known.includes(key)) throw new Error(`set() knows ${known.join(", ")}; got ${key}`);
    }
    const before = { ...this.config };
    Object.assign(this.config, values);
    const c = this.config;
    if (!DATASET_NAMES.includes(c.dataset)) c.dataset = before.dataset;
    if ((values.dataset !== undefined && values.noise === undefined) || c.noise === null) {
      c.noise = DATASET_NOISE[c.dataset]; // a new dataset comes with its own noise
    }
    if (!FORM_NAMES.includes(c.form)) c.form = before.form;
    c.hidden = Math.max(0, Math.min(8, Math.round(Number(c.hidden)) || 0));
    c.seed = Math.max(0, Math.floor(Number(c.seed)) || 0) >>> 0;
    const changed = (keys) => keys.some((k) => before[k] !== c[k]);
    if (changed(["dataset", "noise", "seed", "testFraction", "points"])) this._newData();
    if (
      values.state !== undefined ||
      changed(["dataset", "noise", "seed", "testFraction", "points", "form", "hidden", "rank"])
    ) {
      this._newModel(values.state !== undefined ? values.state : null);
    } else if (changed(["lr"])) {
      this.optimizer.lr = c.lr;
    }
    this._syncControls();
    this.render();
  }

  train(epochs = 1) {
    this.pause();
    const start = performance.now();
    this._trainChunk(Math.max(0, Math.floor(epochs)));
    const ms = performance.now() - start;
    this.render();
    const { accuracy, loss } = evaluate(this.model, this.data.train);
    return Promise.resolve({ accuracy, loss, ms });
  }

  render() {
    const start = performance.now();
    this._draw();
    return performance.now() - start;
  }

  stateDict() {
    return stateDict(this.model);
  }

  summary() {
    const train = evaluate(this.model, this.data.train);
    const test = evaluate(this.model, this.data.test);
    return {
      epoch: this.epoch,
      accuracy: train.accuracy,
      loss: train.loss,
      testAccuracy: test.accuracy,
      parameters: parameterCount(this.model),
      conics: this.conics().map((q) => q.name),
      message: this.message,
      running: this.running,
      config: { ...this.config, state: null },
    };
  }

  // -- buttons -----------------------------------------------------------------------------
  start() {
    if (this.running) return;
    this._clearMessage(); // a degenerate quadric is named again by the next redraw
    this.running = true;
    this._syncButtons();
    requestAnimationFrame(this._frame);
  }

  pause() {
    this.running = false;
    this._syncButtons();
  }

  step() {
    this.pause();
    this._trainChunk(1);
    this.render();
  }

  reset() {
    this.pause();
    this._newModel(this.config.state);
    this.render();
  }

  // -- internals ---------------------------------------------------------------------------
  _frame() {
    if (!this.running) return;
    if (!this.root.isConnected) {
      this.dispose(); // its cell was re-run or its output cleared
      return;
    }
    try {
      this._trainChunk(this.config.epochsPerFrame);
      if (this.epoch >= this.config.maxEpochs && this.running) {
        this.pause();
        this._showMessage(`Paused after ${this.epoch} epochs; press Train to go on.`, "note");
      }
      this.render();
    } catch (error) {
      this._fail(error);
    }
    if (this.running) requestAnimationFrame(this._frame);
  }

  _fail(error) {
    // an error shows in the playground, never as an uncaught console error
    this.pause();
    this._showMessage(`Something went wrong: ${error.message}. Press Reset.`, "diverged");
  }

  dispose() {
    this.running = false;
    if (this.resizer) this.resizer.disconnect();
    live.delete(this);
  }

  _trainChunk(epochs) {
    const test = this.data.test;
    const result = trainEpochs(this.model, this.optimizer, this.data.train, epochs, () => {
      if (test.n) this.testLosses.push(evaluate(this.model, test).loss);
    });
    this.losses.push(...result.losses);
    this.epoch += result.losses.length;
    if (result.diverged) {
      this.pause();
      this._showMessage(
        `Training diverged at epoch ${this.epoch + 1}: ${result.diverged}. ` +
          `Choose a smaller learning rate (now ${this.config.lr}) and press Reset.`,
        "diverged",
      );
    }
    return result;
  }

  _newData() {
    const c = this.config;
    const all = makeDataset(c.dataset, c.points, c.noise, subSeed(c.seed, 1));
    this.data = splitDataset(all, c.testFraction, subSeed(c.seed, 3));
    this.bounds = dataBounds(all.X);
  }

  _newModel(state) {
    const c = this.config;
    this.model = null;
    this._clearMessage();
    if (state) {
      try {
        this.model = modelFromState(c.form, c.hidden, state);
      } catch (error) {
        this._showMessage(
          `The starting weights do not fit this model (${error.message}); fresh ones are used.`,
          "note",
        );
      }
    }
    if (!this.model) {
      this.model = makeModel({ form: c.form, hidden: c.hidden, rank: c.rank, seed: c.seed });
    }
    this.optimizer = new Adam(modelParams(this.model), c.lr);
    this.epoch = 0;
    this.losses = [];
    this.testLosses = [];
    this._buildSliders();
  }

  conics() {
    const { form, first, m, n, rank } = this.model;
    return Array.from({ length: m }, (_, j) => {
      const q = neuronQuadric(form, first, n, j, rank);
      return { ...q, ...classifyConic(q.A, q.b, q.c) };
    });
  }

  _buildSliders() {
    const ui = this.ui;
    const single = this.config.hidden === 0;
    ui.coefficients.hidden = !single;
    if (!single) {
      this.sliders = [];
      return;
    }
    const params = formParams(this.config.form, 2, 1, this.model.rank);
    const entries = coefficientEntries(params, this.model.first);
    this.sliders = buildSliders(ui.sliders, entries, (key, index, value) => {
      this.pause();
      this.model.first[key][index] = value;
      this.render();
    });
  }

  _wire() {
    const ui = this.ui;
    const guard = (fn) => (event) => {
      try {
        fn(event);
      } catch (error) {
        this._fail(error);
      }
    };
    ui.buttons.train.addEventListener(
      "click",
      guard(() => this.start()),
    );
    ui.buttons.pause.addEventListener(
      "click",
      guard(() => this.pause()),
    );
    ui.buttons.step.addEventListener(
      "click",
      guard(() => this.step()),
    );
    ui.buttons.reset.addEventListener(
      "click",
      guard(() => this.reset()),
    );
    ui.messageReset.addEventListener(
      "click",
      guard(() => this.reset()),
    );
    const on = (node, event, fn) => node.addEventListener(event, guard(fn));
    on(ui.dataset, "change", () => this.set({ dataset: ui.dataset.value }));
    on(ui.form, "change", () => this.set({ form: ui.form.value }));
    on(ui.lr, "change", () => this.set({ lr: Number(ui.lr.value) }));
    on(ui.noise, "input", () => this.set({ noise: Number(ui.noise.value) }));
    on(ui.split, "input", () => this.set({ testFraction: Number(ui.split.value) / 100 }));
    on(ui.points, "input", () => this.set({ points: Number(ui.points.value) }));
    on(ui.hidden, "input", () => this.set({ hidden: Number(ui.hidden.value) }));
    on(ui.seed, "change", () => this.set({ seed: Number(ui.seed.value) }));
  }

  _syncControls() {
    const ui = this.ui;
    const c = this.config;
    ui.dataset.value = c.dataset;
    ui.form.value = c.form;
    ui.noise.value = String(c.noise);
    ui.noiseOut.textContent = Number(c.noise).toFixed(2);
    ui.split.value = String(Math.round(c.testFraction * 100));
    ui.splitOut.textContent = `${Math.round(c.testFraction * 100)}%`;
    ui.points.value = String(c.points);
    ui.pointsOut.textContent = String(c.points);
    ui.hidden.value = String(c.hidden);
    ui.hiddenOut.textContent = hiddenText(c.hidden);
    if ([...ui.lr.options].every((o) => Number(o.value) !== c.lr)) {
      ui.lr.append(el("option", { value: c.lr, text: String(c.lr) })); // a rate from Python
    }
    ui.lr.value = String(c.lr);
    if (Number(ui.seed.value) !== c.seed) ui.seed.value = String(c.seed);
  }

  _syncButtons() {
    const b = this.ui.buttons;
    b.train.disabled = this.running;
    b.pause.disabled = !this.running;
  }

  _showMessage(text, kind) {
    this.message = { text, kind };
    this.ui.messageText.textContent = text;
    this.ui.message.dataset.kind = kind;
    this.ui.message.hidden = false;
  }

  _clearMessage(kind = null) {
    if (!this.message || (kind && this.message.kind !== kind)) return;
    this.message = null;
    this.ui.message.hidden = true;
  }

  _draw() {
    const c = this.config;
    const ui = this.ui;
    const t0 = performance.now();
    const colours = themeColours(this.root);
    const grid = gridEvaluate(this.model, this.bounds, c.resolution);
    const t1 = performance.now();
    const conics = this.conics();
    const curves = [];
    if (c.hidden > 0) {
      conics.forEach((_, j) => {
        curves.push({
          values: grid.Z,
          stride: grid.m,
          offset: j, // neuron j's outputs, read in place
          step: 2, // a guide, traced on every other grid line: a quarter of the work
          colour: CURVE_COLOURS[j % CURVE_COLOURS.length],
          dash: CURVE_DASHES[Math.floor(j / CURVE_COLOURS.length) % CURVE_DASHES.length],
          width: 1.6,
        });
      });
    }
    curves.push({
      values: grid.logits,
      colour: colours.boundary,
      width: 2.4,
      halo: colours.background,
    });
    const t2 = performance.now();
    const drawn = drawScene(ui.canvas, {
      logits: grid.logits,
      R: grid.R,
      bounds: this.bounds,
      curves,
      train: this.data.train,
      test: this.data.test,
      colours,
    });
    const t3 = performance.now();
    drawLoss(ui.lossCanvas, this.losses, this.testLosses, colours);
    const t4 = performance.now();
    this._readouts(conics, colours);
    // where a redraw's time goes (the benchmark reports it)
    this.timings = {
      grid: t1 - t0,
      neurons: t2 - t1,
      regions: drawn.regions,
      curves: drawn.curves,
      points: drawn.points,
      loss: t4 - t3,
      readouts: performance.now() - t4,
    };
  }

  _readouts(conics, colours) {
    const ui = this.ui;
    const c = this.config;
    const train = evaluate(this.model, this.data.train);
    const test = evaluate(this.model, this.data.test);
    ui.accuracy.textContent = formatPercent(train.accuracy);
    ui.testAccuracy.textContent = this.data.test.n
      ? formatPercent(test.accuracy)
      : "no test points";
    ui.loss.textContent = formatLoss(train.loss);
    ui.parameters.textContent = String(parameterCount(this.model));
    ui.epoch.textContent = `epoch ${this.epoch}`;
    const form = FORM_LABELS[c.form];
    ui.formula.textContent = modelText(c.form, c.hidden);
    const items = [];
    if (c.hidden === 0) {
      const q = conics[0];
      items.push(legendItem(colours.boundary, [], `${conicText(q.A, q.b, q.c)} = 0: ${q.name}`));
      if (NO_CURVE.includes(q.name)) {
        this._showMessage(
          `q(x) = 0 is ${q.name === "zero everywhere" ? "the whole plane" : "no curve"} ` +
            `(${q.name}): the neuron puts every point in one class. ` +
            "Move a coefficient or press Reset.",
          "degenerate",
        );
      } else {
        this._clearMessage("degenerate");
      }
    } else {
      items.push(legendItem(colours.boundary, [], "the network's boundary (logit = 0)"));
      conics.forEach((q, j) => {
        items.push(
          legendItem(
            CURVE_COLOURS[j % CURVE_COLOURS.length],
            CURVE_DASHES[Math.floor(j / CURVE_COLOURS.length) % CURVE_DASHES.length],
            `neuron ${j + 1}: ${q.name}`,
          ),
        );
      });
    }
    ui.legend.replaceChildren(...items);
    ui.canvas.setAttribute(
      "aria-label",
      `Decision regions of ${c.hidden === 0 ? `one ${form} neuron` : `a 2-${c.hidden}-1 ${form} network`}` +
        ` on ${c.dataset}: train accuracy ${formatPercent(train.accuracy)}; ` +
        conics.map((q) => q.name).join(", "),
    );
    if (this.sliders) syncSliders(this.sliders, (key, index) => this.model.first[key][index]);
    this._syncButtons();
  }
}
