// roikit explore: the page draws what the engine returns and computes no RoI maths.
// Every coordinate, bin, point, weight and output comes from the trace JSON of
// /api/explain (the same as `roikit explain --format json`); the script only turns
// mouse movements into box coordinates and numbers into pixels. Its words too come
// from the server (start.words: the catalogue's explore.ui.* in every language).

const SVG = "http://www.w3.org/2000/svg";

export function httpBackend(base) {
  async function get(path, params) {
    const r = await fetch(base + path + "?" + new URLSearchParams(params));
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  }
  return {
    start: () => fetch(base + "/api/start").then((r) => r.json()),
    explain: (p) => get("/api/explain", p),
    live: (p) => get("/api/live", p),  // the numbers without the step text: what a drag redraws
    sweep: (p) => get("/api/sweep", p),
    command: (p) => get("/api/command", p),
    exportUrl: (p, format) => base + "/api/export?" + new URLSearchParams({...p, format}),
    uploadMap: async (file) => {
      const r = await fetch(base + "/api/map?name=" + encodeURIComponent(file.name), {method: "POST", body: file});
      const body = await r.json();
      if (!r.ok) throw new Error(body.error || r.statusText);
      return body;  // {map, map_id}
    },
    // The server keeps a map and answers its id: a query then names the map instead of carrying it.
    keepMap: async (map) => {
      const r = await fetch(base + "/api/maps", {method: "POST", body: JSON.stringify({map}),
                                                headers: {"Content-Type": "application/json"}});
      const body = await r.json();
      if (!r.ok) throw new Error(body.error || r.statusText);
      return body.map_id;
    },
  };
}

function el(tag, attrs = {}, parent = null, ns = null) {
  const e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  if (parent) parent.appendChild(e);
  return e;
}
const svgEl = (tag, attrs, parent) => el(tag, attrs, parent, SVG);
// Six significant digits: a float32 value that is a short decimal (0.234375, 5.215) reads as the
// engine writes it, without the float noise; the step text is the engine's own spelling.
const short = (v) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));
const rows = (m) => m.map((r) => r.map((v) => String(v)).join(" ")).join("; ");

export async function mount(root, backend) {
  const start = await backend.start();
  const s = {map: start.map, box: start.box, op: start.op || "align", output_size: String(start.output_size || 2),
             sampling_ratio: String(start.sampling_ratio ?? 2), aligned: !!start.aligned, mode: start.mode || "max",
             spatial_scale: String(start.spatial_scale ?? 1), lang: start.lang || "en", snap: false,
             mapId: start.map_id || null, poolBins: false};
  const UI = start.words.ui;
  let trace = null;
  let poolTrace = null;  // RoI Pool's answer for the same box, drawn over RoI Align's bins on demand
  let hoverBin = null;
  let sweepAt = null;  // where the sweep draws a shift of the box (image pixels), once it is drawn

  root.innerHTML = "";
  const app = el("div", {class: "rk"}, root);
  const left = el("div", {class: "rk-left"}, app);
  const right = el("div", {class: "rk-right"}, app);
  const map = svgEl("svg", {class: "rk-map", "data-testid": "map"}, left);
  const closeup = el("div", {class: "closeup", "data-testid": "closeup", "aria-live": "polite"}, left);
  const axesNote = el("div", {class: "note", "data-testid": "axes-note"}, left);
  const keysNote = el("div", {class: "note"}, left);
  const sweepTitle = el("div", {}, left);
  const pickNote = el("div", {class: "note"}, left);
  const sweep = svgEl("svg", {class: "sweep", viewBox: "0 0 400 152", "data-testid": "sweep", role: "img"}, left);
  const kinks = el("div", {class: "note", "data-testid": "sweep-note"}, left);

  const controls = el("fieldset", {}, right);
  function field(label, input) { const l = el("label", {}, controls); el("span", {text: label + " "}, l); l.appendChild(input); return input; }
  const select = (id, options) => { const x = el("select", {"data-testid": id}); for (const o of options) el("option", {value: o}, x); return x; };
  const opSel = select("op", ["pool", "align"]);
  const modeSel = select("mode", ["max", "avg"]);
  const langSel = select("lang", Object.keys(start.words.languages));
  const boxIn = ["box-x1", "box-y1", "box-x2", "box-y2"].map((id) => el("input", {type: "number", step: "any", "data-testid": id, class: "small"}));
  const sizeIn = el("input", {type: "text", "data-testid": "output-size", class: "small"});
  const srIn = el("input", {type: "number", step: "1", "data-testid": "sampling-ratio", class: "small"});
  const scaleIn = el("input", {type: "number", step: "any", "data-testid": "spatial-scale", class: "small"});
  const alignedIn = el("input", {type: "checkbox", "data-testid": "aligned"});
  const snapIn = el("input", {type: "checkbox", "data-testid": "snap"});
  const poolBinsIn = el("input", {type: "checkbox", "data-testid": "pool-bins"});
  const labels = {};
  function labelled(key, input) { const i = field("", input); labels[key] = i.previousSibling; return i; }
  labelled("op", opSel); labelled("mode", modeSel); labelled("lang", langSel);
  const boxLabel = el("div", {}, controls); labels.box = el("span", {}, boxLabel);
  for (const b of boxIn) boxLabel.appendChild(b);
  labelled("size", sizeIn); labelled("sr", srIn); labelled("scale", scaleIn); labelled("aligned", alignedIn); labelled("snap", snapIn);
  labelled("poolbins", poolBinsIn);
  const error = el("div", {class: "error", "data-testid": "error"}, right);
  const outTitle = el("h2", {}, right);
  const output = el("div", {"data-testid": "output"}, right);
  const expTitle = el("h2", {}, right);
  const command = el("code", {class: "cmd", "data-testid": "command"}, right);
  const exportsBox = el("div", {"data-testid": "exports"}, right);
  const mapTitle = el("h2", {}, right);
  const mapText = el("textarea", {rows: "4", "data-testid": "map-text"}, right);
  const mapApply = el("button", {"data-testid": "map-apply"}, right);
  // The browser's own file button speaks the browser's language: a label in the page's words
  // stands in for it (the input stays focusable, and a click on the label opens it).
  const fileLabel = el("label", {class: "filebtn"}, right);
  const fileWords = el("span", {}, fileLabel);
  const mapFile = el("input", {type: "file", accept: ".npy,.csv,.txt,image/*", "data-testid": "map-file"}, fileLabel);
  const stepsTitle = el("h2", {}, right);
  const steps = el("div", {class: "steps", "data-testid": "steps"}, right);

  function params() {
    // The map by its id when the server keeps it (a notebook's backend takes the map itself).
    const where = s.mapId ? {map_id: s.mapId} : {map: rows(s.map)};
    const p = {op: s.op, ...where, box: s.box.map(String).join(","), output_size: s.output_size,
               spatial_scale: s.spatial_scale, lang: s.lang};
    if (s.op === "align") Object.assign(p, {mode: s.mode, aligned: String(s.aligned), sampling_ratio: s.sampling_ratio});
    return p;
  }

  function syncInputs() {
    opSel.value = s.op; modeSel.value = s.mode; langSel.value = s.lang;
    boxIn.forEach((b, i) => { b.value = String(s.box[i]); });
    sizeIn.value = s.output_size; srIn.value = s.sampling_ratio; scaleIn.value = s.spatial_scale;
    alignedIn.checked = s.aligned; snapIn.checked = s.snap; poolBinsIn.checked = s.poolBins;
    modeSel.disabled = srIn.disabled = alignedIn.disabled = poolBinsIn.disabled = s.op !== "align";
    mapText.value = rows(s.map).replaceAll("; ", "\n");
    const t = UI[s.lang];
    for (const [k, node] of Object.entries(labels)) node.textContent = t[k] + " ";
    // The box's four inputs share one caption: each is named for a screen reader too.
    boxIn.forEach((b, i) => b.setAttribute("aria-label", `${t.box} ${["x1", "y1", "x2", "y2"][i]}`));
    mapText.setAttribute("aria-label", t.map); mapFile.setAttribute("aria-label", t.file); fileWords.textContent = t.file;
    for (const o of opSel.options) o.textContent = t[o.value];
    for (const o of modeSel.options) o.textContent = t[o.value];
    for (const o of langSel.options) o.textContent = start.words.languages[o.value];
    outTitle.textContent = t.output; expTitle.textContent = t.exports; mapTitle.textContent = t.map;
    mapApply.textContent = t.apply; stepsTitle.textContent = t.steps; sweepTitle.textContent = t.sweep;
    kinks.textContent = t.kinks; keysNote.textContent = t.keys; pickNote.textContent = t.pick;
    sweep.setAttribute("aria-label", t.sweep); map.setAttribute("aria-label", t.keys);
    document.documentElement.lang = s.lang;
  }

  async function newMap() {  // the map changed on the page: the server keeps the new one
    if (backend.keepMap) {
      try { s.mapId = await backend.keepMap(s.map); } catch (e) { error.textContent = e.message; return; }
    } else {
      s.mapId = null;
    }
    refresh();
  }

  async function refresh() {
    syncInputs();
    const p = params();
    try {
      [trace, poolTrace] = await Promise.all([backend.explain(p), askPool(p)]);
      error.textContent = "";
    } catch (e) {
      error.textContent = e.message;
      return;
    }
    draw(); drawOutput(); drawSteps(); drawExports(p);
    app.dataset.version = String(Number(app.dataset.version || 0) + 1);  // for tests: a redraw is done
    backend.sweep({...p, bin: (hoverBin || trace.data.focus || [0, 0]).join(",")}).then(drawSweep).catch(() => {});
  }

  // RoI Pool's bins for the same box (its numbers only), when they are asked for over RoI Align's.
  function askPool(p) {
    if (s.op !== "align" || !s.poolBins) return Promise.resolve(null);
    const {mode, aligned, sampling_ratio, ...rest} = p;
    return (backend.live || backend.explain)({...rest, op: "pool"});
  }

  // ---------------------------------------------------------------- the map and the box
  let view = {x: 0, y: 0, w: 1, h: 1};
  function roiRect() {  // the user's box projected onto the map, as the trace gives it
    const d = trace.data;
    if (trace.op === "roi_pool") return [d.x.scaled_start, d.y.scaled_start, d.x.scaled_end, d.y.scaled_end];
    return [d.x.start + d.offset, d.y.start + d.offset, d.x.end + d.offset, d.y.end + d.offset];
  }

  function draw() {
    map.innerHTML = "";
    const H = trace.feature.length, W = trace.feature[0].length;
    const [x1, y1, x2, y2] = roiRect();
    // Room around the map for the scales (row and column numbers, the pixel-edge axis above in
    // align mode) and for a point's labels beside an edge cell.
    const hiX = Math.max(W + 0.5, x2 + 0.4), hiY = Math.max(H + 0.05, y2 + 0.4);
    const top = trace.op === "roi_align" ? 0.75 : 0;
    view = {x: Math.min(-1.6, x1 - 0.4), y: Math.min(-0.6, y1 - 0.4) - top, w: 0, h: 0};
    view.w = hiX - view.x; view.h = hiY - view.y;
    map.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
    const inBox = new Set();
    for (const b of trace.data.bins) {
      if (trace.op === "roi_pool") {
        for (let r = b.rows[0]; r < b.rows[1]; r++) for (let c = b.cols[0]; c < b.cols[1]; c++) inBox.add(r + "," + c);
      } else {
        for (const p of b.points) if (p.inside) for (const rc of p.cells) inBox.add(rc.join(","));
      }
    }
    // RoI Align reads the map at its cell centres (a lattice): each value sits beside its lattice
    // point, on the side farthest from the sampling points, so that no dot covers it.
    const dots = trace.op === "roi_align" ? trace.data.bins.flatMap((b) => b.points.map((p) => [p.x, p.y])) : [];
    const SIDES = [[0.07, -0.08, "start"], [-0.07, -0.08, "end"], [0.07, 0.27, "start"], [-0.07, 0.27, "end"]];
    const place = (c, r) => {
      let best = SIDES[0], far = -1;
      for (const side of SIDES) {  // the label's middle, in cells
        const mx = c + side[0] + (side[2] === "start" ? 0.2 : -0.2), my = r + side[1] - 0.09;
        const near = Math.min(Infinity, ...dots.map(([x, y]) => Math.hypot(x - mx, y - my)));
        if (near > far + 1e-9) { far = near; best = side; }
        if (near > 0.45) break;  // far enough: keep the first (top right) side, as the figure does
      }
      return best;
    };
    trace.feature.forEach((row, r) => row.forEach((v, c) => {
      const cell = svgEl("rect", {x: c - 0.5, y: r - 0.5, width: 1, height: 1, class: "cell" + (inBox.has(r + "," + c) ? " in" : ""),
                                  "data-testid": `cell-${r}-${c}`, "data-value": String(v)}, map);
      cell.addEventListener("dblclick", () => {
        const value = window.prompt(`(${r}, ${c})`, String(v));
        if (value !== null && value.trim() !== "" && Number.isFinite(Number(value))) { s.map[r][c] = Number(value); newMap(); }
      });
      if (trace.op === "roi_align") {
        const [dx, dy, anchor] = place(c, r);
        svgEl("circle", {cx: c, cy: r, r: 0.04, class: "lattice"}, map);
        svgEl("text", {x: c + dx, y: r + dy, "text-anchor": anchor, class: "val", "data-testid": `val-${r}-${c}`, text: short(v)}, map);
      } else {
        svgEl("text", {x: c, y: r + 0.09, "text-anchor": "middle", class: "val", "data-testid": `val-${r}-${c}`, text: short(v)}, map);
      }
    }));
    drawAxes(H, W);
    const d = trace.data;
    if (trace.op === "roi_pool") {
      const ideal = {};
      for (const b of d.misalignment.bins) ideal[b.axis + b.bin] = b.ideal;
      for (const b of d.bins) {
        const bin = `${b.ph}-${b.pw}`;
        svgEl("rect", {x: b.cols[0] - 0.5, y: b.rows[0] - 0.5, width: Math.max(b.cols[1] - b.cols[0], 0), height: Math.max(b.rows[1] - b.rows[0], 0),
                       class: "bin", "data-bin": bin}, map);
        const [ix0, ix1] = ideal["x" + b.pw], [iy0, iy1] = ideal["y" + b.ph];
        svgEl("rect", {x: ix0, y: iy0, width: ix1 - ix0, height: iy1 - iy0, class: "bin ideal", "data-bin": bin}, map);
        if (b.winner) svgEl("rect", {x: b.winner[1] - 0.44, y: b.winner[0] - 0.44, width: 0.88, height: 0.88, class: "wincell", "data-bin": bin}, map);
      }
    } else {
      const ex = d.x.edges, ey = d.y.edges;
      for (const b of d.bins) {
        const bin = `${b.ph}-${b.pw}`;
        svgEl("rect", {x: ex[b.pw], y: ey[b.ph], width: ex[b.pw + 1] - ex[b.pw], height: ey[b.ph + 1] - ey[b.ph], class: "bin", "data-bin": bin}, map);
      }
      if (d.offset) svgEl("rect", {x: d.x.start, y: d.y.start, width: d.x.end - d.x.start, height: d.y.end - d.y.start, class: "roi-shifted", "data-testid": "roi-shifted"}, map);
      if (poolTrace) drawPoolBins(poolTrace, "");
    }
    const roi = svgEl("rect", {x: x1, y: y1, width: Math.max(x2 - x1, 0.001), height: Math.max(y2 - y1, 0.001), class: "roi", "data-testid": "roi"}, map);
    dragger(roi, "move");
    const corners = {nw: [x1, y1], ne: [x2, y1], sw: [x1, y2], se: [x2, y2]};
    for (const [name, [cx, cy]] of Object.entries(corners)) {
      const h = svgEl("rect", {x: cx - 0.12, y: cy - 0.12, width: 0.24, height: 0.24, class: "handle " + name, "data-testid": "handle-" + name}, map);
      dragger(h, name);
    }
    // The points are drawn over the box, so the pointer (and the keyboard) reaches each one.
    if (trace.op === "roi_align") {
      for (const b of d.bins) {
        const bin = `${b.ph}-${b.pw}`;
        b.points.forEach((p, i) => {
          if (b.winner === i) svgEl("circle", {cx: p.x, cy: p.y, r: 0.2, class: "win", "data-bin": bin}, map);
          const dot = svgEl("circle", {cx: p.x, cy: p.y, r: 0.11, class: "pt" + (p.inside ? "" : " off"), "data-bin": bin,
                                       "data-testid": `pt-${b.ph}-${b.pw}-${i}`, tabindex: "0", role: "button",
                                       "aria-label": `${UI[s.lang].point} (${b.ph}, ${b.pw}) ${i + 1}: y ${p.y}, x ${p.x}`}, map);
          const show = () => neighbours(p);
          const hide = () => { map.querySelectorAll(".nb, .nbtext").forEach((e) => e.remove()); closeup.textContent = ""; };
          dot.addEventListener("mouseenter", show); dot.addEventListener("focus", show);
          dot.addEventListener("mouseleave", hide); dot.addEventListener("blur", hide);
        });
      }
    }
  }

  // RoI Pool's whole-cell bins over RoI Align's exact ones: the misalignment, to the cell.
  function drawPoolBins(t, extra, into = map) {
    for (const b of t.data.bins) {
      svgEl("rect", {x: b.cols[0] - 0.5, y: b.rows[0] - 0.5, width: Math.max(b.cols[1] - b.cols[0], 0),
                     height: Math.max(b.rows[1] - b.rows[0], 0), class: "bin poolbin" + extra,
                     "data-testid": `poolbin-${b.ph}-${b.pw}`}, into);
    }
  }

  // Two scales in feature cells: the cell centres (where RoI Align reads the map, and where the
  // box's numbers fall with aligned off) and, in align mode, the pixel edges above, where the
  // box's numbers fall with aligned on: the half-pixel shift is the distance between the two.
  function drawAxes(H, W) {
    axesNote.textContent = trace.op === "roi_align" ? UI[s.lang].edges : "";
    for (let c = 0; c < W; c++) svgEl("text", {x: c, y: H - 0.5 + 0.3, "text-anchor": "middle", class: "axislabel centre", text: String(c)}, map);
    for (let r = 0; r < H; r++) svgEl("text", {x: -0.55, y: r + 0.08, "text-anchor": "end", class: "axislabel centre", text: String(r)}, map);
    if (trace.op !== "roi_align") return;
    const y = -0.5 - 0.35;
    svgEl("line", {x1: -0.5, y1: y, x2: W - 0.5, y2: y, class: "edgeaxis"}, map);
    for (let k = 0; k <= W; k++) {
      svgEl("line", {x1: k - 0.5, y1: y - 0.08, x2: k - 0.5, y2: -0.5, class: "edgeaxis"}, map);
      svgEl("text", {x: k - 0.5, y: y - 0.12, "text-anchor": "middle", class: "axislabel edge", "data-testid": "edge-tick", text: String(k)}, map);
    }
  }

  // While a drag is on, the engine answers for the box under the pointer; these draw its
  // bins, points, winners and outputs over the page (the walkthrough waits for the release).
  function drawLive(t, pt) {
    // One group holds a live answer's drawing, replaced whole by the next; the page's own bins and
    // points are hidden once per drag, not at every answer.
    if (!map.querySelector(".stale")) map.querySelectorAll(".bin, .pt, .win, .wincell").forEach((e) => e.classList.add("stale"));
    const group = svgEl("g", {class: "live"}), old = map.querySelector("g.live");
    drawInto(group, t, pt);  // drawn off the page, then put in at once
    if (old) old.replaceWith(group); else map.appendChild(group);
    t.output.forEach((row, i) => row.forEach((v, j) => {
      const td = outCells[`${i}-${j}`];
      if (td) { td.textContent = short(v); td.dataset.value = String(v); }
    }));
    app.dataset.live = String(Number(app.dataset.live || 0) + 1);  // for tests: a live answer was drawn
  }

  function drawInto(map, t, pt) {  // (the group stands in for the map: the same drawing calls)
    if (pt) drawPoolBins(pt, " live", map);
    const d = t.data;
    if (t.op === "roi_pool") {
      for (const b of d.bins) {
        svgEl("rect", {x: b.cols[0] - 0.5, y: b.rows[0] - 0.5, width: Math.max(b.cols[1] - b.cols[0], 0),
                       height: Math.max(b.rows[1] - b.rows[0], 0), class: "bin live"}, map);
        if (b.winner) svgEl("rect", {x: b.winner[1] - 0.44, y: b.winner[0] - 0.44, width: 0.88, height: 0.88, class: "wincell live"}, map);
      }
    } else {
      const ex = d.x.edges, ey = d.y.edges;
      for (const b of d.bins) {
        svgEl("rect", {x: ex[b.pw], y: ey[b.ph], width: ex[b.pw + 1] - ex[b.pw], height: ey[b.ph + 1] - ey[b.ph], class: "bin live"}, map);
        b.points.forEach((p, i) => {
          svgEl("circle", {cx: p.x, cy: p.y, r: 0.11, class: "pt live" + (p.inside ? "" : " off")}, map);
          if (b.winner === i) svgEl("circle", {cx: p.x, cy: p.y, r: 0.2, class: "win live"}, map);
        });
      }
    }
  }

  function neighbours(p) {  // the point's four neighbours and their weights, as the trace gives them
    if (!p.inside) return;
    p.cells.forEach(([r, c], k) => {
      svgEl("line", {x1: p.x, y1: p.y, x2: c, y2: r, class: "nb nb" + k}, map);
      // Each label sits on the far side of its neighbour from the point: the four never meet.
      const sx = k % 2 ? 1 : -1, sy = k < 2 ? -1 : 1;
      svgEl("text", {x: c + 0.14 * sx, y: r + 0.14 * sy + (sy > 0 ? 0.2 : 0), class: "nbtext",
                     "text-anchor": sx > 0 ? "start" : "end", "data-testid": `nb-${k}`,
                     "data-weight": String(p.weights[k]), text: `${short(p.cell_values[k])}×${short(p.weights[k])}`}, map);
    });
    // The close-up in words: the fractions, each weight as an area, the value (the trace's numbers).
    closeup.textContent = "";
    el("div", {text: `(y, x) = (${short(p.y)}, ${short(p.x)}): ly = ${short(p.ly)}, hy = ${short(p.hy)}, ` +
      `lx = ${short(p.lx)}, hx = ${short(p.hx)}; hy·hx = ${short(p.weights[0])}, hy·lx = ${short(p.weights[1])}, ` +
      `ly·hx = ${short(p.weights[2])}, ly·lx = ${short(p.weights[3])}; ${short(p.value)}`}, closeup);
    areas(p);
  }

  // The close-up as the static bilinear figure draws it: the cell square between the four
  // neighbours, the point at (lx, ly) inside it, and each neighbour's weight as the area of the
  // rectangle opposite it, in that neighbour's colour (render/figures.py's bilinear colours).
  const CORNER_COLOURS = ["#56B4E9", "#E69F00", "#009E73", "#CC79A7"];
  function areas(p) {
    const fig = svgEl("svg", {viewBox: "-0.5 -0.42 2.3 1.85", class: "areas", "data-testid": "areas", role: "img",
                              "aria-label": closeup.textContent}, closeup);
    const opposite = [[p.lx, p.ly, p.hx, p.hy], [0, p.ly, p.lx, p.hy], [p.lx, 0, p.hx, p.ly], [0, 0, p.lx, p.ly]];
    opposite.forEach(([x, y, w, h], k) => {
      svgEl("rect", {x, y, width: w, height: h, fill: CORNER_COLOURS[k], "fill-opacity": 0.45, stroke: "#000",
                     "stroke-width": 0.01, "data-testid": `area-${k}`, "data-weight": String(p.weights[k])}, fig);
      if (w > 0.32 && h > 0.14) svgEl("text", {x: x + w / 2, y: y + h / 2 + 0.04, "text-anchor": "middle", class: "arealabel", text: short(p.weights[k])}, fig);
    });
    [[0, 0], [1, 0], [0, 1], [1, 1]].forEach(([x, y], k) => {
      svgEl("circle", {cx: x, cy: y, r: 0.05, fill: CORNER_COLOURS[k], stroke: "#000", "stroke-width": 0.01}, fig);
      svgEl("text", {x: x + (x ? 0.08 : -0.08), y: y + (y ? 0.16 : -0.07), "text-anchor": x ? "start" : "end",
                     class: "arealabel", text: short(p.cell_values[k])}, fig);
    });
    svgEl("circle", {cx: p.lx, cy: p.ly, r: 0.04, fill: "#D55E00"}, fig);
    svgEl("text", {x: p.lx / 2, y: -0.2, "text-anchor": "middle", class: "arealabel", text: `lx ${short(p.lx)}`}, fig);
    svgEl("text", {x: (1 + p.lx) / 2, y: 1.33, "text-anchor": "middle", class: "arealabel", text: `hx ${short(p.hx)}`}, fig);
    svgEl("text", {x: 1.1, y: p.ly / 2 + 0.03, class: "arealabel", text: `ly ${short(p.ly)}`}, fig);
    svgEl("text", {x: 1.1, y: (1 + p.ly) / 2 + 0.03, class: "arealabel", text: `hy ${short(p.hy)}`}, fig);
  }

  function toMap(evt) {
    const pt = map.createSVGPoint();
    pt.x = evt.clientX; pt.y = evt.clientY;
    return pt.matrixTransform(map.getScreenCTM().inverse());
  }

  function dragger(node, kind) {
    node.addEventListener("pointerdown", (evt) => {
      evt.preventDefault();
      node.setPointerCapture(evt.pointerId);
      const from = toMap(evt);
      const box0 = s.box.slice();
      const scale = Number(s.spatial_scale);
      const roi = map.querySelector('[data-testid="roi"]');
      const r0 = [Number(roi.getAttribute("x")), Number(roi.getAttribute("y")), Number(roi.getAttribute("width")), Number(roi.getAttribute("height"))];
      let moved = [0, 0];
      // Which edges follow the mouse: all four to move, two for a corner handle.
      const all = kind === "move";
      const edge = {w: all || kind.endsWith("w"), e: all || kind.endsWith("e"),
                    n: all || kind.startsWith("n"), s: all || kind.startsWith("s")};
      const boxNow = () => {  // the box under the pointer, in image pixels
        const dx = moved[0] / scale, dy = moved[1] / scale;  // map cells to image pixels
        const b = box0.slice();
        if (edge.w) b[0] += dx;
        if (edge.e) b[2] += dx;
        if (edge.n) b[1] += dy;
        if (edge.s) b[3] += dy;
        const step = s.snap ? 1 / scale : 0.01;  // snap to whole cells, else to 0.01 px
        return b.map((v) => Number((Math.round(v / step) * step).toFixed(4)));
      };
      // One question in flight at a time: an answer for an old position is dropped, and the
      // next question asks for wherever the pointer is by then.
      let asked = 0, inFlight = false, dragging = true;
      const ask = () => {
        if (inFlight || !dragging) return;
        inFlight = true;
        const seq = ++asked;
        const p = {...params(), box: boxNow().map(String).join(",")};
        Promise.all([(backend.live || backend.explain)(p), askPool(p)])
          .then(([t, pt]) => { if (dragging && seq === asked) drawLive(t, pt); })
          .catch(() => {})
          .finally(() => { inFlight = false; if (dragging && pending) { pending = false; ask(); } });
      };
      let pending = false;
      const move = (e) => {
        const to = toMap(e);
        moved = [to.x - from.x, to.y - from.y];
        let [x, y, w, h] = r0;  // the rectangle follows the mouse; the engine answers as it can
        if (edge.w) { x += moved[0]; w -= moved[0]; }
        if (edge.e) { w += moved[0]; }
        if (edge.n) { y += moved[1]; h -= moved[1]; }
        if (edge.s) { h += moved[1]; }
        roi.setAttribute("x", x); roi.setAttribute("y", y);
        roi.setAttribute("width", Math.max(w, 0.001)); roi.setAttribute("height", Math.max(h, 0.001));
        if (all && sweepAt) sweepAt(boxNow()[0] - box0[0]);  // the sweep's marker follows the box
        if (inFlight) pending = true; else ask();
      };
      const up = () => {
        dragging = false;
        node.removeEventListener("pointermove", move);
        node.removeEventListener("pointerup", up);
        s.box = boxNow();
        refresh();
      };
      node.addEventListener("pointermove", move);
      node.addEventListener("pointerup", up);
    });
  }

  // ---------------------------------------------------------------- output, steps, sweep, export
  function highlight(bin, on) {
    root.querySelectorAll(`[data-bin="${bin}"], [data-step-bin="${bin}"], [data-out="${bin}"]`).forEach((e) => e.classList.toggle("hl", on));
  }

  let outCells = {};  // the output table's cells by bin, for the live answers
  function drawOutput() {
    output.innerHTML = "";
    outCells = {};
    const table = el("table", {}, output);
    const head = el("tr", {}, table);
    el("td", {class: "corner"}, head);  // the corner names nothing: a cell, not an empty header
    trace.output[0].forEach((_, j) => el("th", {text: String(j)}, head));
    trace.output.forEach((row, i) => {
      const tr = el("tr", {}, table);
      el("th", {text: String(i)}, tr);
      row.forEach((v, j) => {
        const td = el("td", {class: "out", "data-testid": `out-${i}-${j}`, "data-value": String(v), "data-out": `${i}-${j}`, tabindex: "0", text: short(v)}, tr);
        outCells[`${i}-${j}`] = td;
        const on = () => { highlight(`${i}-${j}`, true); };
        const off = () => { highlight(`${i}-${j}`, false); };
        td.addEventListener("mouseenter", on); td.addEventListener("focus", on);
        td.addEventListener("mouseleave", off); td.addEventListener("blur", off);
        td.addEventListener("click", () => { hoverBin = [i, j]; backend.sweep({...params(), bin: `${i},${j}`}).then(drawSweep).catch(() => {}); });
      });
    });
  }

  function drawSteps() {
    steps.innerHTML = "";
    for (const step of trace.steps) {
      if (step.key === "summary") continue;  // the page works out every bin: none is left to summarise
      const sec = el("section", {class: "step"}, steps);
      if (step.bin) sec.setAttribute("data-step-bin", step.bin.join("-"));
      el("h3", {text: step.title}, sec);
      if (step.lines.length) { const ul = el("ul", {}, sec); for (const line of step.lines) el("li", {text: line}, ul); }
      for (const t of step.tables) {
        const table = el("table", {}, sec);
        el("caption", {text: t.title}, table);
        const head = el("tr", {}, table); el("td", {class: "corner"}, head);
        for (const c of t.col_labels) el("th", {text: c}, head);
        t.values.forEach((row, r) => {
          const tr = el("tr", {}, table); el("th", {text: t.row_labels[r]}, tr);
          row.forEach((v) => el("td", {text: typeof v === "number" ? short(v) : (v ?? "")}, tr));
        });
      }
    }
  }

  function drawSweep(sw) {
    sweep.innerHTML = "";
    const xs = sw.shift_px;
    const x0 = Math.min(...xs), x1 = Math.max(...xs);
    const px = (v) => 45 + (300 * (v - x0)) / (x1 - x0 || 1);
    // Each curve on its own scale (left: RoI Pool, right: RoI Align): neither squashes the other.
    const scale = (vals) => { const lo = Math.min(...vals), hi = Math.max(...vals); return [lo, hi, (v) => 120 - (100 * (v - lo)) / (hi - lo || 1)]; };
    const [p0, p1, pyPool] = scale(sw.pool), [a0, a1, pyAlign] = scale(sw.align);
    svgEl("line", {x1: 45, y1: 120, x2: 345, y2: 120, class: "axis"}, sweep);
    svgEl("line", {x1: 45, y1: 20, x2: 45, y2: 120, class: "axis pool-axis"}, sweep);
    svgEl("line", {x1: 345, y1: 20, x2: 345, y2: 120, class: "axis align-axis"}, sweep);
    for (const v of [x0, 0, x1]) {  // ticks in image pixels: the slide's range is stated on the axis
      svgEl("line", {x1: px(v), y1: 120, x2: px(v), y2: 125, class: "axis"}, sweep);
      svgEl("text", {x: px(v), y: 136, "text-anchor": "middle", class: "tick", "data-testid": "sweep-tick", text: short(v)}, sweep);
    }
    const now = svgEl("line", {x1: px(0), y1: 20, x2: px(0), y2: 120, class: "now", "data-testid": "sweep-now"}, sweep);  // the box as it is
    sweepAt = (shift) => {  // a drag moves the marker; beyond the sweep's range it waits at the end
      const x = px(Math.min(x1, Math.max(x0, shift)));
      now.setAttribute("x1", x); now.setAttribute("x2", x);
    };
    let stairs = `M ${px(xs[0])} ${pyPool(sw.pool[0])}`;  // RoI Pool: a value holds until the next one
    for (let i = 1; i < xs.length; i++) stairs += ` H ${px(xs[i])} V ${pyPool(sw.pool[i])}`;
    svgEl("path", {d: stairs, class: "pool", "data-testid": "sweep-pool"}, sweep);
    svgEl("polyline", {points: xs.map((x, i) => `${px(x)},${pyAlign(sw.align[i])}`).join(" "), class: "align", "data-testid": "sweep-align"}, sweep);
    const t = UI[s.lang];
    svgEl("text", {x: 45, y: 14, text: `${t.pool} —`, fill: "#0072b2"}, sweep);
    svgEl("text", {x: 175, y: 14, text: `${t.align} —`, fill: "#d55e00"}, sweep);
    svgEl("text", {x: 300, y: 14, text: `(${sw.bin.join(", ")})`, "data-testid": "sweep-bin"}, sweep);
    svgEl("text", {x: 195, y: 149, "text-anchor": "middle", text: t.shift}, sweep);
    svgEl("text", {x: 41, y: 24, "text-anchor": "end", fill: "#0072b2", text: short(p1)}, sweep);
    svgEl("text", {x: 41, y: 120, "text-anchor": "end", fill: "#0072b2", text: short(p0)}, sweep);
    svgEl("text", {x: 349, y: 24, fill: "#d55e00", text: short(a1)}, sweep);
    svgEl("text", {x: 349, y: 120, fill: "#d55e00", text: short(a0)}, sweep);
  }

  async function drawExports(p) {
    exportsBox.innerHTML = "";
    for (const fmt of ["json", "md", "latex", "html", "png", "svg"]) {
      el("a", {href: backend.exportUrl(p, fmt), download: "", "data-testid": "export-" + fmt, text: fmt}, exportsBox);
      exportsBox.appendChild(document.createTextNode(" "));
    }
    try { command.textContent = (await backend.command(p)).command; } catch (e) { command.textContent = ""; }
  }

  // ---------------------------------------------------------------- the keyboard moves the box
  map.setAttribute("tabindex", "0");
  map.setAttribute("role", "application");
  let resizing = false;
  map.addEventListener("keydown", (e) => {
    if (e.key === "r" || e.key === "R") { resizing = !resizing; e.preventDefault(); return; }
    const step = e.shiftKey ? 1 : 0.1;  // image pixels
    const d = {ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step]}[e.key];
    if (!d) return;
    e.preventDefault();
    const b = s.box.slice();
    if (!resizing) { b[0] += d[0]; b[1] += d[1]; }
    b[2] += d[0]; b[3] += d[1];  // resizing moves the bottom-right corner only
    s.box = b.map((v) => Number(v.toFixed(4)));
    refresh();
  });

  // ---------------------------------------------------------------- inputs commit on change
  opSel.addEventListener("change", () => { s.op = opSel.value; refresh(); });
  modeSel.addEventListener("change", () => { s.mode = modeSel.value; refresh(); });
  langSel.addEventListener("change", () => { s.lang = langSel.value; refresh(); });
  boxIn.forEach((b, i) => b.addEventListener("change", () => { s.box[i] = Number(b.value); refresh(); }));
  sizeIn.addEventListener("change", () => { s.output_size = sizeIn.value; refresh(); });
  srIn.addEventListener("change", () => { s.sampling_ratio = srIn.value; refresh(); });
  scaleIn.addEventListener("change", () => { s.spatial_scale = scaleIn.value; refresh(); });
  alignedIn.addEventListener("change", () => { s.aligned = alignedIn.checked; refresh(); });
  snapIn.addEventListener("change", () => { s.snap = snapIn.checked; });
  poolBinsIn.addEventListener("change", () => { s.poolBins = poolBinsIn.checked; refresh(); });
  mapApply.addEventListener("click", () => {
    const m = mapText.value.trim().split(/[;\n]+/).map((r) => r.trim().split(/[\s,]+/).map(Number));
    s.map = m; newMap();
  });
  mapFile.addEventListener("change", async () => {
    if (!mapFile.files.length) return;
    try {
      const got = await backend.uploadMap(mapFile.files[0]);
      s.map = got.map; s.mapId = got.map_id || null; refresh();
    } catch (e) { error.textContent = e.message; }
  });
  await refresh();
  return {state: s, refresh};
}
