// jifen Mini App: the member's card and wallet, the cashier's in-chat scanner.
// No framework and nothing from outside but Telegram's own script: every sentence comes
// from the server (locales/*/miniapp.ftl), every rule is applied by the server.
"use strict";
(function () {
  const tg = (window.Telegram && window.Telegram.WebApp) || null;
  const initData = tg ? tg.initData : "";
  const main = document.getElementById("app");
  const tabs = document.getElementById("tabs");
  const SCANNER_PLATFORMS = ["android", "android_x", "ios"];
  let T = {};
  let session = null;
  let mainHandler = null;
  let backHandler = null;

  // ---- small helpers ----
  // Whole numbers with thousands separators, as the chat shows them (1,234 in both languages).
  const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  function num(n) { return GROUPED.format(Number(n)); }
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "onclick") node.addEventListener("click", v);
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }
  function progressBar(percent) {
    const fill = el("span", {});
    fill.style.width = percent + "%"; // CSSOM, not a style attribute: the CSP allows no inline styles
    return el("div", { class: "bar", role: "progressbar", "aria-valuenow": percent }, fill);
  }
  function show(...nodes) { main.replaceChildren(...nodes.filter(Boolean)); window.scrollTo(0, 0); }
  function haptic(kind) {
    if (!tg || !tg.HapticFeedback) return;
    if (kind === "tap") tg.HapticFeedback.selectionChanged();
    else tg.HapticFeedback.notificationOccurred(kind);
  }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function setMain(text, handler) {
    if (!tg) return;
    if (mainHandler) tg.MainButton.offClick(mainHandler);
    mainHandler = null;
    if (!text) { tg.MainButton.hide(); return; }
    mainHandler = () => { haptic("tap"); handler(); };
    tg.MainButton.setText(text);
    tg.MainButton.onClick(mainHandler);
    tg.MainButton.enable();
    tg.MainButton.show();
  }
  function setBack(handler) {
    if (!tg) return;
    if (backHandler) tg.BackButton.offClick(backHandler);
    backHandler = handler || null;
    if (handler) { tg.BackButton.onClick(handler); tg.BackButton.show(); } else tg.BackButton.hide();
  }
  function busy(on) { if (tg) { if (on) tg.MainButton.showProgress(false); else tg.MainButton.hideProgress(); } }

  async function api(method, path, body, key) {
    const headers = { Authorization: "tma " + initData };
    const picture = body instanceof Blob;
    if (body !== undefined) headers["Content-Type"] = picture ? (body.type || "application/octet-stream") : "application/json";
    if (key) headers["Idempotency-Key"] = key;
    let response;
    try {
      response = await fetch("/app/api" + path, {
        method, headers, body: body === undefined || picture ? body : JSON.stringify(body),
      });
    } catch (e) {
      return { ok: false, error: { code: "network", message: T["error-network"] || "Network error" } };
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) return { ok: false, status: response.status, error: data.error || {} };
    return { ok: true, data };
  }
  function errorBox(result) {
    haptic("error");
    return el("p", { class: "error", id: "error", text: (result.error && result.error.message) || "?" });
  }

  // ---- tabs ----
  function renderTabs(items, active) {
    tabs.replaceChildren(...items.map(([name, label, open]) =>
      el("button", { class: name === active ? "on" : "", id: "tab-" + name, text: label,
        onclick: () => { haptic("tap"); open(); } })));
    tabs.hidden = items.length < 2 && !session.console;
  }
  async function openConsole() {  // admins and marketers: the console, signed in by initData
    const r = await fetch("/console/api/session", { method: "POST", headers: { Authorization: "tma " + initData } });
    if (r.ok) { window.location.href = "/console/"; return; }
    const data = await r.json().catch(() => ({}));
    show(errorBox({ error: data.error }));
  }
  function tabList() {
    const items = [];
    if (session.member) {
      items.push(["card", T["tab-card"], showCard], ["rewards", T["tab-rewards"], showRewards],
        ["vouchers", T["tab-vouchers"], showVouchers], ["history", T["tab-history"], showHistory]);
    }
    if (session.staff) items.push(["scan", T["tab-scan"], showScan]);
    if (session.console) items.push(["console", T["console-entry"], openConsole]);
    return items;
  }
  function activate(name) { renderTabs(tabList(), name); setMain(null); setBack(null); }

  // ---- member: card ----
  function historyList(lines) {
    return el("ul", { class: "list" }, ...lines.map((line) =>
      el("li", {}, el("span", {}, el("div", { text: line.text }),
        el("div", { class: "hint", text: line.date + (line.receipt ? " · " + line.receipt : "") })),
        el("span", { class: line.points >= 0 ? "plus" : "minus",
          text: (line.points > 0 ? "+" : "") + num(line.points) }))));
  }
  async function showCard() {
    activate("card");
    const result = await api("GET", "/me");
    if (!result.ok) return show(errorBox(result));
    const me = result.data;
    const tier = me.tier;
    show(
      el("div", { class: "card" },
        el("div", { class: "hint", text: session.hello }),
        el("div", { class: "balance", id: "balance", text: num(me.balance) }),
        el("div", { class: "hint", text: T["points"] + " · " + tier.name }),
        progressBar(tier.percent),
        el("div", { class: "hint", id: "tier-text", text: tier.text }),
        me.expiring ? el("div", { class: "error", id: "expiring", text: me.expiring.text }) : null),
      me.tier_up ? el("div", { class: "card", id: "tier-up" },
        el("h2", { text: me.tier_up.text }),
        el("ul", { class: "list" }, ...me.tier_up.perks.map((perk) => el("li", { text: perk })))) : null,
      ...(me.stamps || []).map((card) => el("div", { class: "card stamp-card" },
        el("h2", { text: card.name }),
        el("div", { class: "cups" }, ...Array.from({ length: card.needed }, (_, i) =>
          el("span", { class: i < card.stamps ? "cup full" : "cup", text: i < card.stamps ? card.icon : "○" }))),
        card.ready ? el("div", { class: "hint", text: card.ready }) : null)),
      el("div", { class: "card" },
        el("img", { class: "qr", id: "card-qr", src: me.card.qr, alt: me.card.link, "data-qr": me.card.link }),
        el("div", { class: "code", id: "member-code", text: me.member.code }),
        el("p", { class: "hint", text: T["card-hint"] })),
      el("h2", { text: T["recent"] }),
      me.history.length ? historyList(me.history) : el("p", { class: "hint", text: T["history-empty"] }));
  }

  // ---- member: history ----
  async function showHistory() {
    activate("history");
    const list = el("div", {});
    show(el("h1", { text: T["tab-history"] }), list);
    let page = 0;
    async function more() {
      const result = await api("GET", "/history?page=" + page);
      if (!result.ok) return list.append(errorBox(result));
      const h = result.data;
      list.querySelector("#more")?.remove();
      if (!h.lines.length) return list.append(el("p", { class: "hint", text: T["history-empty"] }));
      list.append(historyList(h.lines));
      page = h.page + 1;
      if (page < h.pages) list.append(el("button", { class: "secondary wide", id: "more", text: T["history-more"], onclick: more }));
    }
    await more();
  }

  // ---- member: rewards ----
  async function showRewards() {
    activate("rewards");
    const result = await api("GET", "/rewards");
    if (!result.ok) return show(errorBox(result));
    const { rewards, balance } = result.data;
    if (!rewards.length) return show(el("p", { class: "hint", text: T["rewards-empty"] }));
    show(el("h1", { text: T["tab-rewards"] + " · " + num(balance) + " " + T["points"] }),
      ...rewards.map((r) => el("div", { class: "card reward" },
        r.photo ? el("img", { src: r.photo, alt: "" }) : el("div", { class: "ph" }),
        el("div", {}, el("div", { text: r.name }), el("div", { class: "hint", text: num(r.cost_points) + " " + T["points"] }),
          !r.in_stock ? el("div", { class: "hint", text: T["reward-out"] }) :
            !r.affordable ? el("div", { class: "hint", text: T["reward-locked"] }) : null),
        el("button", { disabled: !(r.affordable && r.in_stock), "data-reward": r.id,
          text: T["reward-redeem"], onclick: () => confirmReward(r) }))));
  }
  function confirmReward(reward) {
    const key = newKey();
    setBack(showRewards);
    show(el("h1", { text: reward.name }),
      reward.description ? el("p", { text: reward.description }) : null,
      el("p", { class: "balance", text: num(reward.cost_points) + " " + T["points"] }),
      el("p", { text: T["reward-confirm"] }));
    setMain(T["confirm"], async () => {
      busy(true);
      const result = await api("POST", "/rewards/" + reward.id + "/redeem", {}, key);
      busy(false);
      if (!result.ok) { setMain(null); return main.append(errorBox(result)); }
      haptic("success");
      setMain(T["done"], showVouchers);
      show(voucherCard(result.data.voucher));
    });
  }

  // ---- member: vouchers ----
  function voucherCard(v) {
    return el("div", { class: "card" },
      el("div", { text: v.reward }),
      el("div", { class: "hint", text: T["voucher-status-" + v.status] + " · " + v.until }),
      v.qr ? el("img", { class: "qr", src: v.qr, alt: v.link, "data-qr": v.link }) : null,
      el("div", { class: "code", text: v.code }),
      v.qr ? el("p", { class: "hint", text: T["voucher-show"] }) : null);
  }
  async function showVouchers() {
    activate("vouchers");
    const result = await api("GET", "/vouchers");
    if (!result.ok) return show(errorBox(result));
    const { active, used, expired } = result.data;
    const past = used.concat(expired);
    show(el("h1", { text: T["tab-vouchers"] }),
      active.length ? null : el("p", { class: "hint", text: T["vouchers-empty"] }),
      ...active.map(voucherCard),
      past.length ? el("h2", { text: T["vouchers-past"] }) : null,
      ...past.map(voucherCard));
  }

  // ---- staff: scan → member (amount → quote → confirm) or voucher (preview → redeem) ----
  function canScan() {
    return !!(tg && tg.showScanQrPopup && tg.isVersionAtLeast && tg.isVersionAtLeast("6.4") &&
      SCANNER_PLATFORMS.includes(tg.platform));
  }
  function showScan() {
    activate("scan");
    const input = el("input", { id: "typed-code", autocomplete: "off", placeholder: T["scan-type-label"] });
    const typed = el("form", { class: "row", id: "typed-form" }, input,
      el("button", { type: "submit", class: "secondary", text: T["scan-type-go"] }));
    typed.addEventListener("submit", (e) => { e.preventDefault(); if (input.value.trim()) lookUp(input.value); });
    const scanner = canScan();
    const file = el("input", { type: "file", accept: "image/*", id: "photo-input", hidden: true });
    file.addEventListener("change", () => { if (file.files[0]) lookUp(file.files[0]); });
    show(el("h1", { text: T["staff-title"] }),
      scanner ? el("button", { class: "wide", id: "scan-button", text: T["scan-button"], onclick: openScanner })
        : el("p", { class: "hint", id: "no-scanner", text: T["scan-unsupported"] }),
      el("h2", { text: T["scan-type-label"] }), typed,
      el("p", {}, el("button", { class: "secondary wide", id: "photo-button", text: T["scan-photo"],
        onclick: () => file.click() })), file);
    if (scanner) setMain(T["scan-button"], openScanner);
  }
  function openScanner() {
    tg.showScanQrPopup({ text: T["scan-prompt"] }, (text) => {
      if (!text) return false;
      haptic("tap");
      lookUp(text);
      return true; // close the popup
    });
  }
  async function lookUp(what) {
    // what the camera read or what was typed, or a picture of the QR code
    setMain(null);
    show(el("p", { class: "hint", text: T["loading"] }));
    const result = what instanceof Blob ? await api("POST", "/scan/photo", what)
      : await api("POST", "/scan", { text: what });
    setBack(showScan);
    if (!result.ok) {
      show(errorBox(result));
      return setMain(T["scan-another"], showScan);
    }
    if (result.data.kind === "member") return amountStep(result.data);
    return voucherStep(result.data.voucher);
  }

  function toMinor(typed, exponent) {
    // "128.50" → 12850 without floating point; null when it is not an amount
    if (!/^\d{1,9}(\.\d*)?$/.test(typed)) return null;
    const [whole, frac = ""] = typed.split(".");
    if (frac.length > exponent) return null;
    const minor = parseInt(whole + frac.padEnd(exponent, "0"), 10);
    return minor > 0 ? minor : null;
  }
  function amountStep(scan) {
    const m = scan.member;
    const cur = scan.currency;
    let typed = "";
    let category = null;
    const display = el("div", { class: "display", id: "amount", text: cur.symbol + "0" });
    const note = el("p", { class: "hint", id: "amount-note" });
    const press = (key) => {
      haptic("tap");
      if (key === "⌫") typed = typed.slice(0, -1);
      else if (typed.length < 12) typed += key;
      display.textContent = cur.symbol + (typed || "0");
      note.textContent = "";
    };
    const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", cur.exponent ? "." : "00", "0", "⌫"];
    const chips = el("div", { class: "chips" }, ...[null, ...scan.categories].map((c) => {
      const b = el("button", { class: c === null ? "on" : "", "data-category": c || "",
        text: c === null ? T["category-none"] : c });
      b.addEventListener("click", () => {
        category = c; chips.querySelectorAll("button").forEach((x) => x.classList.toggle("on", x === b));
      });
      return b;
    }));
    show(
      el("div", { class: "card" }, el("div", { id: "scanned-name", text: m.name }),
        el("div", { class: "hint", text: m.tier.name + " · " + num(m.balance) + " " + T["points"] })),
      el("h2", { text: T["amount-label"] }), display,
      el("div", { class: "keypad" }, ...keys.map((k) => el("button", { "data-key": k, text: k, onclick: () => press(k) }))),
      note,
      scan.categories.length ? el("h2", { text: T["category-label"] }) : null,
      scan.categories.length ? chips : null);
    setMain(T["next"], async () => {
      const minor = toMinor(typed, cur.exponent);
      if (minor === null) { haptic("error"); note.textContent = T["amount-invalid"]; return; }
      busy(true);
      const result = await api("POST", "/purchases/quote", { member: m.ref, amount_minor: minor, category });
      busy(false);
      if (!result.ok) { note.textContent = result.error.message; haptic("error"); return; }
      quoteStep(scan, result.data);
    });
  }
  function quoteStep(scan, quote) {
    const key = newKey(); // one per confirmation screen: a double tap records once
    setBack(() => amountStep(scan));
    show(el("h1", { text: T["confirm"] }),
      el("div", { class: "card" }, el("p", { id: "quote", text: quote.text }),
        el("p", { class: "hint", text: quote.breakdown })));
    setMain(T["confirm"], async () => {
      busy(true);
      const result = await api("POST", "/purchases",
        { member: quote.member.ref, amount_minor: quote.amount_minor, category: quote.category }, key);
      busy(false);
      if (!result.ok) return main.append(errorBox(result));
      haptic("success");
      setBack(null);
      show(el("p", { class: "ok", id: "receipt", text: result.data.text }));
      setMain(T["scan-another"], showScan);
    });
  }
  function voucherStep(v) {
    show(el("div", { class: "card" },
      el("div", { id: "voucher-reward", text: v.reward.name }),
      v.member ? el("div", { class: "hint", text: v.member.name }) : null,
      el("div", { class: "code", text: v.code }),
      el("p", { class: v.redeemable ? "" : "error", id: "voucher-text", text: v.text })));
    if (!v.redeemable) { haptic("warning"); return setMain(T["scan-another"], showScan); }
    setMain(T["voucher-confirm"], async () => {
      busy(true);
      const result = await api("POST", "/vouchers/redeem", { voucher: v.code });
      busy(false);
      setBack(null);
      if (!result.ok) show(errorBox(result));
      else { haptic("success"); show(el("p", { class: "ok", id: "redeemed", text: result.data.voucher.text })); }
      setMain(T["scan-another"], showScan);
    });
  }

  // ---- start ----
  async function start() {
    if (tg) { tg.ready(); tg.expand(); }
    if (!initData) {
      const lang = (navigator.language || "en");
      const r = await fetch("/app/api/texts?lang=" + encodeURIComponent(lang)).then((x) => x.json()).catch(() => null);
      T = (r && r.texts) || {};
      return show(el("p", { class: "hint", id: "outside", text: T["open-in-telegram"] || "Open in Telegram" }));
    }
    const result = await api("GET", "/session");
    if (!result.ok) return show(errorBox(result));
    session = result.data;
    T = session.texts;
    document.documentElement.lang = session.language;
    document.title = T["title"];
    if (session.staff && (location.hash === "#scan" || !session.member)) return showScan();
    if (session.member) return showCard();
    if (session.console) renderTabs(tabList(), null);
    show(el("p", { class: "hint", id: "not-member", text: T["not-member"] }));
  }
  start();
})();
