/* The book's plotly figures: draw them, fit them to the screen, make their sliders work
 * from the keyboard, follow the light/dark theme, and let a phone scroll past 3-D scenes.
 *
 * dql_teach.viz.show() writes each figure in the built book as
 *   <div class="dql-figure"><div id=ID class="plotly-graph-div" role="figure" aria-label=...>
 *   </div><script type="application/json" data-dql-plotly=ID>{data, layout, frames, config,
 *   dataFrame, dark}</script></div>
 * with no inline JavaScript, so plotly.min.js loads with `defer` and the page paints first.
 * This script (also deferred, after plotly.min.js) draws the figures one per task, those in
 * view first; `window.dqlFigures.ready` resolves when all are drawn.
 *
 * Prints nothing to the console: a clean console is part of a working page.
 */
(function () {
  "use strict";
  if (!window.Plotly) return; // plotly.min.js failed to load: nothing to draw with

  var specs = new Map(); // graph div -> its figure spec (the JSON)
  var pending = [];
  var touch = navigator.maxTouchPoints > 0 || "ontouchstart" in window;
  var resolveReady;
  var ready = new Promise(function (resolve) { resolveReady = resolve; });
  window.dqlFigures = { ready: ready, drawn: 0 };

  function dark() {
    return document.documentElement.dataset.theme === "dark";
  }

  // a deep copy with the colours of `map` swapped (exact strings, as style.DARK_COLORS)
  function recolor(value, map) {
    if (typeof value === "string") {
      var swapped = map[value] || map[value.toUpperCase()] || map[value.toLowerCase()];
      return swapped || value;
    }
    if (Array.isArray(value)) return value.map(function (v) { return recolor(v, map); });
    if (value && typeof value === "object") {
      if (value.bdata !== undefined) return value; // a typed array: numbers only
      var out = {};
      Object.keys(value).forEach(function (k) { out[k] = recolor(value[k], map); });
      return out;
    }
    return value;
  }

  // the figure as plotly.newPlot/react take it, in the page's theme
  function figure(spec) {
    var s = dark() ? recolor(spec, spec.dark || {}) : JSON.parse(JSON.stringify(spec));
    var frames = s.frames || [];
    var data = s.data;
    if (!data && s.dataFrame !== undefined) {
      var first = frames.filter(function (f) { return f.name === s.dataFrame; })[0];
      data = first ? first.data : [];
    }
    return { data: data || [], layout: s.layout || {}, frames: frames, config: s.config || {} };
  }

  function frameName(step) {
    return step && step.method === "animate" && step.args && step.args[0] && step.args[0][0];
  }

  function runStep(gd, step) {
    if (!step || step.method === "skip") return Promise.resolve();
    var method = Plotly[step.method];
    return method ? method.apply(null, [gd].concat(step.args || [])) : Promise.resolve();
  }

  // --- fit to the screen -------------------------------------------------------------------
  // an equal-scale plane (yaxis.scaleanchor) is drawn at the aspect its ranges ask for; in a
  // column narrower than the figure is tall (a phone) plotly widens the y range to fill the
  // height, leaving empty bands above and below the data: lower the figure's height by them
  function fitHeight(gd) {
    var fl = gd._fullLayout;
    var spec = specs.get(gd);
    if (!fl || !spec || !spec.layout.height) return Promise.resolve();
    var excess = Infinity;
    Object.keys(fl).forEach(function (key) {
      var ya = fl[key];
      if (!/^yaxis\d*$/.test(key) || !ya || !ya.scaleanchor || !ya.domain) return;
      var xname = ya.scaleanchor.replace(/^x/, "xaxis");
      var xa = fl[xname];
      // the ranges the figure asked for (plotly writes the widened ones into gd.layout)
      var yr = spec.layout[key] && spec.layout[key].range;
      var xr = spec.layout[xname] && spec.layout[xname].range;
      if (!yr || !xr) return;
      var ratio = Math.abs(yr[1] - yr[0]) / Math.abs(xr[1] - xr[0]) * (ya.scaleratio || 1);
      var room = fl._size.h * (ya.domain[1] - ya.domain[0]);
      excess = Math.min(excess, room - xa._length * ratio);
    });
    if (!isFinite(excess) || excess < 12) return Promise.resolve();
    var height = Math.max(260, Math.round(fl.height - excess));
    return setHeight(gd, height);
  }

  function setHeight(gd, height) {
    gd.style.height = height + "px";
    if (gd.parentNode) gd.parentNode.style.minHeight = height + "px";
    var update = { height: height };
    // back to the ranges asked for: plotly widened one of each equal-scale pair to fill the
    // old shape, and would keep that range in the new one
    var spec = specs.get(gd);
    var fl = gd._fullLayout || {};
    Object.keys(spec.layout).forEach(function (key) {
      var axis = spec.layout[key];
      if (/^[xy]axis\d*$/.test(key) && axis && axis.range && fl[key]) {
        update[key + ".range"] = axis.range.slice();
      }
    });
    return Plotly.relayout(gd, update);
  }

  // a title and a legend above the plot must not overlap: a legend that wraps onto more rows
  // on a phone, or a title of two lines, pushes the plot down instead
  function fitTop(gd) {
    var title = gd.querySelector(".g-gtitle text, .gtitle");
    var legend = gd.querySelector(".infolayer .legend");
    if (!title || !legend || !gd._fullLayout) return Promise.resolve();
    var t = title.getBoundingClientRect();
    var l = legend.getBoundingClientRect();
    if (!t.height || !l.height) return Promise.resolve();
    var overlap = Math.ceil(t.bottom + 6 - l.top);
    if (overlap <= 0) return Promise.resolve();
    return Plotly.relayout(gd, { "margin.t": gd._fullLayout._size.t + overlap });
  }

  // plotly never wraps a title: one longer than the figure is wide (on a phone) runs off its
  // right edge, so it is broken into lines at spaces (its own <br>s kept)
  var measure = document.createElement("canvas").getContext("2d");
  function fitTitle(gd) {
    var fl = gd._fullLayout;
    var title = fl && fl.title;
    if (!title || !title.text) return Promise.resolve();
    if (title.text !== gd.dqlWrapped) gd.dqlTitle = title.text; // a new title (a frame's)
    var original = gd.dqlTitle;
    measure.font = title.font.size + "px " + title.font.family;
    var room = gd.clientWidth - fl._size.l - 12;
    var lines = [];
    original.split(/<br\s*\/?>/i).forEach(function (part) {
      var line = "";
      part.split(" ").forEach(function (word) {
        var longer = line ? line + " " + word : word;
        var plain = longer.replace(/<[^>]+>/g, "");
        if (line && measure.measureText(plain).width > room) {
          lines.push(line);
          line = word;
        } else {
          line = longer;
        }
      });
      lines.push(line);
    });
    var wrapped = lines.join("<br>");
    if (wrapped === title.text) return Promise.resolve();
    gd.dqlWrapped = wrapped;
    return Plotly.relayout(gd, { "title.text": wrapped });
  }

  function fit(gd) {
    return fitTitle(gd)
      .then(function () { return fitHeight(gd); })
      .then(function () { return fitTop(gd); });
  }

  // --- keyboard sliders --------------------------------------------------------------------
  function sliderLabel(opts) {
    var prefix = (opts.currentvalue && opts.currentvalue.prefix) || "";
    return prefix.replace(/[\s=:]+$/, "") || "slider";
  }

  function describe(gd) {
    var fl = gd._fullLayout;
    if (!fl || !fl.sliders) return;
    var groups = gd.querySelectorAll(".slider-container");
    fl.sliders.forEach(function (opts, i) {
      var g = groups[i];
      if (!g) return;
      var steps = opts.steps || [];
      var step = steps[opts.active] || {};
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "slider");
      g.setAttribute("aria-label", sliderLabel(opts));
      g.setAttribute("aria-valuemin", "0");
      g.setAttribute("aria-valuemax", String(Math.max(steps.length - 1, 0)));
      g.setAttribute("aria-valuenow", String(opts.active || 0));
      g.setAttribute("aria-valuetext", sliderLabel(opts) + " = " + (step.label || ""));
      g.setAttribute("aria-orientation", "horizontal");
      g.classList.add("dql-slider");
      if (!g.dqlKeys) {
        g.dqlKeys = true;
        g.addEventListener("keydown", function (event) { onKey(gd, i, event); });
      }
    });
  }

  function onKey(gd, index, event) {
    var opts = gd._fullLayout.sliders[index];
    var n = (opts.steps || []).length;
    var now = opts.active || 0;
    var page = Math.max(1, Math.round(n / 5));
    var next = {
      ArrowRight: now + 1, ArrowUp: now + 1, ArrowLeft: now - 1, ArrowDown: now - 1,
      PageUp: now + page, PageDown: now - page, Home: 0, End: n - 1,
    }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    next = Math.max(0, Math.min(n - 1, next));
    if (next === now) return;
    var update = {};
    update["sliders[" + index + "].active"] = next;
    var g = event.currentTarget;
    // gd.dqlStep: the step this key started, done when its redraw is (the tests wait on it)
    gd.dqlStep = Plotly.relayout(gd, update)
      .then(function () {
        describe(gd);
        return runStep(gd, opts.steps[next]);
      })
      .then(function () {
        describe(gd);
        // a redraw can drop the focus to <body>: give it back, but never pull it away from
        // wherever the reader has gone since (a slow redraw ends after the next Tab)
        var focused = document.activeElement;
        if ((!focused || focused === document.body) && g.isConnected) g.focus();
      });
  }

  // --- 3-D scenes: reset, and on touch screens a shield that lets a swipe scroll ------------
  function scenes(gd) {
    var fl = gd._fullLayout;
    return (fl && fl._subplots && fl._subplots.gl3d) || [];
  }

  function tools3d(gd, spec) {
    var names = scenes(gd);
    var box = gd.parentNode;
    if (!names.length || !box || box.querySelector(".dql-figure-tools")) return;
    var bar = document.createElement("div");
    bar.className = "dql-figure-tools";
    var reset = document.createElement("button");
    reset.type = "button";
    reset.textContent = "Reset view";
    var cameras = {}; // as first drawn (the template's camera included)
    names.forEach(function (name) {
      cameras[name + ".camera"] = JSON.parse(JSON.stringify(gd._fullLayout[name].camera));
    });
    reset.addEventListener("click", function () {
      Plotly.relayout(gd, JSON.parse(JSON.stringify(cameras)));
    });
    bar.appendChild(reset);
    if (touch) {
      // WebGL scenes take every touch (TOOLCHAIN.md); a shield over them passes a swipe to
      // the page until the reader asks to turn the surface
      var shield = document.createElement("div");
      shield.className = "dql-scene-shield";
      shield.setAttribute("aria-hidden", "true");
      var container = gd.querySelector(".svg-container") || gd;
      container.appendChild(shield);
      var rotate = document.createElement("button");
      rotate.type = "button";
      rotate.setAttribute("aria-pressed", "false");
      rotate.textContent = "Rotate";
      rotate.addEventListener("click", function () {
        var on = rotate.getAttribute("aria-pressed") !== "true";
        rotate.setAttribute("aria-pressed", String(on));
        rotate.textContent = on ? "Done rotating" : "Rotate";
        shield.hidden = on;
      });
      bar.insertBefore(rotate, reset);
      placeShield(gd);
    }
    box.appendChild(bar);
  }

  function placeShield(gd) {
    var shield = gd.querySelector(".dql-scene-shield");
    var fl = gd._fullLayout;
    if (!shield || !fl) return;
    var sz = fl._size;
    var top = Infinity, bottom = 0;
    scenes(gd).forEach(function (name) {
      var d = fl[name].domain.y;
      top = Math.min(top, sz.t + sz.h * (1 - d[1]));
      bottom = Math.max(bottom, sz.t + sz.h * (1 - d[0]));
    });
    shield.style.top = top + "px";
    shield.style.height = Math.max(0, bottom - top) + "px";
  }

  // --- drawing -------------------------------------------------------------------------------
  function draw(gd) {
    var spec = specs.get(gd);
    var fig = figure(spec);
    return Plotly.newPlot(gd, fig)
      .then(function () { return fit(gd); })
      .then(function () {
        describe(gd);
        tools3d(gd, spec);
        gd.on("plotly_afterplot", function () { describe(gd); placeShield(gd); });
        // a click or drag on the slider moves it without a redraw of its own: say where it is
        gd.on("plotly_sliderchange", function () { describe(gd); });
        gd.on("plotly_animated", function () {
          describe(gd);
          fitTitle(gd).then(function () { return fitTop(gd); });
        });
        window.dqlFigures.drawn += 1;
      });
  }

  // the theme changed: draw again in its colours, at the steps the reader chose
  function redraw(gd) {
    var fl = gd._fullLayout;
    if (!fl) return Promise.resolve();
    var spec = specs.get(gd);
    var fig = figure(spec);
    var sliders = fl.sliders || [];
    var active = sliders.map(function (s) { return s.active; });
    fig.layout.height = fl.height;
    fig.layout.margin = Object.assign({}, fig.layout.margin, { t: fl.margin.t });
    (fig.layout.sliders || []).forEach(function (s, i) { s.active = active[i]; });
    return Plotly.react(gd, fig)
      .then(function () {
        var steps = (sliders[0] && sliders[0].steps) || [];
        var initial = (spec.layout.sliders && spec.layout.sliders[0].active) || 0;
        if (active.length && active[0] !== initial && frameName(steps[active[0]])) {
          return runStep(gd, steps[active[0]]);
        }
      })
      .then(function () { return fitTitle(gd); })
      .then(function () { return fitTop(gd); });
  }

  function next() {
    var gd = pending.shift();
    if (!gd) {
      resolveReady(window.dqlFigures.drawn);
      return;
    }
    draw(gd).then(schedule, schedule);
  }

  function schedule() {
    setTimeout(next, 0); // one figure per task: the page stays responsive while they draw
  }

  function start() {
    document.querySelectorAll("script[data-dql-plotly]").forEach(function (el) {
      var gd = document.getElementById(el.getAttribute("data-dql-plotly"));
      if (!gd) return;
      try {
        specs.set(gd, JSON.parse(el.textContent));
        pending.push(gd);
      } catch (e) {
        gd.textContent = "This figure could not be read.";
      }
    });
    // the figures in view first
    var inView = pending.filter(function (gd) {
      var r = gd.getBoundingClientRect();
      return r.bottom > -200 && r.top < window.innerHeight + 200;
    });
    pending = inView.concat(pending.filter(function (gd) { return inView.indexOf(gd) < 0; }));
    schedule();

    new MutationObserver(function () {
      specs.forEach(function (spec, gd) { if (gd._fullLayout) redraw(gd); });
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });

    var timer;
    var width = window.innerWidth;
    window.addEventListener("resize", function () {
      // a phone's address bar changes the height as the page scrolls: only a new width counts
      if (window.innerWidth === width) return;
      width = window.innerWidth;
      clearTimeout(timer);
      timer = setTimeout(function () {
        specs.forEach(function (spec, gd) {
          if (!gd._fullLayout || !spec.layout.height) return;
          // back to the figure's own height, then fit again at the new width
          setHeight(gd, spec.layout.height).then(function () {
            return fit(gd);
          }).then(function () { placeShield(gd); });
        });
      }, 200);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
