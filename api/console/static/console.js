// jifen console: the only script of our own (the CSP allows no inline code).
// - every htmx request carries the session's CSRF token;
// - form[data-api] posts its fields as JSON (with an Idempotency-Key and, when it has
//   data-confirm, a confirm step first), then reloads or goes to data-then;
// - [data-chart] draws an ECharts chart from the JSON at data-src.
"use strict";

(function () {
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  document.addEventListener("htmx:configRequest", (event) => {
    event.detail.headers["X-CSRF-Token"] = csrf();
  });

  // ---- JSON forms ----------------------------------------------------------------------

  function fields(form) {
    const body = {};
    for (const input of form.querySelectorAll("input[name], select[name], textarea[name]")) {
      let value = input.value.trim();
      if (input.dataset.type === "int") value = value === "" ? null : Number(value);
      else if (input.dataset.type === "bool") value = value === "true";
      body[input.name] = value;
    }
    return body;
  }

  function say(form, text, ok) {
    const out = form.querySelector("output");
    if (out) {
      out.textContent = text;
      out.classList.toggle("ok", !!ok);
    }
  }

  // data-show="<field>": a secret made just now (an API key) shown once in [data-secret]
  function reveal(form, value) {
    const box = form.querySelector("[data-secret]");
    if (!box || !value) return false;
    box.querySelector("code").textContent = value;
    box.hidden = false;
    return true;
  }

  async function send(form) {
    const method = (form.dataset.method || "POST").toUpperCase();
    const headers = { "X-CSRF-Token": csrf() };
    const init = { method, headers, credentials: "same-origin" };
    if (method !== "DELETE") {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(fields(form));
    }
    if (form.dataset.key) headers["Idempotency-Key"] = form.dataset.key;
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    try {
      const response = await fetch(form.dataset.api, init);
      const body = (response.headers.get("Content-Type") || "").includes("json") ? await response.json() : {};
      if (response.ok) {
        if (form.dataset.show && reveal(form, body[form.dataset.show])) return;
        if (form.dataset.then === "reload") window.location.reload();
        else if (form.dataset.then) window.location.assign(form.dataset.then);
        return;
      }
      say(form, (body.error && body.error.message) || String(response.status));
    } catch (error) {
      say(form, String(error));
    } finally {
      for (const button of form.querySelectorAll("button")) button.disabled = false;
    }
  }

  function confirmStep(form) {
    const box = form.querySelector(".confirm");
    const body = fields(form);
    const points = Number(body.points || 0);
    const before = Number(form.dataset.balance || 0);
    const signed = points > 0 ? "+" + points : String(points);
    box.querySelector(".confirm-text").textContent = form.dataset.confirm
      .replace("{points}", signed)
      .replace("{after}", String(before + points));
    box.hidden = false;
    box.querySelector("[data-confirm-yes]").focus();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-api]");
    if (!form) return;
    event.preventDefault();
    say(form, "");
    if (form.dataset.confirm) confirmStep(form);
    else send(form);
  });

  document.addEventListener("click", (event) => {
    const yes = event.target.closest("[data-confirm-yes]");
    const no = event.target.closest("[data-confirm-no]");
    if (!yes && !no) return;
    const form = event.target.closest("form[data-api]");
    form.querySelector(".confirm").hidden = true;
    if (yes) send(form);
  });

  // ---- uploads: form[data-upload] posts its file as multipart (with the CSRF token and
  // an Idempotency-Key), then reloads or goes to data-then --------------------------------

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-upload]");
    if (!form) return;
    event.preventDefault();
    say(form, "");
    const headers = { "X-CSRF-Token": csrf() };
    if (form.dataset.key) headers["Idempotency-Key"] = form.dataset.key;
    try {
      const response = await fetch(form.dataset.upload, {
        method: "POST", headers, credentials: "same-origin", body: new FormData(form),
      });
      if (response.ok) {
        if (form.dataset.then === "reload") window.location.reload();
        else if (form.dataset.then) window.location.assign(form.dataset.then);
        return;
      }
      const body = (response.headers.get("Content-Type") || "").includes("json") ? await response.json() : {};
      say(form, (body.error && body.error.message) || String(response.status));
    } catch (error) {
      say(form, String(error));
    }
  });

  // ---- charts --------------------------------------------------------------------------

  const loaded = new Map();
  const fetchJson = (url) => {
    if (!loaded.has(url)) {
      loaded.set(url, fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => r.json()));
    }
    return loaded.get(url);
  };

  const dark = () => window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  const major = (minor, exponent) => minor / Math.pow(10, exponent);
  const named = (names, language) => (names && (names[language] || names.en || Object.values(names)[0])) || "";
  const zoom = [{ type: "inside" }, { type: "slider", height: 18, bottom: 4 }];
  const base = () => ({
    backgroundColor: "transparent",
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { top: 0 },
    grid: { left: 56, right: 56, top: 32, bottom: 56, containLabel: false },
  });

  const builders = {
    sales(data, labels) {
      const exp = data.currency.exponent;
      return Object.assign(base(), {
        xAxis: { type: "category", data: data.days },
        yAxis: [{ type: "value", name: data.currency.code }, { type: "value", name: labels.purchases, splitLine: { show: false } }],
        dataZoom: zoom,
        series: [
          { name: labels.sales + " · " + labels.current, type: "line", data: data.sales_minor.map((v) => major(v, exp)) },
          { name: labels.sales + " · " + labels.previous, type: "line", lineStyle: { type: "dashed" }, data: data.previous_sales_minor.map((v) => major(v, exp)) },
          { name: labels.purchases, type: "bar", yAxisIndex: 1, data: data.purchases, itemStyle: { opacity: 0.35 } },
        ],
      });
    },
    points(data, labels) {
      return Object.assign(base(), {
        xAxis: { type: "category", data: data.days },
        yAxis: { type: "value" },
        dataZoom: zoom,
        series: [
          { name: labels.issued, type: "bar", data: data.points_issued },
          { name: labels.redeemed, type: "bar", data: data.points_redeemed },
          { name: labels.expired, type: "bar", data: data.points_expired },
        ],
      });
    },
    compare(data, labels) {
      const keys = ["purchases", "new_members", "active_members", "points_issued", "points_redeemed", "points_expired"];
      return Object.assign(base(), {
        tooltip: { trigger: "axis", renderMode: "richText" },
        grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
        yAxis: { type: "category", data: keys.map((k) => labels[k]) },
        xAxis: { type: "value" },
        series: [
          { name: labels.current, type: "bar", data: keys.map((k) => data[k].current) },
          { name: labels.previous, type: "bar", data: keys.map((k) => data[k].previous) },
        ],
      });
    },
    tiers(data, labels, element) {
      const language = element.dataset.language;
      return Object.assign(base(), {
        xAxis: { type: "category", data: data.tiers.map((t) => named(t.names, language) || t.key) },
        yAxis: { type: "value" },
        series: [
          { name: labels.current, type: "bar", data: data.tiers.map((t) => t.count.current) },
          { name: labels.previous, type: "bar", data: data.tiers.map((t) => t.count.previous) },
        ],
      });
    },
    lift(data, labels, element) {
      const language = element.dataset.language;
      const rate = (g) => (g.members ? Math.round((1000 * g.buyers) / g.members) / 10 : 0);
      const lifts = data.targeted_campaigns;
      return Object.assign(base(), {
        xAxis: { type: "category", data: lifts.map((c) => named(c.names, language)) },
        yAxis: { type: "value", name: labels.rate, axisLabel: { formatter: "{value}%" } },
        series: ["targeted", "control", "previous"].map((group) => ({
          name: labels[group], type: "bar", data: lifts.map((c) => rate(c[group])),
        })),
      });
    },
  };

  const charts = [];
  async function draw(element) {
    if (element.dataset.drawn || typeof window.echarts === "undefined") return;
    element.dataset.drawn = "1";
    const data = await fetchJson(element.dataset.src);
    const labels = JSON.parse(element.dataset.labels || "{}");
    const chart = window.echarts.init(element, dark() ? "dark" : null, { renderer: "canvas" });
    chart.setOption(builders[element.dataset.chart](data, labels, element));
    charts.push(chart);
  }

  const drawAll = (root) => root.querySelectorAll("[data-chart]").forEach((el) => { draw(el); });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
  document.addEventListener("htmx:afterSwap", (event) => drawAll(event.target));
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => drawAll(document));
  else drawAll(document);
})();
