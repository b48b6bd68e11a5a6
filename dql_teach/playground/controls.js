// The playground's controls: DOM only. Every control is a native element (<select>,
// <input type="range">, <input type="number">, <button>), so the keyboard works as everywhere
// else in the page (Tab moves between them, the arrow keys move a slider). The controller
// (app.js) wires them to the model; nothing here knows about training.

export const LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.05, 0.1, 0.3, 1, 3, 10];

// Short names in the menu (a phone is narrow); the formula is written out above the picture.
export const FORM_LABELS = {
  linear: "linear",
  diagonal: "diagonal",
  full: "full",
  fan: "Fan",
  hadamard: "Hadamard",
  lowrank: "low rank",
};

export const FORM_FORMULAS = {
  linear: "q(x) = w·x + c",
  diagonal: "q(x) = q·(x∘x) + w·x + c",
  full: "q(x) = q₁₁x₁² + q₁₂x₁x₂ + q₂₂x₂² + w·x + c",
  fan: "q(x) = (u·x + u₀)(v·x + v₀) + q·(x∘x) + c",
  hadamard: "q(x) = (u·x)(v·x) + w·x + c",
  lowrank: "q(x) = Σₖ λₖ(Qₖ·x)²/k + w·x + c",
};

const SUB = "₀₁₂₃₄₅₆₇₈₉";
const sub = (i) => String(i).replace(/\d/g, (d) => SUB[Number(d)]);

let counter = 0; // unique ids, so several playgrounds on one page never share a label's "for"

export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of [].concat(children)) if (child) node.append(child);
  return node;
}

function field(labelText, control, output = null) {
  const id = `dqlp-${++counter}`;
  control.id = id;
  const label = el("label", { for: id, text: labelText });
  return el("div", { className: "dqlp-field" }, [label, control, output]);
}

function select(options, value, role) {
  const node = el("select", { "data-role": role });
  for (const [v, text] of options) node.append(el("option", { value: v, text }));
  node.value = String(value);
  return node;
}

function range(min, max, step, value, role) {
  return el("input", { type: "range", min, max, step, value, "data-role": role });
}

function button(text, action, title) {
  return el("button", { type: "button", "data-action": action, title, text });
}

// The page structure under root; returns the elements the controller drives.
export function buildLayout(root, config, choices) {
  const ui = {};
  const lrs = LEARNING_RATES.includes(config.lr)
    ? LEARNING_RATES
    : [...LEARNING_RATES, config.lr].sort((a, b) => a - b);
  ui.dataset = select(
    choices.datasets.map((d) => [d, d]),
    config.dataset,
    "dataset",
  );
  ui.noise = range(0, 0.5, 0.01, config.noise, "noise");
  ui.noiseOut = el("output", { text: config.noise.toFixed(2) });
  ui.split = range(0, 50, 10, Math.round(config.testFraction * 100), "test-fraction");
  ui.splitOut = el("output", { text: `${Math.round(config.testFraction * 100)}%` });
  ui.points = range(100, 600, 50, config.points, "points");
  ui.pointsOut = el("output", { text: String(config.points) });
  ui.seed = el("input", {
    type: "number",
    min: 0,
    max: 4294967295,
    step: 1,
    value: config.seed,
    "data-role": "seed",
    inputmode: "numeric",
  });
  ui.form = select(
    choices.forms.map((f) => [f, FORM_LABELS[f] || f]),
    config.form,
    "form",
  );
  ui.hidden = range(0, 8, 1, config.hidden, "hidden");
  ui.hiddenOut = el("output", { text: hiddenText(config.hidden) });
  ui.lr = select(
    lrs.map((v) => [v, String(v)]),
    config.lr,
    "lr",
  );
  ui.buttons = {
    reset: button("Reset", "reset", "New starting weights (the same seed gives the same start)"),
    train: button("Train", "train", "Train until paused"),
    pause: button("Pause", "pause", "Stop training"),
    step: button("Step", "step", "Train one epoch"),
  };
  ui.epoch = el("span", { className: "dqlp-epoch", "data-role": "epoch", text: "epoch 0" });
  ui.formula = el("p", { className: "dqlp-formula", "data-role": "formula" });
  ui.canvas = el("canvas", {
    className: "dqlp-regions",
    role: "img",
    "aria-label": "decision regions",
    width: 360,
    height: 360,
  });
  ui.lossCanvas = el("canvas", {
    className: "dqlp-loss",
    role: "img",
    "aria-label": "loss curve",
    width: 360,
    height: 72,
  });
  ui.accuracy = el("strong", { "data-role": "accuracy", text: "–" });
  ui.testAccuracy = el("strong", { "data-role": "test-accuracy", text: "–" });
  ui.loss = el("strong", { "data-role": "loss", text: "–" });
  ui.parameters = el("strong", { "data-role": "parameters", text: "–" });
  ui.legend = el("ul", { className: "dqlp-legend", "data-role": "legend" });
  ui.messageText = el("span", { "data-role": "message-text" });
  ui.messageReset = button("Reset", "reset", "Start again from fresh weights");
  ui.message = el(
    "div",
    { className: "dqlp-message", "data-role": "message", role: "status", hidden: true },
    [ui.messageText, ui.messageReset],
  );
  ui.sliders = el("div", { className: "dqlp-sliders" });
  ui.coefficients = el(
    "details",
    { className: "dqlp-coefficients", open: config.mode === "coefficients" },
    [
      el("summary", { text: "Coefficients of the neuron" }),
      el("p", {
        className: "dqlp-hint",
        text: "Move a slider (or focus it and press ← →): the conic and the regions follow.",
      }),
      ui.sliders,
    ],
  );
  const readout = (label, node) => el("div", {}, [el("span", { text: label }), node]);
  const body = el("div", { className: "dqlp-body" }, [
    el("div", { className: "dqlp-output" }, [
      el("div", { className: "dqlp-canvas-wrap" }, [ui.canvas]),
      el("div", { className: "dqlp-readouts" }, [
        readout("train accuracy", ui.accuracy),
        readout("test accuracy", ui.testAccuracy),
        readout("loss", ui.loss),
        readout("parameters", ui.parameters),
      ]),
      ui.legend,
      ui.lossCanvas,
      el("p", { className: "dqlp-key" }, [
        el("span", { className: "dqlp-class0", text: "●" }),
        " class 0   ",
        el("span", { className: "dqlp-class1", text: "▲" }),
        " class 1   ",
        "outlined in the text colour: test points",
      ]),
    ]),
    el("div", { className: "dqlp-controls" }, [
      el("fieldset", {}, [
        el("legend", { text: "Data" }),
        field("dataset", ui.dataset),
        field("noise", ui.noise, ui.noiseOut),
        field("test share", ui.split, ui.splitOut),
        field("points", ui.points, ui.pointsOut),
        field("seed", ui.seed),
      ]),
      el("fieldset", {}, [
        el("legend", { text: "Model" }),
        field("form", ui.form),
        field("hidden neurons", ui.hidden, ui.hiddenOut),
        field("learning rate", ui.lr),
      ]),
      ui.coefficients,
    ]),
  ]);
  const head = [];
  if (config.title) head.push(el("p", { className: "dqlp-title", text: config.title }));
  const bar = el("div", { className: "dqlp-bar" }, [
    ui.buttons.reset,
    ui.buttons.train,
    ui.buttons.pause,
    ui.buttons.step,
    ui.epoch,
  ]);
  root.replaceChildren(...head, bar, ui.formula, ui.message, body);
  return ui;
}

export function hiddenText(hidden) {
  return hidden === 0 ? "0: one neuron" : `${hidden}: a 2-${hidden}-1 network`;
}

// Readable symbols for one scalar of a neuron's parameters (m = 1, n = 2).
export function coefficientLabel(name, index, shape) {
  const last = shape[shape.length - 1];
  const i = index % last;
  switch (name) {
    case "weight":
      return `w${sub(i + 1)}`;
    case "bias":
      return "c";
    case "weight_sq":
      return `q${sub(i + 1)}`;
    case "weight_quad":
      return ["q₁₁ (x₁²)", "q₁₂ (x₁x₂)", "q₂₂ (x₂²)"][i] || `q${sub(i)}`;
    case "weight_u":
      return `u${sub(i + 1)}`;
    case "weight_v":
      return `v${sub(i + 1)}`;
    case "bias_u":
      return "u₀";
    case "bias_v":
      return "v₀";
    case "weight_q": {
      const k = Math.floor(index / last) % shape[1];
      return shape[1] > 1 ? `Q${sub(k + 1)},${sub(i + 1)}` : `Q${sub(i + 1)}`;
    }
    case "weight_lambda":
      return shape[1] > 1 ? `λ${sub(i + 1)}` : "λ";
    default:
      return `${name}[${index}]`;
  }
}

// One slider entry per scalar of one neuron's parameters (m = 1, n = 2): params as
// forms.formParams gives them, first the layer's {name: flat values}.
export function coefficientEntries(params, first) {
  const entries = [];
  for (const { name, shape } of params) {
    const data = first[name];
    if (!data) continue;
    for (let i = 0; i < data.length; i++) {
      const index = shape.length > 1 ? `[0, ${i}]` : "[0]";
      entries.push({
        key: name,
        index: i,
        label: coefficientLabel(name, i, shape),
        title: `${name}${shape.length === 3 ? `[0, ${Math.floor(i / 2)}, ${i % 2}]` : index}`,
        value: data[i],
      });
    }
  }
  return entries;
}

// The sentence above the picture: what the model is and what each neuron computes.
export function modelText(form, hidden) {
  const label = FORM_LABELS[form];
  return hidden === 0
    ? `One ${label} neuron: ${FORM_FORMULAS[form]}; class 1 where q(x) > 0.`
    : `A 2-${hidden}-1 network: ${hidden} ${label} neurons, ReLU, a linear read-out. ` +
        `Each hidden neuron: ${FORM_FORMULAS[form]}.`;
}

// One line of the legend: a swatch of the curve's colour and dash, then its text.
export function legendItem(colour, dash, text) {
  const swatch = el("span", { className: "dqlp-swatch", "aria-hidden": "true" });
  swatch.style.borderTopColor = colour;
  swatch.style.borderTopStyle = dash.length ? "dashed" : "solid";
  return el("li", {}, [swatch, el("span", { text })]);
}

export const SLIDER_LIMIT = 3;

function sliderBound(value) {
  return Math.max(SLIDER_LIMIT, Math.ceil(Math.abs(value)));
}

// One range input per scalar of the neuron: entries [{key, index, label, title, value}].
// onInput(key, index, value) runs on every move.
export function buildSliders(container, entries, onInput) {
  const rows = entries.map((entry) => {
    const bound = sliderBound(entry.value);
    const input = el("input", {
      type: "range",
      min: -bound,
      max: bound,
      step: 0.05,
      value: entry.value,
      "data-role": "coefficient",
      "data-key": entry.key,
      "data-index": entry.index,
      "aria-label": `${entry.label} (${entry.title})`,
    });
    const out = el("output", { text: formatCoefficient(entry.value) });
    input.addEventListener("input", () => {
      const value = Number(input.value);
      out.textContent = formatCoefficient(value);
      onInput(entry.key, entry.index, value);
    });
    return { entry, input, out, row: field(entry.label, input, out) };
  });
  container.replaceChildren(...rows.map((r) => r.row));
  return rows;
}

// Show the current values on the sliders (after training, a reset, a new form).
export function syncSliders(rows, valueOf) {
  for (const { entry, input, out } of rows) {
    const value = valueOf(entry.key, entry.index);
    const bound = sliderBound(value);
    if (Number(input.max) !== bound) {
      input.min = String(-bound);
      input.max = String(bound);
    }
    if (document.activeElement !== input) input.value = String(value);
    out.textContent = formatCoefficient(value);
  }
}

export function formatCoefficient(v) {
  return (v < 0 ? "−" : "") + Math.abs(v).toFixed(2);
}

export function formatPercent(v) {
  return Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : "–";
}
