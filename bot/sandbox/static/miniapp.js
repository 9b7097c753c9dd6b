// The sandbox's Mini App page: phone panels around the real Mini App (/app/), each as a
// sandbox persona, with Telegram's MainButton/BackButton drawn around the frame and the QR
// "camera" (showScanQrPopup) answered by clicking any QR code shown in any panel.
"use strict";
(function () {
  const THEMES = {
    light: { bg_color: "#ffffff", text_color: "#000000", hint_color: "#707579", link_color: "#3390ec",
      button_color: "#3390ec", button_text_color: "#ffffff", secondary_bg_color: "#f4f4f5" },
    dark: { bg_color: "#212121", text_color: "#ffffff", hint_color: "#aaaaaa", link_color: "#8774e1",
      button_color: "#8774e1", button_text_color: "#ffffff", secondary_bg_color: "#181818" },
  };
  const query = new URLSearchParams(location.search);
  const phonesEl = document.getElementById("phones");
  const overlay = document.getElementById("scan-overlay");
  let S = {};
  let people = [];
  const phones = [];
  let scanning = null;

  const el = (tag, attrs, ...kids) => {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v);
    n.append(...kids);
    return n;
  };

  async function load(phone) {
    const r = await fetch("/miniapp/init-data?user=" + phone.person.value).then((x) => x.json());
    const theme = document.getElementById("theme").value;
    phone.root.classList.toggle("dark", theme === "dark");
    phone.main.hidden = false; phone.main.classList.add("off"); phone.main.textContent = "";
    phone.back.hidden = true;
    const launch = new URLSearchParams({
      tgWebAppData: r.init_data, tgWebAppPlatform: phone.platform.value, tgWebAppVersion: "8.0",
      tgWebAppColorScheme: theme, tgWebAppThemeParams: JSON.stringify(THEMES[theme]),
    });
    phone.frame.src = "/app/?as=" + phone.person.value + "&t=" + Date.now() + "#" + launch.toString();
  }

  function makePhone(index, uid) {
    const person = el("select", { "data-role": "person", title: S["person"] },
      ...people.map((p) => el("option", { value: String(p.user_id) }, p.first_name + " · " + p.label)));
    person.value = String(uid);
    const platform = el("select", { "data-role": "platform", title: S["platform"] },
      el("option", { value: "android" }, S["phone"]), el("option", { value: "tdesktop" }, S["desktop"]));
    const back = el("button", { class: "tg-back", type: "button" }, "‹ " + S["cancel"]);
    const frame = el("iframe", { name: "phone" + index, title: "Mini App" });
    const main = el("button", { class: "tg-main off", type: "button" });
    const root = el("section", { class: "phone", "data-phone": String(index) },
      el("div", { class: "bar" }, person, platform), el("div", { class: "top" }, back), frame, main);
    const phone = { root, person, platform, back, frame, main };
    person.addEventListener("change", () => load(phone));
    platform.addEventListener("change", () => load(phone));
    back.addEventListener("click", () => send(phone, { type: "back-click" }));
    main.addEventListener("click", () => { if (!main.classList.contains("off") && !main.disabled) send(phone, { type: "main-click" }); });
    phonesEl.append(root);
    phones.push(phone);
    load(phone);
  }

  function send(phone, message) { phone.frame.contentWindow.postMessage(message, location.origin); }

  // scanning: every QR image (img[data-qr]) in every panel becomes clickable
  function pick(event) {
    const img = event.target.closest && event.target.closest("img[data-qr]");
    if (!img || !scanning) return;
    event.preventDefault(); event.stopPropagation();
    send(scanning, { type: "scan-result", text: img.getAttribute("data-qr") });
  }
  function setScanning(phone, text) {
    scanning = phone;
    overlay.hidden = !phone;
    document.getElementById("scan-text").textContent = phone ? (text ? text + " — " : "") + S["pick-qr"] : "";
    for (const p of phones) {
      const doc = p.frame.contentDocument;
      if (!doc) continue;
      doc.removeEventListener("click", pick, true);
      if (phone) doc.addEventListener("click", pick, true);
      for (const img of doc.querySelectorAll("img[data-qr]")) img.style.outline = phone ? "4px solid #f5a623" : "";
    }
  }
  document.getElementById("scan-cancel").addEventListener("click", () => {
    if (scanning) send(scanning, { type: "scan-closed" });
    setScanning(null);
  });

  window.addEventListener("message", (event) => {
    if (event.origin !== location.origin) return;
    const phone = phones.find((p) => p.frame.contentWindow === event.source);
    if (!phone) return;
    const m = event.data || {};
    if (m.type === "main-button") {
      phone.main.textContent = m.text || "";
      phone.main.classList.toggle("off", !m.visible);
      phone.main.disabled = !m.active || m.progress;
    } else if (m.type === "back-button") phone.back.hidden = !m.visible;
    else if (m.type === "scan-open") setScanning(phone, m.text);
    else if (m.type === "scan-close" && scanning === phone) setScanning(null);
  });

  async function start() {
    S = await fetch("/miniapp/strings?lang=" + encodeURIComponent(navigator.language || "en")).then((r) => r.json());
    people = (await fetch("/api/people").then((r) => r.json())).people;
    document.getElementById("title").textContent = S["title"];
    document.getElementById("hint").textContent = S["hint"];
    document.getElementById("theme-label").textContent = S["theme"] + " ";
    document.getElementById("theme-light").textContent = S["light"];
    document.getElementById("theme-dark").textContent = S["dark"];
    document.getElementById("chat-link").textContent = S["chat"];
    document.getElementById("scan-cancel").textContent = S["cancel"];
    document.getElementById("theme").addEventListener("change", () => phones.forEach(load));
    const member = people.find((p) => p.label === "member");
    const cashier = people.find((p) => p.label === "cashier");
    makePhone(0, parseInt(query.get("left"), 10) || (member && member.user_id));
    makePhone(1, parseInt(query.get("right"), 10) || (cashier && cashier.user_id));
    document.body.dataset.ready = "true";
  }
  start();
})();
