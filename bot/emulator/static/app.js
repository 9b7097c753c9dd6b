/* The sandbox web chat: each person a Telegram-like chat with the bot, kept live by
   server-sent events (see bot/emulator/web.py for the endpoints). Plain JS, no build. */
"use strict";

const state = {
  people: [],
  bot: null,
  strings: {},
  lang: localStorage.getItem("jifen-lang") || (navigator.language.startsWith("zh") ? "zh-Hans" : "en"),
  chats: new Map(), // uid -> chat view
  shown: new Set(JSON.parse(localStorage.getItem("jifen-shown") || "null") || []),
};

const PHONE_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z" fill="currentColor"/></svg>';
const $ = (selector, root = document) => root.querySelector(selector);
const t = (key, args = {}) =>
  (state.strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => args[name] ?? "");
const fullName = (p) => [p.first_name, p.last_name].filter(Boolean).join(" ");

// Every POST says it comes from this page (the server refuses cross-site POSTs without it).
const PAGE_HEADER = { "X-Jifen-Sandbox": "1" };

async function api(path, body, uid) {
  const options = body instanceof FormData
    ? { method: "POST", headers: PAGE_HEADER, body }
    : body !== undefined
      ? {
          method: "POST",
          headers: { ...PAGE_HEADER, "Content-Type": "application/json" },
          body: JSON.stringify(body),
        }
      : {};
  const response = await fetch(path, options);
  let data = null;
  try { data = await response.json(); } catch (_) { data = null; }
  if (!response.ok) {
    const reason = (data && data.error) || response.statusText;
    if (uid !== undefined) showToast(state.chats.get(uid), t("sandbox-error", { reason }), true);
    throw new Error(reason);
  }
  return data;
}

/* ------------------------------------------------------------------ strings */

async function loadStrings(lang) {
  state.lang = lang;
  localStorage.setItem("jifen-lang", lang);
  state.strings = await api(`/api/strings?lang=${encodeURIComponent(lang)}`);
  document.documentElement.lang = lang;
  applyStrings(document);
  document.title = t("sandbox-title");
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.classList.toggle("active", button.dataset.lang === lang);
  }
  renderTabs();
  for (const chat of state.chats.values()) {
    $(".role", chat.el).textContent = t(`sandbox-role-${chat.person.label}`);
  }
  document.dispatchEvent(new CustomEvent("jifen:strings", { detail: { lang } }));
}

function applyStrings(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
}

/* ------------------------------------------------------------------ tabs */

function renderTabs() {
  const tabs = $("#tabs");
  tabs.replaceChildren();
  for (const person of state.people) {
    const tab = document.createElement("button");
    tab.type = "button";
    tab.className = "tab";
    tab.dataset.uid = person.user_id;
    tab.classList.toggle("active", state.shown.has(person.user_id));
    tab.setAttribute("aria-pressed", state.shown.has(person.user_id));
    const dot = document.createElement("span");
    dot.className = "dot";
    dot.style.background = person.color;
    dot.textContent = person.first_name[0];
    const label = document.createElement("span");
    label.innerHTML = `<b></b><small></small>`;
    label.querySelector("b").textContent = fullName(person);
    label.querySelector("small").textContent = t(`sandbox-role-${person.label}`);
    tab.append(dot, label);
    tab.addEventListener("click", () => toggleChat(person.user_id));
    tabs.append(tab);
  }
}

function toggleChat(uid, show) {
  const visible = show ?? !state.shown.has(uid);
  if (visible) state.shown.add(uid); else state.shown.delete(uid);
  if (state.shown.size === 0) state.shown.add(uid);
  localStorage.setItem("jifen-shown", JSON.stringify([...state.shown]));
  for (const [id, chat] of state.chats) chat.el.hidden = !state.shown.has(id);
  renderTabs();
  if (visible) scrollDown(state.chats.get(uid));
}

/* ------------------------------------------------------------------ chats */

function buildChat(person) {
  const el = $("#chat-template").content.firstElementChild.cloneNode(true);
  const chat = { person, el, uid: person.user_id, messages: new Map(), keyboard: null };
  el.dataset.uid = person.user_id;
  el.hidden = !state.shown.has(person.user_id);
  const avatar = $(".avatar", el);
  avatar.textContent = person.first_name[0];
  avatar.style.background = person.color;
  $(".name", el).textContent = fullName(person);
  $(".role", el).textContent = t(`sandbox-role-${person.label}`);
  applyStrings(el);

  const input = $(".text", el);
  $(".composer", el).addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendText(chat, text);
  });
  $(".start", el).addEventListener("click", () => sendText(chat, "/start"));
  $(".menu", el).addEventListener("click", () => toggleCommands(chat));
  $(".attach input", el).addEventListener("change", async (event) => {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    const form = new FormData();
    form.append("photo", file);
    await api(`/api/chats/${chat.uid}/photo`, form, chat.uid).catch(() => {});
  });
  return chat;
}

function sendText(chat, text) {
  $(".commands-menu", chat.el).hidden = true;
  return api(`/api/chats/${chat.uid}/send`, { text }, chat.uid).catch(() => {});
}

async function toggleCommands(chat) {
  const menu = $(".commands-menu", chat.el);
  if (!menu.hidden) { menu.hidden = true; return; }
  const snapshot = await api(`/api/chats/${chat.uid}`);
  menu.replaceChildren();
  if (!snapshot.commands.length) {
    const none = document.createElement("p");
    none.className = "none";
    none.textContent = t("sandbox-no-commands");
    menu.append(none);
  }
  for (const command of snapshot.commands) {
    const item = document.createElement("button");
    item.type = "button";
    item.innerHTML = "<b></b><span></span>";
    item.querySelector("b").textContent = `/${command.command}`;
    item.querySelector("span").textContent = command.description;
    item.addEventListener("click", () => sendText(chat, `/${command.command}`));
    menu.append(item);
  }
  menu.hidden = false;
}

function loadSnapshot(chat, snapshot) {
  $(".messages", chat.el).replaceChildren();
  chat.messages.clear();
  for (const message of snapshot.messages) renderMessage(chat, message);
  setKeyboard(chat, snapshot.reply_keyboard);
  updateEmpty(chat);
  scrollDown(chat);
}

function updateEmpty(chat) {
  $(".empty", chat.el).hidden = chat.messages.size > 0;
}

function scrollDown(chat) {
  if (!chat) return;
  const box = $(".messages", chat.el);
  requestAnimationFrame(() => { box.scrollTop = box.scrollHeight; });
}

function timeOf(unix) {
  return new Date(unix * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function renderMessage(chat, message) {
  const old = chat.messages.get(message.message_id);
  if (message.deleted) {
    if (old) old.remove();
    chat.messages.delete(message.message_id);
    updateEmpty(chat);
    return;
  }
  const row = document.createElement("div");
  row.className = `row ${message.from}`;
  row.dataset.messageId = message.message_id;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  row.append(bubble);

  if (message.photo) {
    const img = document.createElement("img");
    img.className = "photo";
    img.src = message.photo.url;
    img.alt = "photo";
    img.width = Math.min(message.photo.width || 240, 240);
    img.addEventListener("click", () => openScan(chat, message.photo));
    bubble.append(img);
    bubble.classList.add("has-photo");
  }
  if (message.document) {
    const doc = document.createElement("a");
    doc.className = "document";
    doc.href = message.document.url;
    doc.download = message.document.file_name || "";
    doc.innerHTML = `<span class="doc-icon"><svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 4v11m0 0-4.5-4.5M12 15l4.5-4.5M5 19.5h14" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg></span><span><b></b><small></small></span>`;
    doc.querySelector("b").textContent = message.document.file_name || t("sandbox-download");
    doc.querySelector("small").textContent =
      `${t("sandbox-download")} · ${formatSize(message.document.size)}`;
    bubble.append(doc);
  }
  if (message.contact) {
    const contact = document.createElement("div");
    contact.className = "contact";
    contact.innerHTML = `<span class="contact-icon">${PHONE_ICON}</span><span><b></b><small></small></span>`;
    contact.querySelector("b").textContent =
      [message.contact.first_name, message.contact.last_name].filter(Boolean).join(" ");
    contact.querySelector("small").textContent = message.contact.phone_number;
    contact.title = t("sandbox-share-contact");
    bubble.append(contact);
  }
  const html = message.html || message.caption_html;
  if (html) {
    const text = document.createElement("div");
    text.className = "text";
    text.innerHTML = html; // escaped by the emulator (see ChatMessage.to_page)
    bubble.append(text);
  }
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = (message.edited ? `${t("sandbox-edited")} ` : "") + timeOf(message.date);
  bubble.append(meta);

  if (message.inline_keyboard) {
    const keyboard = document.createElement("div");
    keyboard.className = "inline-keyboard";
    for (const buttons of message.inline_keyboard) {
      const line = document.createElement("div");
      line.className = "line";
      for (const button of buttons) line.append(inlineButton(chat, message, button));
      keyboard.append(line);
    }
    row.append(keyboard);
  }
  if (old) old.replaceWith(row);
  else $(".messages", chat.el).append(row);
  chat.messages.set(message.message_id, row);
  updateEmpty(chat);
}

function inlineButton(chat, message, button) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = "inline";
  el.textContent = button.text;
  if (button.url) {
    el.classList.add("url");
    el.addEventListener("click", () => {
      if (isBotLink(button.url)) api(`/api/chats/${chat.uid}/link`, { url: button.url }, chat.uid).catch(() => {});
      else window.open(button.url, "_blank", "noopener");
    });
  } else {
    el.addEventListener("click", () => {
      el.classList.add("pressed");
      api(`/api/chats/${chat.uid}/press`, { message_id: message.message_id, data: button.callback_data }, chat.uid)
        .catch(() => {})
        .finally(() => setTimeout(() => el.classList.remove("pressed"), 400));
    });
  }
  return el;
}

function isBotLink(url) {
  return state.bot && url.includes(`t.me/${state.bot.username}`);
}

function formatSize(bytes) {
  if (!bytes) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function setKeyboard(chat, keyboard) {
  chat.keyboard = keyboard;
  const box = $(".reply-keyboard", chat.el);
  box.replaceChildren();
  box.hidden = !keyboard;
  if (!keyboard) return;
  $(".text", chat.el).placeholder = keyboard.placeholder || t("sandbox-input-placeholder");
  for (const keys of keyboard.rows) {
    const line = document.createElement("div");
    line.className = "line";
    for (const key of keys) {
      const el = document.createElement("button");
      el.type = "button";
      el.className = key.request_contact ? "key contact-key" : "key";
      el.textContent = key.text;
      el.addEventListener("click", () => {
        if (keyboard.one_time) setKeyboard(chat, null);
        if (key.request_contact) api(`/api/chats/${chat.uid}/contact`, {}, chat.uid).catch(() => {});
        else sendText(chat, key.text);
      });
      line.append(el);
    }
    box.append(line);
  }
}

function showToast(chat, text, error = false) {
  if (!chat || !text) return;
  const toast = $(".toast", chat.el);
  toast.textContent = text;
  toast.classList.toggle("error", error);
  toast.hidden = false;
  clearTimeout(chat.toastTimer);
  chat.toastTimer = setTimeout(() => { toast.hidden = true; }, 3000);
}

function showAlert(text) {
  $("#alert-text").textContent = text;
  $("#alert-dialog").hidden = false;
  $("#alert-ok").focus();
}

/* ------------------------------------------------------------------ scanning */

function openScan(owner, photo) {
  $("#scan-image").src = photo.url;
  const buttons = $("#scan-buttons");
  buttons.replaceChildren();
  for (const person of state.people) {
    if (person.user_id === owner.uid) continue;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "scan-as";
    button.dataset.scanAs = person.user_id;
    button.innerHTML = `<span class="dot"></span><span></span>`;
    button.firstChild.style.background = person.color;
    button.firstChild.textContent = person.first_name[0];
    button.lastChild.textContent =
      `${t("sandbox-scan-with", { name: fullName(person) })} · ${t(`sandbox-role-${person.label}`)}`;
    button.addEventListener("click", async () => {
      $("#scan-dialog").hidden = true;
      toggleChat(person.user_id, true);
      await api(`/api/chats/${person.user_id}/scan`, { file_id: photo.file_id }, person.user_id).catch(() => {});
    });
    buttons.append(button);
  }
  $("#scan-dialog").hidden = false;
}

/* ------------------------------------------------------------------ live events */

function onEvent(event) {
  const chat = state.chats.get(event.chat_id);
  if (!chat) return;
  switch (event.type) {
    case "message":
      renderMessage(chat, event.message);
      if (event.message.from === "bot") {
        if (event.message.reply_keyboard) setKeyboard(chat, event.message.reply_keyboard);
        else if (event.message.remove_keyboard) setKeyboard(chat, null);
        $(".status", chat.el).textContent = "";
      }
      scrollDown(chat);
      break;
    case "edit":
    case "delete":
      renderMessage(chat, event.message);
      break;
    case "callback_answer":
      if (event.text && event.show_alert) showAlert(event.text);
      else if (event.text) showToast(chat, event.text);
      if (event.url && !isBotLink(event.url)) window.open(event.url, "_blank", "noopener");
      break;
    case "chat_action": {
      const status = $(".status", chat.el);
      status.textContent = t("sandbox-typing");
      clearTimeout(chat.typingTimer);
      chat.typingTimer = setTimeout(() => { status.textContent = ""; }, 3000);
      break;
    }
    default:
      break;
  }
}

function connect() {
  const source = new EventSource("/api/events");
  source.onopen = async () => {
    $("#offline").hidden = true;
    // Whatever happened while we were away: start from fresh snapshots.
    for (const chat of state.chats.values()) {
      loadSnapshot(chat, await api(`/api/chats/${chat.uid}`));
    }
    document.body.dataset.ready = "true";
  };
  source.onmessage = (message) => onEvent(JSON.parse(message.data));
  source.onerror = () => { $("#offline").hidden = false; };
}

/* ------------------------------------------------------------------ start */

/* ------------------------------------------------------------------ extras */

// What scripts added by the server (the "extras" of /api/people) may use.
window.jifenPage = { t, api, applyStrings, lang: () => state.lang };

function loadExtras(sources) {
  for (const src of sources || []) {
    const script = document.createElement("script");
    script.src = src;
    document.head.append(script);
  }
}

async function main() {
  const { people, bot, extras } = await api("/api/people");
  state.people = people;
  state.bot = bot;
  const known = new Set(people.map((p) => p.user_id));
  state.shown = new Set([...state.shown].filter((uid) => known.has(uid)));
  if (state.shown.size === 0) {
    const member = people.find((p) => p.label === "member");
    const cashier = people.find((p) => p.label === "cashier");
    for (const p of [member, cashier]) if (p) state.shown.add(p.user_id);
  }
  for (const person of people) {
    const chat = buildChat(person);
    state.chats.set(person.user_id, chat);
    $("#chats").append(chat.el);
  }
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => loadStrings(button.dataset.lang));
  }
  $("#scan-close").addEventListener("click", () => { $("#scan-dialog").hidden = true; });
  $("#scan-dialog").addEventListener("click", (e) => { if (e.target.id === "scan-dialog") e.target.hidden = true; });
  $("#alert-ok").addEventListener("click", () => { $("#alert-dialog").hidden = true; });
  document.addEventListener("click", (e) => {
    for (const menu of document.querySelectorAll(".commands-menu:not([hidden])")) {
      if (!menu.contains(e.target) && !e.target.closest(".menu")) menu.hidden = true;
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { $("#scan-dialog").hidden = true; $("#alert-dialog").hidden = true; }
  });
  await loadStrings(state.lang);
  loadExtras(extras);
  connect();
}

main();
