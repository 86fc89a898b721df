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

function drawMap(canvas, points) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 24;
  const px = (p) => [pad + ((p.x + 1) / 2) * (w - 2 * pad), pad + ((1 - p.y) / 2) * (h - 2 * pad)];
  ctx.clearRect(0, 0, w, h);
  for (const p of points) {
    const [x, y] = px(p);
    ctx.fillStyle = ctx.strokeStyle = COLORS[(p.interest - 1) % COLORS.length];
    ctx.beginPath();
    if (p.kind === "up") {
      ctx.moveTo(x, y - 5); ctx.lineTo(x + 5, y); ctx.lineTo(x, y + 5); ctx.lineTo(x - 5, y);
      ctx.closePath(); ctx.fill();
    } else {
      ctx.arc(x, y, p.kind === "feed" ? 3.5 : 5, 0, 2 * Math.PI);
      if (p.kind === "feed") ctx.stroke(); else ctx.fill();
    }
  }
  return px;
}

async function wireMap() {
  const canvas = document.getElementById("map");
  if (!canvas) return;
  const status = document.getElementById("map-status");
  const tip = document.getElementById("tip");
  const started = performance.now();
  const res = await fetch(canvas.dataset.src, { credentials: "same-origin" });
  const data = await res.json();
  const points = data.points || [];
  const px = drawMap(canvas, points);
  canvas.dataset.points = String(points.length);
  status.textContent = points.length
    ? `${points.length} papers, drawn in ${Math.round(performance.now() - started)} ms.`
    : "No papers yet: add some to your profile.";
  const nearest = (ev) => {
    const r = canvas.getBoundingClientRect();
    const mx = ((ev.clientX - r.left) * canvas.width) / r.width;
    const my = ((ev.clientY - r.top) * canvas.height) / r.height;
    let best = null, bestD = 64;
    for (const p of points) {
      const [x, y] = px(p);
      const d = (x - mx) ** 2 + (y - my) ** 2;
      if (d < bestD) { best = p; bestD = d; }
    }
    return best;
  };
  canvas.addEventListener("mousemove", (ev) => {
    const p = nearest(ev);
    tip.hidden = !p;
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
