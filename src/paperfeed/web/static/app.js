// paperfeed's small progressive enhancement: ratings in place (their forms work without it)
// and the interest map. No inline script anywhere (the Content-Security-Policy forbids it).
"use strict";

function wireRatings() {
  // Each rating form posts without JavaScript too; here it is sent in place instead.
  document.querySelectorAll("form.rate").forEach((form) => {
    const status = form.querySelector(".status");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const btn = ev.submitter;
      if (!btn || !btn.value) return;
      const body = new FormData(form);
      body.set("value", btn.value);
      try {
        const res = await fetch(form.action, {
          method: "POST",
          body,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        const data = await res.json().catch(() => ({ error: res.statusText }));
        if (!res.ok) throw new Error(data.error || res.statusText);
        form.querySelectorAll("button[name=value]").forEach((b) => {
          const on = data.values.includes(b.value);
          b.classList.toggle("on", on);
          b.setAttribute("aria-pressed", String(on));
        });
        status.textContent = data.values.includes(btn.value) ? "saved: " + btn.value : "undone";
      } catch (e) {
        status.textContent = "failed: " + e.message;
      }
    });
  });
}

const COLORS = ["#1a73e8", "#d93025", "#188038", "#f29900", "#a142f4", "#12b5cb", "#e8710a",
  "#9aa0a6", "#c5221f", "#1e8e3e"];

const MARKS = { feed: 3.5, up: 5, profile: 5 };  // radius of each kind's mark, in pixels

function placeMap(canvas, points) {
  // Canvas coordinates of every point, once: drawing and hit-testing both read them.
  const w = canvas.width, h = canvas.height, pad = 24;
  const xs = new Float32Array(points.length), ys = new Float32Array(points.length);
  points.forEach((p, i) => {
    xs[i] = pad + ((p.x + 1) / 2) * (w - 2 * pad);
    ys[i] = pad + ((1 - p.y) / 2) * (h - 2 * pad);
  });
  return { xs, ys };
}

function drawMap(canvas, points, at) {
  // One path per colour and kind (a few dozen fills for any number of points); feed papers
  // first, so the profile's marks stay on top.
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.lineWidth = 1.2;
  for (const kind of ["feed", "up", "profile"]) {
    const byColour = new Map();
    points.forEach((p, i) => {
      if (p.kind !== kind) return;
      const colour = COLORS[(p.interest - 1) % COLORS.length];
      if (!byColour.has(colour)) byColour.set(colour, []);
      byColour.get(colour).push(i);
    });
    const r = MARKS[kind];
    for (const [colour, members] of byColour) {
      ctx.beginPath();
      for (const i of members) {
        const x = at.xs[i], y = at.ys[i];
        if (kind === "up") {
          ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y);
          ctx.closePath();
        } else {
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, 2 * Math.PI);
        }
      }
      if (kind === "feed") { ctx.strokeStyle = colour; ctx.stroke(); }
      else { ctx.fillStyle = colour; ctx.fill(); }
    }
  }
}

function drawLegend(list, interests) {
  // One entry per interest on the map: its colour and its name (text, never HTML: names
  // are paper titles from the internet or the user's own words).
  if (!list) return;
  list.replaceChildren();
  for (const it of interests) {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = COLORS[(it.number - 1) % COLORS.length];
    item.append(swatch, `${it.number}. ${it.name}`);
    list.append(item);
  }
  list.hidden = interests.length === 0;
}

async function wireMap() {
  const canvas = document.getElementById("map");
  if (!canvas) return;
  const status = document.getElementById("map-status");
  const tip = document.getElementById("tip");
  const started = performance.now();
  const res = await fetch(canvas.dataset.src, { credentials: "same-origin" });
  const data = await res.json().catch(() => ({ error: res.statusText }));
  performance.mark("map-fetched");
  if (!res.ok) {
    status.textContent = "The map failed: " + (data.error || res.statusText);
    return;
  }
  const points = data.points || [];
  const at = placeMap(canvas, points);
  drawMap(canvas, points, at);
  performance.mark("map-drawn");  // what benchmarks/bench_map.py measures
  drawLegend(document.getElementById("map-legend"), data.interests || []);
  canvas.dataset.points = String(points.length);
  canvas.dataset.ready = "1";
  status.textContent = points.length
    ? `${points.length} papers, drawn in ${Math.round(performance.now() - started)} ms.`
    : "No papers yet: add some to your profile.";
  const nearest = (ev) => {
    const r = canvas.getBoundingClientRect();
    const mx = ((ev.clientX - r.left) * canvas.width) / r.width;
    const my = ((ev.clientY - r.top) * canvas.height) / r.height;
    let best = -1, bestD = 64;  // within 8 canvas pixels
    for (let i = 0; i < points.length; i++) {
      const d = (at.xs[i] - mx) ** 2 + (at.ys[i] - my) ** 2;
      if (d < bestD) { best = i; bestD = d; }
    }
    return best < 0 ? null : points[best];
  };
  canvas.addEventListener("mousemove", (ev) => {
    const p = nearest(ev);
    tip.hidden = !p;
    canvas.style.cursor = p ? "pointer" : "crosshair";
    if (p) {
      tip.textContent = p.title;  // text, never HTML
      const r = canvas.getBoundingClientRect();
      tip.style.left = `${ev.clientX - r.left + 12}px`;
      tip.style.top = `${ev.clientY - r.top + 12}px`;
    }
  });
  canvas.addEventListener("mouseleave", () => { tip.hidden = true; });
  canvas.addEventListener("click", (ev) => {
    const p = nearest(ev);
    if (p) window.location.href = "/papers/" + encodeURI(p.id);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  wireRatings();
  wireMap();
});
