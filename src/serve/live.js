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

  var overlay = null;
  function showErrors(errors) {
    if (overlay) { overlay.remove(); overlay = null; }
    if (!errors.length) return;
    overlay = document.createElement("signpost-errors");
    overlay.setAttribute("role", "alert");
    var shadow = overlay.attachShadow({ mode: "open" });
    var box = document.createElement("div");
    box.className = "box";
    var title = document.createElement("h2");
    title.textContent = errors.length === 1 ? "Signpost: 1 error" : "Signpost: " + errors.length + " errors";
    var note = document.createElement("p");
    note.textContent = "This page shows the last good build. Fix the file and it updates by itself.";
    var close = document.createElement("button");
    close.textContent = "Hide";
    close.addEventListener("click", function () { overlay.remove(); overlay = null; });
    box.append(title, note);
    errors.forEach(function (e) {
      var pre = document.createElement("pre");
      pre.textContent = e.text;
      box.append(pre);
    });
    box.append(close);
    var style = document.createElement("style");
    style.textContent =
      ":host{all:initial;position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.55);" +
      "display:flex;align-items:flex-start;justify-content:center;overflow:auto}" +
      ".box{margin:5vh 1rem;max-width:60rem;background:#fff;color:#212b32;border-top:6px solid #d5281b;" +
      "padding:1rem 1.5rem;font:16px/1.5 system-ui,sans-serif;box-shadow:0 4px 24px rgba(0,0,0,.3)}" +
      "h2{margin:0 0 .5rem;color:#d5281b;font-size:1.25rem}" +
      "pre{background:#f0f4f5;padding:.75rem;overflow:auto;font:13px/1.4 ui-monospace,monospace;white-space:pre}" +
      "button{font:inherit;padding:.25rem 1rem}";
    shadow.append(style, box);
    document.documentElement.append(overlay);
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
})();
