/* The sandbox's time control and tools panel, in the page's header (#topbar-extras).
   Loaded by the chat page as an "extra" (bot/emulator/web.py); talks to
   bot/sandbox/timecontrol.py. Plain JS, no build. */
"use strict";

(() => {
  const page = window.jifenPage;
  const $ = (selector, root = document) => root.querySelector(selector);
  const JUMPS = [["1h", "sandbox-clock-hour"], ["1d", "sandbox-clock-day"],
    ["7d", "sandbox-clock-week"], ["30d", "sandbox-clock-month"]];
  const POLL_IDLE = 15000;
  const POLL_BUSY = 300;
  const clock = { now: null, at: 0, tz: "UTC", state: null, timer: null };

  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/sandbox/static/clock.css";
  document.head.append(link);

  function build() {
    const box = document.createElement("div");
    box.className = "sandbox-clock";
    box.innerHTML = `
      <div class="clock-now">
        <small data-i18n="sandbox-clock-label"></small>
        <time id="sandbox-now"></time>
      </div>
      <div class="clock-jumps" role="group"></div>
      <form class="clock-date" autocomplete="off">
        <input type="date" id="sandbox-date" data-i18n-title="sandbox-clock-date" required>
        <button type="submit" data-i18n="sandbox-clock-go"></button>
      </form>
      <span id="sandbox-progress" class="clock-progress" role="status" hidden></span>
      <span class="clock-hint" data-i18n="sandbox-clock-hint" data-i18n-title="sandbox-clock-hint"></span>
      <a id="sandbox-console" class="tools-link" href="/console/" hidden data-i18n="sandbox-console"></a>
      <button type="button" id="sandbox-tools" class="tools-link" data-i18n="sandbox-tools"></button>`;
    for (const [jump, key] of JUMPS) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.jump = jump;
      button.dataset.i18n = key;
      button.addEventListener("click", () => move({ jump }));
      $(".clock-jumps", box).append(button);
    }
    $(".clock-date", box).addEventListener("submit", (event) => {
      event.preventDefault();
      move({ date: $("#sandbox-date").value });
    });
    $("#sandbox-tools", box).addEventListener("click", openTools);
    $("#topbar-extras").append(box);
    document.body.append(toolsDialog());
    page.applyStrings(document);
  }

  function toolsDialog() {
    const overlay = document.createElement("div");
    overlay.id = "tools-dialog";
    overlay.className = "overlay";
    overlay.hidden = true;
    overlay.innerHTML = `
      <div class="dialog tools" role="dialog" aria-modal="true">
        <h2 data-i18n="sandbox-tools-title"></h2>
        <p data-i18n="sandbox-tools-key"></p>
        <pre id="tools-key" class="copyable"></pre>
        <p data-i18n="sandbox-tools-curl"></p>
        <pre id="tools-curl" class="copyable"></pre>
        <ul>
          <li><a href="/api/v1/openapi.json" target="_blank" data-i18n="sandbox-tools-api"></a></li>
          <li><a href="/miniapp/" target="_blank" data-i18n="sandbox-tools-miniapp"></a></li>
          <li id="tools-cli"></li>
        </ul>
        <button type="button" class="secondary" id="tools-close" data-i18n="sandbox-close"></button>
      </div>`;
    overlay.addEventListener("click", (e) => { if (e.target === overlay) overlay.hidden = true; });
    $("#tools-close", overlay).addEventListener("click", () => { overlay.hidden = true; });
    for (const pre of overlay.querySelectorAll(".copyable")) {
      pre.title = page.t("sandbox-copy");
      pre.addEventListener("click", async () => {
        await navigator.clipboard?.writeText(pre.textContent).catch(() => {});
        pre.dataset.copied = page.t("sandbox-copied");
        setTimeout(() => { delete pre.dataset.copied; }, 1200);
      });
    }
    return overlay;
  }

  function openTools() {
    const state = clock.state || {};
    $("#tools-key").textContent = state.api_key || "";
    $("#tools-curl").textContent = state.curl || page.t("sandbox-tools-no-member");
    const cli = $("#tools-cli");
    cli.textContent = page.t("sandbox-tools-cli", { command: "" });
    const code = document.createElement("code");
    code.textContent = state.cli || "";
    cli.append(code);
    $("#tools-dialog").hidden = false;
  }

  function format(ms) {
    return new Intl.DateTimeFormat(page.lang(), {
      timeZone: clock.tz, weekday: "short", year: "numeric", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit",
    }).format(new Date(ms));
  }

  function render() {
    const state = clock.state;
    if (!state) return;
    const now = clock.now + (state.busy ? 0 : Date.now() - clock.at);
    const shown = $("#sandbox-now");
    shown.textContent = format(now);
    shown.dateTime = new Date(now).toISOString();
    shown.dataset.ms = String(now);
    for (const button of document.querySelectorAll(".sandbox-clock button, .clock-date input")) {
      if (button.id !== "sandbox-tools") button.disabled = state.busy;
    }
    const progress = $("#sandbox-progress");
    progress.classList.toggle("error", Boolean(state.failure));
    if (state.busy && state.days > 1) {
      progress.textContent = page.t("sandbox-clock-progress", { day: state.day, days: state.days });
    } else if (state.failure) {
      progress.textContent = page.t("sandbox-clock-failed", { reason: state.failure });
    }
    progress.hidden = !((state.busy && state.days > 1) || state.failure);
    $("#sandbox-console").hidden = !state.console;
    if (state.console) $("#sandbox-console").href = state.console;
    document.body.dataset.clock = state.busy ? "moving" : "still";
  }

  async function refresh() {
    clearTimeout(clock.timer);
    try {
      const state = await page.api("/api/sandbox");
      clock.state = state;
      clock.now = state.now;
      clock.at = Date.now();
      clock.tz = state.tz;
      render();
    } catch (_) { /* offline: the page says so; try again */ }
    clock.timer = setTimeout(refresh, clock.state && clock.state.busy ? POLL_BUSY : POLL_IDLE);
  }

  async function move(body) {
    const progress = $("#sandbox-progress");
    try {
      await page.api("/api/sandbox/clock", { ...body, lang: page.lang() });
      if (clock.state) clock.state.busy = true;
      render();
    } catch (error) {
      progress.textContent = error.message;
      progress.classList.add("error");
      progress.hidden = false;
    }
    refresh();
  }

  build();
  document.addEventListener("jifen:strings", () => { page.applyStrings(document); render(); });
  setInterval(() => { if (clock.state && !clock.state.busy) render(); }, 1000);
  refresh();
})();
