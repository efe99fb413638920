/* Signpost default theme: small enhancements. Every page works fully without this file. */
(function () {
  "use strict";

  var wide = window.matchMedia("(min-width: 60em)");

  // In a process diagram, mark the stage whose section the reader arrived at, for
  // assistive technology too (the stylesheet already marks it without script).
  var markStage = function () {
    var anchor = decodeURIComponent(location.hash.slice(1));
    var stages = document.querySelectorAll(".sp-process [data-anchor]");
    for (var i = 0; i < stages.length; i++) {
      var on = anchor !== "" && stages[i].getAttribute("data-anchor") === anchor;
      if (on) {
        stages[i].setAttribute("aria-current", "step");
      } else {
        stages[i].removeAttribute("aria-current");
      }
    }
  };
  markStage();
  window.addEventListener("hashchange", markStage);

  // A wide table or block of code written as HTML in a page scrolls sideways within
  // itself (Markdown's already can be focused): the keyboard must be able to reach it to
  // scroll it, and a screen reader names it when it does.
  var reachScrollers = function () {
    var blocks = document.querySelectorAll(".sp-content table, .sp-content pre, .sp-content div");
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      var inside = block.parentElement && block.parentElement.closest(".sp-content [tabindex='0']");
      if (block.hasAttribute("tabindex") || inside || block.scrollWidth <= block.clientWidth + 1) {
        continue;
      }
      var overflow = getComputedStyle(block).overflowX;
      if (overflow !== "auto" && overflow !== "scroll") {
        continue;
      }
      block.setAttribute("tabindex", "0");
      if (!block.hasAttribute("aria-label") && !block.querySelector("caption")) {
        block.setAttribute("aria-label", block.tagName === "PRE" ? "Code" : block.tagName === "TABLE" ? "Table" : "Scrolling area");
      }
      if (block.tagName !== "TABLE") {
        block.setAttribute("role", "region");
      }
    }
  };
  reachScrollers();
  window.addEventListener("resize", reachScrollers);

  // The sidebar folds behind "Menu" on narrow screens. Browsers without ::details-content
  // keep the fold on wide screens too, so open it there.
  var menu = document.querySelector("[data-sp-menu]");
  if (menu) {
    var sync = function () {
      menu.open = wide.matches;
    };
    sync();
    if (wide.addEventListener) {
      wide.addEventListener("change", sync);
    }

    // Bring the current page into view in a long sidebar, without moving the page.
    var current = menu.querySelector('a[aria-current="page"]');
    var sidebar = menu.closest(".sp-sidebar");
    if (current && sidebar && wide.matches && sidebar.scrollHeight > sidebar.clientHeight) {
      var top = current.getBoundingClientRect().top - sidebar.getBoundingClientRect().top;
      if (top > sidebar.clientHeight - 48) {
        sidebar.scrollTop = top - sidebar.clientHeight / 3;
      }
    }
  }

  // Mark the table-of-contents entry for the section being read.
  var toc = document.querySelector(".sp-toc");
  if (!toc || !("IntersectionObserver" in window)) {
    return;
  }
  var links = Array.prototype.slice.call(toc.querySelectorAll('a[href^="#"]'));
  var targets = links
    .map(function (a) {
      return document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
    })
    .filter(Boolean);
  if (!targets.length) {
    return;
  }
  var visible = new Set();
  var mark = function () {
    var active = null;
    for (var i = 0; i < targets.length; i++) {
      if (visible.has(targets[i])) {
        active = targets[i];
        break;
      }
    }
    if (!active) {
      // Between headings: the last one above the viewport.
      for (var j = targets.length - 1; j >= 0; j--) {
        if (targets[j].getBoundingClientRect().top < 0) {
          active = targets[j];
          break;
        }
      }
    }
    links.forEach(function (a) {
      var on = active && a.getAttribute("href") === "#" + active.id;
      a.classList.toggle("sp-toc-current", Boolean(on));
    });
  };
  var observer = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) {
          visible.add(e.target);
        } else {
          visible.delete(e.target);
        }
      });
      mark();
    },
    { rootMargin: "0px 0px -60% 0px" }
  );
  targets.forEach(function (t) {
    observer.observe(t);
  });
})();
