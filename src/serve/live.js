// Live reload for `signpost serve`: added to served pages only, never to the built site.
// It listens to the server's reload channel (beside this script, so it works under any
// base path and behind a proxy), reloads the page keeping its scroll position, swaps
// stylesheets in place, and shows build errors over the page until they are fixed.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.EventSource) return;
  var data = script.dataset;
  var root = new URL("../", script.src);
  var scrollKey = "signpost-scroll:" + location.pathname;

  function restoreScroll() {
    var saved = sessionStorage.getItem(scrollKey);
    if (!saved) return;
    var xy = JSON.parse(saved);
    var apply = function () { window.scrollTo(xy[0], xy[1]); };
    apply();
    window.addEventListener("load", function () {
      apply();
      sessionStorage.removeItem(scrollKey);
    });
  }

  function reload() {
    sessionStorage.setItem(scrollKey, JSON.stringify([window.scrollX, window.scrollY]));
    source.close();
    location.reload();
  }

  function swapStylesheets(message) {
    var changed = message.paths.map(function (p) { return new URL(p, root).href; });
    document.querySelectorAll('link[rel~="stylesheet"]').forEach(function (link) {
      var href = link.href.split(/[?#]/)[0];
      if (changed.indexOf(href) < 0) return;
      var fresh = link.cloneNode();
      fresh.href = href + "?signpost=" + message.version;
      // The old sheet stays until the new one has loaded, so nothing flashes.
      fresh.addEventListener("load", function () { link.remove(); });
      link.after(fresh);
    });
  }

  // Problems are shown in a shadow root, so the site's styles and the page's own
  // scripts leave them alone. Errors cover the page (and take the focus, announced as
  // an alert) until fixed or hidden; warnings, and hidden errors, wait behind a button.
  var errors = [], warnings = [], hiddenErrors = null, overlay = null, badge = null, opened = false;
  var STYLE =
    ":host{all:initial}" +
    ".cover{position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.55);display:flex;" +
    "align-items:flex-start;justify-content:center;overflow:auto}" +
    ".box{box-sizing:border-box;margin:5vh 1rem;width:min(60rem,calc(100vw - 2rem));background:#fff;color:#212b32;" +
    "border-top:6px solid #d5281b;padding:1rem 1.5rem;font:16px/1.5 system-ui,sans-serif;" +
    "box-shadow:0 4px 24px rgba(0,0,0,.3)}.box:focus{outline:3px solid #ffeb3b;outline-offset:2px}" +
    ".box.warn{border-top-color:#ffb81c}" +
    "h2{margin:0 0 .5rem;color:#d5281b;font-size:1.25rem}.warn h2{color:#212b32}" +
    "h3{margin:1rem 0 .25rem;font-size:1rem}" +
    "pre{background:#f0f4f5;padding:.75rem;margin:.5rem 0;font:13px/1.4 ui-monospace,monospace;" +
    "white-space:pre-wrap;overflow-wrap:anywhere}" +
    "button{font:inherit;min-height:44px;padding:.25rem 1rem;cursor:pointer;border:2px solid #212b32;" +
    "background:#fff;color:#212b32;border-radius:4px}" +
    "button:focus{outline:3px solid #ffeb3b;box-shadow:0 0 0 5px #212b32}" +
    ".badge{position:fixed;right:1rem;bottom:1rem;z-index:2147483646;font:14px/1.4 system-ui,sans-serif;" +
    "box-shadow:0 2px 8px rgba(0,0,0,.3)}";

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function host(tag, role) {
    var node = document.createElement(tag);
    if (role) node.setAttribute("role", role);
    var shadow = node.attachShadow({ mode: "open" });
    shadow.append(el("style", STYLE));
    document.documentElement.append(node);
    return shadow;
  }

  function count(n, what) { return n + " " + what + (n === 1 ? "" : "s"); }

  function list(box, items) {
    items.forEach(function (e) { box.append(el("pre", e.text)); });
  }

  function hide() {
    if (overlay) { overlay.host.remove(); overlay = null; }
    hiddenErrors = JSON.stringify(errors);
    opened = false;
    render();
  }

  function render() {
    if (overlay) { overlay.host.remove(); overlay = null; }
    if (badge) { badge.host.remove(); badge = null; }
    var showErrors = errors.length && hiddenErrors !== JSON.stringify(errors);
    if (showErrors || (opened && (errors.length || warnings.length))) {
      overlay = host("signpost-errors", showErrors ? "alert" : null);
      var cover = el("div", "", "cover");
      var box = el("div", "", showErrors ? "box" : "box warn");
      box.tabIndex = -1;
      box.setAttribute("aria-labelledby", "title");
      var title = el("h2");
      title.id = "title";
      box.append(title);
      if (errors.length) {
        title.textContent = "Signpost: " + count(errors.length, "error");
        var stale = errors.some(function (e) { return e.stale; });
        box.append(el("p", stale
          ? "This page shows the last good build. Fix the file and it updates by itself."
          : errors.length === 1
            ? "signpost build would refuse the site for this. Fix it and this box goes by itself."
            : "signpost build would refuse the site for these. Fix them and this box goes by itself."));
        list(box, errors);
      } else {
        title.textContent = "Signpost: " + count(warnings.length, "warning");
      }
      if (warnings.length) {
        if (errors.length) box.append(el("h3", count(warnings.length, "warning")));
        list(box, warnings);
      }
      var close = el("button", "Hide (Esc)");
      close.addEventListener("click", hide);
      box.append(close);
      cover.append(box);
      cover.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
      overlay.append(cover);
      box.focus({ preventScroll: true });
      return;
    }
    if (errors.length || warnings.length) {
      badge = host("signpost-problems");
      var words = [];
      if (errors.length) words.push(count(errors.length, "error"));
      if (warnings.length) words.push(count(warnings.length, "warning"));
      var button = el("button", "Signpost: " + words.join(", "), "badge");
      button.addEventListener("click", function () { opened = true; render(); });
      badge.append(button);
    }
  }

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && overlay) hide();
  });

  function showErrors(list) {
    // Fixed: the panel opened for them closes too; warnings wait behind the button.
    if (errors.length && !list.length) opened = false;
    errors = list;
    if (!errors.length) hiddenErrors = null;
    render();
  }

  function showWarnings(list) {
    warnings = list;
    render();
  }

  restoreScroll();
  var url = new URL("events", script.src);
  url.searchParams.set("file", data.file || "");
  url.searchParams.set("v", data.v || "0");
  url.searchParams.set("at", data.at || "0");
  var source = new EventSource(url.href);
  var hello = null;
  source.addEventListener("hello", function (e) {
    // The server restarted while the page was open: what it shows may be stale.
    var version = JSON.parse(e.data).version;
    if (hello !== null && version < hello) reload();
    hello = version;
  });
  source.addEventListener("reload", reload);
  source.addEventListener("css", function (e) { swapStylesheets(JSON.parse(e.data)); });
  source.addEventListener("errors", function (e) { showErrors(JSON.parse(e.data)); });
  source.addEventListener("warnings", function (e) { showWarnings(JSON.parse(e.data)); });
})();
