// lmt_web page script: interactive plots (vega + vega-lite, served by lmt_web itself), manual flags and
// the re-run form. The token comes from this page's own ?token= (kept for the session) and is sent as
// X-LMT-Token with every POST; links between pages carry it along.
(function () {
  "use strict";
  const q = new URLSearchParams(location.search);
  const token = q.get("token") || sessionStorage.getItem("lmt_web_token") || "";
  if (token) sessionStorage.setItem("lmt_web_token", token);
  const body = document.body;
  const $ = (id) => document.getElementById(id);
  const withToken = (href) => {
    if (!token || !href.startsWith("/") || href.startsWith("/files/")) return href;
    return href + (href.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
  };
  for (const a of document.querySelectorAll("a[href^='/']")) {
    a.setAttribute("href", withToken(a.getAttribute("href")));
  }

  async function post(path, data) {
    const r = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-lmt-token": token },
      body: JSON.stringify(data),
    });
    let j = {};
    try {
      j = await r.json();
    } catch (_) { /* not JSON */ }
    return { status: r.status, body: j };
  }
  function msg(el, text, ok) {
    el.innerHTML = "";
    const d = document.createElement("div");
    d.className = "msg " + (ok ? "ok" : "err");
    d.textContent = text;
    el.appendChild(d);
    return d;
  }
  if (body.dataset.page !== "obs") return;
  const obsId = body.dataset.obs;
  const kind = body.dataset.kind;
  const obsnumOf = () => (/^\d+$/.test(obsId) ? Number(obsId) : obsId);
  globalThis.lmtWeb = { views: {}, ready: false };

  async function render(el, spec) {
    const vgSpec = vegaLite.compile(spec).spec;
    const view = new vega.View(vega.parse(vgSpec), { renderer: "canvas", container: el, hover: true });
    await view.runAsync();
    return view;
  }
  const fmt = (v, n) => (Number.isFinite(v) ? v.toFixed(n) : "nan");
  const C = 299792.458;

  // ---- spectra: zoom/pan (bind scales), cursor readout of the nearest point
  let data = null;
  async function drawSpectrum() {
    const i = Number($("specfile").value || 0);
    const sp = data.spectra[i];
    if (!sp) return;
    const vel = $("xaxis").value === "v" && sp.xunit === "GHz" && Number($("restfreq").value) > 0;
    const f0 = Number($("restfreq").value);
    const rows = [];
    for (let k = 0; k < sp.x.length; k++) {
      if (!Number.isFinite(sp.y[k])) continue;
      const x = vel ? C * (1 - sp.x[k] / f0) : sp.x[k];
      rows.push({ x, y: sp.y[k], f: sp.x[k] });
    }
    const xt = vel
      ? "velocity (km/s, radio, rest " + f0 + " GHz)"
      : sp.xunit === "GHz"
      ? "frequency (GHz)"
      : sp.xunit === "km/s"
      ? "velocity (km/s)"
      : "x";
    const marking = kind === "seq" && $("range-mode") !== null && $("range-mode").checked;
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: 1060,
      height: 300,
      data: { values: rows },
      encoding: {
        x: { field: "x", type: "quantitative", title: xt, scale: { zero: false, nice: false } },
        y: { field: "y", type: "quantitative", title: "T_A (K)", scale: { zero: false } },
      },
      layer: [
        {
          mark: { type: "line", strokeWidth: 1, interpolate: "step" },
          params: marking ? [] : [{ name: "grid", select: "interval", bind: "scales" }],
        },
        {
          mark: { type: "point", size: 40, filled: true, color: "#d22" },
          params: [{
            name: "hover",
            select: { type: "point", on: "pointermove", nearest: true, clear: "pointerout" },
          }],
          encoding: { opacity: { condition: { param: "hover", empty: false, value: 1 }, value: 0 } },
        },
      ],
    };
    const el = $("spectrum");
    el.innerHTML = "";
    const view = await render(el, spec);
    globalThis.lmtWeb.views.spectrum = view;
    seqRange = null;
    updateSeqRange();
    el.dataset.mode = marking ? "range" : "pan";
    if (marking) {
      if (sp.xunit !== "km/s") {
        msg($("flagmsg"), "channel ranges are marked on a velocity spectrum (km/s): pick one", false);
      } else {
        rangeDrag(el, view, (r) => {
          seqRange = r;
          globalThis.lmtWeb.seqRange = r;
          updateSeqRange();
        });
      }
    }
    // cursor readout: the pointer's x through the x scale, then the nearest sample of the spectrum
    view.addEventListener("pointermove", (ev) => {
      const o = view.origin();
      const xv = view.scale("x").invert(ev.offsetX - o[0]);
      let d = null;
      for (const r of rows) if (d === null || Math.abs(r.x - xv) < Math.abs(d.x - xv)) d = r;
      if (d === null) return;
      $("readout").textContent = (vel
        ? "v = " + fmt(d.x, 2) + " km/s  (f = " + fmt(d.f, 5) + " GHz)"
        : sp.xunit === "GHz"
        ? "f = " + fmt(d.x, 5) + " GHz"
        : sp.xunit === "km/s"
        ? "v = " + fmt(d.x, 2) + " km/s"
        : "x = " + fmt(d.x, 4)) + "   T = " + fmt(d.y * 1000, 3) + " mK   [" + sp.file + "]";
    });
  }

  // ---- RSR chassis/board grid, waterfalls and per-board spectra
  let picked = null; // {chassis, board}
  let range = null; // [f1, f2]
  function updatePick() {
    for (const b of document.querySelectorAll("#cbgrid button")) {
      b.classList.toggle("sel", picked !== null && b.dataset.cb === picked.chassis + "/" + picked.board);
    }
    const t = picked ? "chassis " + picked.chassis + " board " + picked.board : "no chassis/board picked";
    $("cbsel").textContent = t +
      (range ? "; range " + fmt(range[0], 3) + "–" + fmt(range[1], 3) + " GHz" : "");
    $("flag-board").disabled = picked === null;
    $("flag-range").disabled = picked === null || range === null;
  }
  function drawGrid() {
    const jit = new Map(data.jitter.map(([c, b, v]) => [c + "/" + b, v]));
    const flagged = new Map(data.flagged.map(([c, b, w]) => [c + "/" + b, w]));
    const max = Math.max(0.001, ...data.jitter.map((j) => j[2]));
    let h = "<table class='cb'><tr><th></th>";
    for (let b = 0; b < 6; b++) h += "<th>board " + b + "</th>";
    h += "</tr>";
    for (let c = 0; c < 4; c++) {
      h += "<tr><th>chassis " + c + "</th>";
      for (let b = 0; b < 6; b++) {
        const k = c + "/" + b;
        const v = jit.get(k);
        const a = v === undefined ? 0 : Math.min(1, v / max);
        const bg = "rgba(40,110,200," + (0.12 + 0.6 * a).toFixed(2) + ")";
        const f = flagged.get(k);
        h += "<td><button type='button' data-cb='" + k + "' class='" + (f ? "flagged" : "") +
          "' style='background:" + bg +
          "' title='chassis " + c + " board " + b + (v !== undefined ? ", Tsys jitter " + v.toFixed(3) : "") +
          (f ? ", flagged: " + f : "") + "'>" + (v !== undefined ? v.toFixed(3) : "–") + (f ? " ✕" : "") +
          "</button></td>";
      }
      h += "</tr>";
    }
    $("cbgrid").innerHTML = h + "</table>";
    for (const b of document.querySelectorAll("#cbgrid button")) {
      b.addEventListener("click", () => {
        const [c, bd] = b.dataset.cb.split("/").map(Number);
        picked = { chassis: c, board: bd };
        updatePick();
      });
    }
    const wf = $("waterfalls");
    wf.innerHTML = "";
    for (const w of data.waterfalls) {
      const c = (/wf-(\d)\.png$/.exec(w) || [])[1];
      const fig = document.createElement("figure");
      const img = document.createElement("img");
      img.src = "/files/" + encodeURIComponent(obsId) + "/" + encodeURIComponent(w);
      img.alt = w;
      if (c !== undefined) {
        img.title = "chassis " + c + ": click to pick this chassis";
        img.style.cursor = "pointer";
        img.addEventListener("click", () => {
          picked = { chassis: Number(c), board: picked ? picked.board : 0 };
          updatePick();
        });
      }
      const cap = document.createElement("figcaption");
      cap.textContent = c !== undefined ? "chassis " + c + ": each repeat and the average " : "";
      const full = document.createElement("a");
      full.href = img.src;
      full.target = "_blank";
      full.textContent = "(" + w + ")";
      cap.appendChild(full);
      fig.append(img, cap);
      wf.appendChild(fig);
    }
  }
  async function drawBands() {
    if (data.bands.length === 0) {
      $("bands").textContent = "no per-board spectra (_bandspec.txt) in this run";
      return;
    }
    const rows = [];
    for (const b of data.bands) {
      for (let k = 0; k < b.f.length; k++) {
        if (Number.isFinite(b.t[k])) rows.push({ f: b.f[k], t: b.t[k], board: b.board });
      }
    }
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: 1060,
      height: 260,
      data: { values: rows },
      mark: { type: "line", strokeWidth: 1, interpolate: "step" },
      params: [
        { name: "pick", select: { type: "point", fields: ["board"], on: "click" }, bind: "legend" },
      ],
      encoding: {
        x: {
          field: "f",
          type: "quantitative",
          title: "frequency (GHz)",
          scale: { zero: false, nice: false },
        },
        y: { field: "t", type: "quantitative", title: "T_A (K)" },
        color: { field: "board", type: "nominal", title: "board" },
        detail: { field: "board" },
        opacity: { condition: { param: "pick", value: 1 }, value: 0.25 },
        tooltip: [{ field: "board" }, { field: "f", format: ".4f" }, { field: "t", format: ".5f" }],
      },
    };
    const view = await render($("bands"), spec);
    globalThis.lmtWeb.views.bands = view;
    // a frequency range: drag across the plot, shown as a shaded span (the same drag as the SEQ spectrum's)
    rangeDrag($("bands"), view, (r) => {
      range = r;
      updatePick();
    });
    view.addEventListener("click", (_ev, item) => {
      let d = item && item.datum;
      if (d && d.datum) d = d.datum;
      if (d && d.board !== undefined) {
        picked = { chassis: picked ? picked.chassis : 0, board: Number(d.board) };
        updatePick();
      }
    });
    view.addEventListener("pointermove", (_ev, item) => {
      let d = item && item.datum;
      if (d && d.datum) d = d.datum;
      if (d && d.f !== undefined) {
        $("bands-readout").textContent = "board " + d.board + "  f = " + fmt(d.f, 5) + " GHz   T = " +
          fmt(d.t * 1000, 3) + " mK";
      }
    });
  }
  // interactive waterfall: the numbers behind rsr.wf-C.png (rsr_driver --waterfall-data), one chassis at a
  // time, every repeat and the average stacked with an offset of 6·s (the PNG panels span ±3·s)
  let wfData = null;
  async function drawWaterfall() {
    const sec = $("wfi-section");
    if (!data.waterfallData) {
      sec.hidden = true;
      return;
    }
    if (wfData === null || wfData.src !== data.waterfallData) {
      const r = await fetch(
        "/files/" + encodeURIComponent(obsId) + "/" + encodeURIComponent(data.waterfallData),
      );
      if (!r.ok) return;
      wfData = await r.json();
      wfData.src = data.waterfallData;
      const sel = $("wfi-chassis");
      sel.innerHTML = wfData.products.map((p, i) =>
        "<option value='" + i + "'>" + (wfData.products.length > 4 ? p.obsnum + " " : "") + "chassis " +
        p.chassis +
        "</option>"
      ).join("");
    }
    sec.hidden = false;
    const p = wfData.products[Number($("wfi-chassis").value || 0)];
    if (!p) return;
    const off = 6 * p.scale;
    const rows = [];
    p.panels.forEach((pn, i) => {
      for (let b = 0; b < 6; b++) {
        const f = p.freq[b], t = pn.t[b];
        for (let k = 0; k < f.length; k++) {
          if (t[k] !== null) {
            rows.push({
              f: f[k],
              y: t[k] + i * off,
              t: t[k],
              board: b,
              panel: pn.title.replace(/^.*Chassis \d+, /, ""),
              i,
            });
          }
        }
      }
    });
    const ticks = p.panels.map((_, i) => i * off);
    const names = p.panels.map((pn) => pn.title.replace(/^.*Chassis \d+, /, ""));
    const spec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: 1060,
      height: Math.max(260, 60 * p.panels.length),
      data: { values: rows },
      mark: { type: "line", strokeWidth: 1, interpolate: "step" },
      params: [{ name: "wfgrid", select: "interval", bind: "scales" }],
      encoding: {
        x: {
          field: "f",
          type: "quantitative",
          title: "Frequency (GHz)",
          scale: { domain: wfData.xrange, nice: false },
        },
        y: {
          field: "y",
          type: "quantitative",
          title: "T_A* (mK), panel offset " + off.toFixed(1) + " mK",
          scale: { domain: [-off / 2, (p.panels.length - 0.5) * off], nice: false, zero: false },
          axis: {
            values: ticks,
            labelExpr: JSON.stringify(names) + "[round(datum.value / " + off + ")]",
          },
        },
        color: { field: "board", type: "nominal", title: "board" },
        detail: [{ field: "board" }, { field: "i" }],
      },
    };
    const el = $("wfi");
    el.innerHTML = "";
    const view = await render(el, spec);
    globalThis.lmtWeb.views.waterfall = view;
    el.dataset.chassis = String(p.chassis);
    const near = (ev) => {
      const o = view.origin();
      const fx = view.scale("x").invert(ev.offsetX - o[0]);
      const yv = view.scale("y").invert(ev.offsetY - o[1]);
      const i = Math.max(0, Math.min(p.panels.length - 1, Math.round(yv / off)));
      let best = null;
      for (let b = 0; b < 6; b++) {
        const f = p.freq[b];
        if (fx < Math.min(f[0], f[f.length - 1]) || fx > Math.max(f[0], f[f.length - 1])) continue;
        for (let k = 0; k < f.length; k++) {
          const tv = p.panels[i].t[b][k];
          if (tv === null) continue;
          const d = Math.abs(f[k] - fx);
          if (best === null || d < best.d) best = { d, b, f: f[k], t: tv };
        }
      }
      return best && { i, ...best };
    };
    view.addEventListener("pointermove", (ev) => {
      const n = near(ev);
      if (!n) return;
      $("wfi-readout").textContent = "chassis " + p.chassis + " " + names[n.i] + "  board " + n.b + "  f = " +
        fmt(n.f, 5) + " GHz   T = " + fmt(n.t, 3) + " mK   (σ = " + fmt(p.panels[n.i].sigma[n.b], 3) + " mK)";
    });
    view.addEventListener("click", (ev) => {
      const n = near(ev);
      if (!n) return;
      picked = { chassis: p.chassis, board: n.b };
      updatePick();
    });
  }

  async function flag(req) {
    const r = await post("/api/flag", Object.assign({ obsnum: obsnumOf() }, req));
    if (r.status !== 200) {
      msg($("flagmsg"), "not flagged: " + (r.body.error || r.status), false);
      return;
    }
    const d = msg(
      $("flagmsg"),
      r.body.lines.length
        ? "added to " + r.body.file + ": " + r.body.lines.join(" | ")
        : "already flagged in " + r.body.file,
      true,
    );
    offerRerun(d);
    await load(false);
  }

  /** A "Run again with this flag" button after a flag's message line (submits the re-run form). */
  function offerRerun(line) {
    const btn = document.createElement("button");
    btn.type = "button";
    btn.id = "rerun-after-flag";
    btn.textContent = "Run again with this flag";
    btn.style.marginLeft = "1em";
    btn.addEventListener("click", () => $("rerun").requestSubmit());
    line.appendChild(btn);
  }

  // ---- SEQ: a pixel left out → pix_list=-P,...; a velocity range of the spectrum → birdies= channels.
  // The server computes the values (channels through the SpecFile's axis) and checks them with the
  // pipeline's grammar; they go into the re-run form, and the run records them.
  let seqRange = null; // [v1, v2] km/s
  const formInput = (name) => document.querySelector("#rerun input[name=" + name + "]");
  function excludedOf(v) {
    v = (v || "").trim();
    if (v === "") return [];
    if (v.startsWith("-")) return v.slice(1).split(",").filter((x) => x !== "").map(Number);
    const keep = new Set(v.split(",").map(Number));
    return [...Array(16).keys()].filter((p) => !keep.has(p));
  }
  function setForm(params) {
    for (const [k, v] of Object.entries(params)) {
      const f = formInput(k);
      if (f) f.value = v;
    }
    markChanged();
  }
  async function seqFlag(req, what) {
    const r = await post(
      "/api/flag",
      Object.assign({
        obsnum: obsnumOf(),
        kind: "seq",
        pix_list: formInput("pix_list").value,
        birdies: formInput("birdies").value,
      }, req),
    );
    if (r.status !== 200) {
      msg($("flagmsg"), "not flagged: " + (r.body.error || r.status), false);
      return;
    }
    setForm(r.body.params);
    const d = msg(
      $("flagmsg"),
      what(r.body) + " → pix_list=" + r.body.params.pix_list + " birdies=" + r.body.params.birdies +
        " in the form below",
      true,
    );
    offerRerun(d);
    drawPixels();
  }
  function drawPixels() {
    const el = $("pixgrid");
    if (!el || !data) return;
    const tsys = data.seq ? data.seq.tsys : [];
    const ex = new Set(excludedOf(formInput("pix_list").value));
    let h = "<table class='cb'><tr>";
    for (let p = 0; p < 16; p++) {
      const t = tsys[p];
      h += (p % 4 === 0 && p ? "</tr><tr>" : "") + "<td><button type='button' data-pix='" + p + "' class='" +
        (ex.has(p) ? "flagged" : "") + "' title='pixel " + p + (t != null ? ", Tsys " + t + " K" : "") +
        (ex.has(p) ? ", left out: click to use again" : ": click to leave out") + "'>pixel " + p + "<br>" +
        (t != null ? t.toFixed(0) + " K" : "–") + (ex.has(p) ? " ✕" : "") + "</button></td>";
    }
    el.innerHTML = h + "</tr></table>" +
      (data.seq
        ? "<div class='small'>Tsys: mean of the first calibration per pixel, " + data.seq.file + "</div>"
        : "");
    for (const b of el.querySelectorAll("button")) {
      b.addEventListener("click", () => {
        const p = Number(b.dataset.pix);
        const out = !b.classList.contains("flagged");
        seqFlag(
          out ? { exclude: [p] } : { include: [p] },
          () => "pixel " + p + (out ? " left out" : " used again"),
        );
      });
    }
  }
  function updateSeqRange() {
    const b = $("flag-channels");
    if (!b) return;
    b.disabled = seqRange === null;
    $("seqrange").textContent = seqRange
      ? "range " + fmt(seqRange[0], 2) + " … " + fmt(seqRange[1], 2) + " km/s"
      : "no range marked";
  }
  // drag on the spectrum (range mode): pointer x through the x scale, shown as a shaded span
  function rangeDrag(el, view, onRange) {
    el.style.position = "relative";
    const span = document.createElement("div");
    span.className = "range-span";
    span.style.cssText = "position:absolute;background:rgba(255,190,0,.35);pointer-events:none;display:none";
    el.appendChild(span);
    const canvas = el.querySelector("canvas");
    let x0 = null;
    const px = (ev) => ev.clientX - canvas.getBoundingClientRect().left - view.origin()[0];
    const show = (a, b) => {
      const o = view.origin(), r = canvas.getBoundingClientRect(), er = el.getBoundingClientRect();
      span.style.left = (r.left - er.left + o[0] + Math.min(a, b)) + "px";
      span.style.width = Math.abs(b - a) + "px";
      span.style.top = (r.top - er.top + o[1]) + "px";
      span.style.height = view.height() + "px";
      span.style.display = "block";
    };
    canvas.addEventListener("pointerdown", (ev) => {
      x0 = px(ev);
    });
    canvas.addEventListener("pointermove", (ev) => {
      if (x0 !== null && ev.buttons) show(x0, px(ev));
    });
    canvas.addEventListener("pointerup", (ev) => {
      if (x0 === null) return;
      const x1 = px(ev);
      if (Math.abs(x1 - x0) > 3) {
        const sx = view.scale("x");
        const a = sx.invert(x0), b = sx.invert(x1);
        show(x0, x1);
        onRange([Math.min(a, b), Math.max(a, b)]);
      }
      x0 = null;
    });
  }

  // ---- re-run form → POST /api/run, progress by server-sent events
  function formParams() {
    const params = {};
    for (const i of document.querySelectorAll("#rerun input[name]")) {
      if (i.value !== i.dataset.default) params[i.name] = i.value;
    }
    return params;
  }
  function markChanged() {
    for (const i of document.querySelectorAll("#rerun input[name]")) {
      i.parentElement.classList.toggle("changed", i.value !== i.dataset.default);
    }
  }
  $("rerun").addEventListener("input", markChanged);
  $("reset-defaults").addEventListener("click", () => {
    for (const i of document.querySelectorAll("#rerun input[name]")) i.value = i.dataset.default;
    markChanged();
  });
  $("rerun").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const r = await post("/api/run", { obsnum: obsnumOf(), params: formParams() });
    if (r.status !== 202) {
      msg(
        $("runmsg"),
        (r.status === 409 ? "busy: " : r.status === 400 ? "invalid: " : "error " + r.status + ": ") +
          (r.body.error || ""),
        false,
      );
      return;
    }
    msg($("runmsg"), "running: SLpipeline.sh " + r.body.argv.join(" "), true);
    $("run").disabled = true;
    const log = $("runlog");
    log.hidden = false;
    log.textContent = "";
    const es = new EventSource(r.body.events);
    es.addEventListener("line", (e) => {
      log.textContent += JSON.parse(e.data) + "\n";
      log.scrollTop = log.scrollHeight;
    });
    es.addEventListener("done", async (e) => {
      es.close();
      const code = JSON.parse(e.data).code;
      $("run").disabled = false;
      if (code !== 0) {
        msg($("runmsg"), "SLpipeline.sh failed (exit " + code + "): see the log below", false);
        return;
      }
      msg($("runmsg"), "done", true);
      // the new attempt column: fetch this page again and swap the attempts in place
      const html = await (await fetch(location.pathname)).text();
      const doc = new DOMParser().parseFromString(html, "text/html");
      $("attempts-wrap").innerHTML = doc.getElementById("attempts-wrap").innerHTML;
      await load(true);
    });
  });

  async function load(redrawSpectrum) {
    data = await (await fetch("/api/obs/" + encodeURIComponent(obsId) + "/data")).json();
    if (redrawSpectrum) {
      const sel = $("specfile");
      const prev = sel.value;
      sel.innerHTML = data.spectra.map((s, i) => "<option value='" + i + "'>" + s.file + "</option>").join(
        "",
      );
      if (prev && Number(prev) < data.spectra.length) sel.value = prev;
      if (!$("restfreq").value) {
        const s0 = data.spectra[0];
        if (data.restfreq) $("restfreq").value = data.restfreq;
        else if (s0 && s0.xunit === "GHz") {
          let k = 0;
          for (let j = 1; j < s0.y.length; j++) if (s0.y[j] > s0.y[k]) k = j;
          $("restfreq").value = s0.x[k].toFixed(4);
        }
      }
      await drawSpectrum();
      if (kind === "rsr") {
        await drawBands();
        await drawWaterfall();
      }
    }
    if (kind === "rsr") {
      drawGrid();
      updatePick();
    } else drawPixels();
  }
  if (kind === "rsr") {
    $("flag-board").addEventListener(
      "click",
      () => picked && flag({ kind: "badcb", chassis: picked.chassis, board: picked.board }),
    );
    $("wfi-chassis").addEventListener("change", drawWaterfall);
    $("wfi-reset").addEventListener("click", drawWaterfall);
    $("flag-range").addEventListener(
      "click",
      () => picked && range && flag({ kind: "blank", chassis: [picked.chassis], board: picked.board, range }),
    );
  } else {
    $("range-mode").addEventListener("change", drawSpectrum);
    $("flag-channels").addEventListener("click", () => {
      if (!seqRange) return;
      const r = seqRange;
      seqFlag(
        { range: r, spectrum: data.spectra[Number($("specfile").value || 0)].file },
        (b) =>
          b.channels.length + " channels " + b.channels[0] + "–" + b.channels[b.channels.length - 1] +
          " (" + fmt(r[0], 2) + " … " + fmt(r[1], 2) + " km/s, " + b.file + ")",
      );
    });
  }
  $("specfile").addEventListener("change", drawSpectrum);
  $("xaxis").addEventListener("change", drawSpectrum);
  $("restfreq").addEventListener("change", drawSpectrum);
  $("zoom-reset").addEventListener("click", drawSpectrum);
  load(true).then(() => {
    globalThis.lmtWeb.ready = true;
    body.dataset.ready = "1";
  }, (e) => {
    body.dataset.ready = "error";
    msg($("readout"), "plots: " + e, false);
  });
})();
