// The sandbox's stand-in for telegram.org's telegram-web-app.js: the parts of
// window.Telegram.WebApp the Mini App uses. Launch parameters arrive in the URL fragment as
// Telegram passes them (tgWebAppData, tgWebAppPlatform, tgWebAppVersion, tgWebAppThemeParams);
// buttons and the QR popup are drawn by the panel around the frame (/miniapp/static/miniapp.js).
"use strict";
(function () {
  const launch = new URLSearchParams(location.hash.slice(1));
  const platform = launch.get("tgWebAppPlatform") || "android";
  const version = launch.get("tgWebAppVersion") || "8.0";
  const scheme = launch.get("tgWebAppColorScheme") || "light";
  let theme = {};
  try { theme = JSON.parse(launch.get("tgWebAppThemeParams") || "{}"); } catch (e) { theme = {}; }
  for (const [key, value] of Object.entries(theme)) {
    document.documentElement.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), value);
  }
  const origin = location.origin;
  const post = (message) => window.parent.postMessage(message, origin);
  const listeners = { main: [], back: [] };
  let scanCallback = null;

  window.addEventListener("message", (event) => {
    if (event.origin !== origin || event.source !== window.parent) return;
    const m = event.data || {};
    if (m.type === "main-click") listeners.main.slice().forEach((f) => f());
    else if (m.type === "back-click") listeners.back.slice().forEach((f) => f());
    else if (m.type === "scan-result" && scanCallback) {
      if (scanCallback(m.text) === true) { scanCallback = null; post({ type: "scan-close" }); }
    } else if (m.type === "scan-closed") scanCallback = null;
  });

  function button(kind, extra) {
    const b = Object.assign({
      text: "", isVisible: false, isActive: true, isProgressVisible: false,
      sync() { post({ type: kind + "-button", text: b.text, visible: b.isVisible, active: b.isActive, progress: b.isProgressVisible }); return b; },
      setText(text) { b.text = text; return b.sync(); },
      show() { b.isVisible = true; return b.sync(); },
      hide() { b.isVisible = false; return b.sync(); },
      enable() { b.isActive = true; return b.sync(); },
      disable() { b.isActive = false; return b.sync(); },
      showProgress() { b.isProgressVisible = true; return b.sync(); },
      hideProgress() { b.isProgressVisible = false; return b.sync(); },
      onClick(f) { listeners[kind].push(f); return b; },
      offClick(f) { listeners[kind] = listeners[kind].filter((g) => g !== f); return b; },
    }, extra || {});
    return b;
  }
  const at = (v) => v.split(".").map((n) => parseInt(n, 10) || 0);
  const haptic = (kind, style) => { post({ type: "haptic", kind, style }); return WebApp.HapticFeedback; };

  const WebApp = {
    initData: launch.get("tgWebAppData") || "",
    initDataUnsafe: {},
    platform, version, colorScheme: scheme, themeParams: theme,
    MainButton: button("main"),
    BackButton: button("back"),
    HapticFeedback: {
      impactOccurred: (style) => haptic("impact", style),
      notificationOccurred: (type) => haptic("notification", type),
      selectionChanged: () => haptic("selection"),
    },
    isVersionAtLeast(wanted) {
      const [a, b] = [at(version), at(wanted)];
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
      }
      return true;
    },
    showScanQrPopup(params, callback) {
      if (!["android", "android_x", "ios"].includes(platform)) throw new Error("WebAppMethodUnsupported");
      scanCallback = callback || (() => true);
      post({ type: "scan-open", text: (params && params.text) || "" });
    },
    closeScanQrPopup() { scanCallback = null; post({ type: "scan-close" }); },
    showAlert(message, callback) { window.alert(message); if (callback) callback(); },
    showConfirm(message, callback) { const ok = window.confirm(message); if (callback) callback(ok); },
    ready() { post({ type: "ready" }); },
    expand() {}, close() { post({ type: "close" }); },
    onEvent() {}, offEvent() {},
  };
  try {
    const user = new URLSearchParams(WebApp.initData).get("user");
    WebApp.initDataUnsafe = user ? { user: JSON.parse(user) } : {};
  } catch (e) { WebApp.initDataUnsafe = {}; }
  window.Telegram = { WebApp };
})();
