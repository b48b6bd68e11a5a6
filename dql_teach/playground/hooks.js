// The page hooks: mount the playground on every root element of a page, redraw on a theme
// change, and publish window.dqlTeach (kept stable for tests: window.dqlTeach.forward(form,
// state, X) gives N arrays of m outputs; mount(root) and mountAll(document) mount once).

import { DATASET_NAMES, makeDataset } from "./data.js";
import { FORM_NAMES, backward, forward } from "./forms.js";
import { classifyConic } from "./conic.js";
import { networkForward, networkGrad } from "./train.js";
import { Playground, VERSION, live } from "./app.js";

function parseConfig(root) {
  const text = root.getAttribute("data-dql-playground");
  if (!text) return {};
  try {
    const config = JSON.parse(text);
    return config && typeof config === "object" ? config : {};
  } catch (error) {
    return {
      title: `This playground's settings could not be read (${error.message}); defaults are used.`,
    };
  }
}

// Mount one root (again: the same controller).
export function mount(root, config = null) {
  if (root.dqlPlayground) return root.dqlPlayground;
  const controller = new Playground(root, config || parseConfig(root));
  root.dqlPlayground = controller;
  return controller;
}

// Mount every root in the document that is not mounted yet.
export function mountAll(doc = document) {
  return [...doc.querySelectorAll("[data-dql-playground]")].map((root) => mount(root));
}

function watchTheme() {
  // the book's theme switch sets html[data-theme]; JupyterLab sets body[data-jp-theme-light],
  // VS Code body[data-vscode-theme-kind]
  if (typeof MutationObserver !== "function" || window.dqlTeachThemeWatch) return;
  window.dqlTeachThemeWatch = true;
  const observer = new MutationObserver(() => {
    for (const p of [...live]) {
      if (p.root.isConnected) p.render();
      else p.dispose();
    }
  });
  observer.observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["data-theme", "class"],
  });
  const body = ["data-jp-theme-light", "data-vscode-theme-kind", "class"];
  if (document.body) observer.observe(document.body, { attributes: true, attributeFilter: body });
}

export const api = {
  version: VERSION,
  forms: FORM_NAMES,
  datasets: DATASET_NAMES,
  forward,
  backward,
  networkForward,
  networkGrad,
  classifyConic,
  makeDataset,
  mount,
  mountAll,
  Playground,
};

// In a page (not under Node): publish the hooks and mount what is there.
if (typeof window !== "undefined" && typeof document !== "undefined") {
  window.dqlTeach = api;
  const go = () => {
    watchTheme();
    mountAll(document);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go);
  else go();
}
