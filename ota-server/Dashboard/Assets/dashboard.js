// The dashboard's one script: on a rollout page it draws the charts (chart.js, vendored) from the deployment's series and
// keeps the page current from its server-sent events, printing how long each change took to arrive. No inline script
// anywhere (the CSP forbids it); text goes in with textContent only.
"use strict";
(function () {
  const root = document.getElementById("rollout");
  if (!root) return;
  const states = [
    ["pending", "Pending", "#757575"], ["downloading", "Downloading", "#1565c0"], ["trial", "Trial", "#ef6c00"],
    ["confirmed", "Confirmed", "#2e7d32"], ["failed", "Failed", "#c62828"],
  ];
  const latencies = [];
  window.atymRollout = { latencies: latencies, updates: 0 };
  let t0 = null, timeChart = null, waveChart = null;

  function text(id, value) { const e = document.getElementById(id); if (e) e.textContent = value; }

  function cell(row, value, header) {
    const c = document.createElement(header ? "th" : "td");
    if (header) c.scope = "row";
    c.textContent = String(value);
    row.appendChild(c);
  }

  function link(id, target) {
    const box = document.getElementById(id);
    if (!box) return;
    box.replaceChildren();
    if (target) { const a = document.createElement("a"); a.href = "/ui/deployments/" + encodeURIComponent(target); a.textContent = target; box.appendChild(a); }
    else { const s = document.createElement("span"); s.textContent = "-"; box.appendChild(s); }
  }

  function charts(samples, current) {
    if (typeof Chart === "undefined") return;
    t0 = samples.length > 0 ? samples[0].at : current.changedAt;
    timeChart = new Chart(document.getElementById("chart-time"), {
      type: "line",
      data: { datasets: states.map(([key, label, color]) => ({ label: label, borderColor: color, backgroundColor: color, stepped: true, pointRadius: 2,
        data: samples.map(s => ({ x: (s.at - t0) / 1000, y: s.totals[key] })) })) },
      options: { animation: false, maintainAspectRatio: false, parsing: true,
        scales: { x: { type: "linear", title: { display: true, text: "seconds since the first sample" } }, y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "devices" } } } },
    });
    waveChart = new Chart(document.getElementById("chart-waves"), {
      type: "bar",
      data: { labels: current.waves.map(w => w.name), datasets: states.map(([key, label, color]) => ({ label: label, backgroundColor: color, data: current.waves.map(w => w[key]) })) },
      options: { animation: false, maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }

  function apply(u) {
    text("status", u.status);
    text("wave", (u.wave + 1) + " of " + u.waveCount);
    const body = document.getElementById("waves");
    if (body) {
      body.replaceChildren(...u.waves.map(w => {
        const r = document.createElement("tr");
        r.dataset.wave = w.index;
        [w.name, w.devices, w.pending, w.downloading, w.trial, w.confirmed, w.failed].forEach(v => cell(r, v, false));
        return r;
      }));
    }
    const totals = document.getElementById("totals");
    if (totals) {
      totals.replaceChildren();
      cell(totals, "all", true);
      const t = u.totals;
      [u.waves.reduce((n, w) => n + w.devices, 0), t.pending, t.downloading, t.trial, t.confirmed, t.failed].forEach(v => cell(totals, v, false));
    }
    const halt = document.getElementById("halt");
    if (halt) {
      halt.hidden = !u.haltRule;
      const wave = u.waves.find(w => w.index === u.haltWave);
      text("halt-rule", u.haltRule ? u.haltRule + " (in " + (wave ? wave.name : "wave " + u.haltWave) + ")" : "");
      const list = document.getElementById("halt-devices");
      list.replaceChildren(...u.haltDevices.map(d => { const li = document.createElement("li"); li.textContent = d.deviceId + ": " + d.kind + ": " + d.reason; return li; }));
    }
    document.querySelectorAll("form[data-action]").forEach(f => { f.hidden = !u.actions.includes(f.dataset.action); });
    link("rolled-back-by", u.rolledBackBy);
    link("rollback-of", u.rollbackOf);
    if (timeChart) {
      states.forEach(([key], i) => timeChart.data.datasets[i].data.push({ x: (u.changedAt - t0) / 1000, y: u.totals[key] }));
      timeChart.update("none");
    }
    if (waveChart) {
      waveChart.data.labels = u.waves.map(w => w.name);
      states.forEach(([key], i) => { waveChart.data.datasets[i].data = u.waves.map(w => w[key]); });
      waveChart.update("none");
    }
  }

  function listen() {
    const events = new EventSource(root.dataset.events);
    events.addEventListener("deployment", e => {
      const u = JSON.parse(e.data);
      const ms = Date.now() - u.changedAt;
      window.atymRollout.updates++;
      if (window.atymRollout.updates > 1) {
        // The first event is the state at connection time; every later one is a change on the server.
        latencies.push(ms);
        const latency = document.getElementById("latency");
        latency.textContent = ms + " ms from the server's change to this page (last of " + latencies.length + ")";
        latency.dataset.ms = String(ms);
        console.info("rollout " + u.id + " " + u.status + ": change reached the page after " + ms + " ms");
      }
      apply(u);
    });
  }

  fetch(root.dataset.series, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(r => r.json())
    .then(s => { charts(s.samples, s.current); listen(); })
    .catch(() => listen());
})();
