/* Signpost process diagrams: two small enhancements. The diagram reads and works fully
   without this file (its stages are links, the section a reader arrives at is marked by
   CSS), so it only adds what CSS cannot do. */
(function () {
  "use strict";
  var diagrams = document.querySelectorAll(".sp-process");
  if (!diagrams.length) {
    return;
  }

  // The stage of the drawing on show (the page holds a wide and a phone drawing).
  var shownStage = function (wrapper, anchor) {
    var stages = wrapper.querySelectorAll('[data-anchor="' + CSS.escape(anchor) + '"]');
    for (var i = 0; i < stages.length; i++) {
      if (stages[i].getBoundingClientRect().width > 0) {
        return stages[i];
      }
    }
    return null;
  };

  // "Back to the process" returns the reader to the stage they came from, with focus on
  // it, so Tab carries on from there rather than from the top of the diagram.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".back-to-process a");
    if (!link) {
      return;
    }
    var wrapper = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    var section = link.parentElement;
    var heading = section;
    while (heading && !(heading.id && /^H[1-6]$/.test(heading.tagName))) {
      heading = heading.previousElementSibling;
    }
    if (!wrapper || !heading) {
      return;
    }
    var stage = shownStage(wrapper, heading.id);
    if (stage) {
      event.preventDefault();
      history.pushState(null, "", link.getAttribute("href"));
      wrapper.scrollIntoView();
      stage.focus({ preventScroll: true });
      window.dispatchEvent(new HashChangeEvent("hashchange"));
    }
  });

  // While the reader scrolls through the sections, the stage of the section they are in
  // (the last whose heading has reached the top of the window) is marked in every
  // diagram of the page.
  var anchors = {};
  document.querySelectorAll(".sp-process [data-anchor]").forEach(function (a) {
    anchors[a.getAttribute("data-anchor")] = true;
  });
  var headings = Object.keys(anchors)
    .map(function (id) {
      return document.getElementById(id);
    })
    .filter(Boolean)
    .sort(function (a, b) {
      return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
  if (!headings.length) {
    return;
  }
  var mark = function () {
    // A heading counts as reached a little below the sticky header, which the page's
    // scroll-padding-top keeps clear (a section link lands its heading there).
    var line = (parseFloat(getComputedStyle(document.documentElement).scrollPaddingTop) || 0) + 64;
    var reading = null;
    for (var i = 0; i < headings.length; i++) {
      if (headings[i].getBoundingClientRect().top < line) {
        reading = headings[i].id;
      }
    }
    document.querySelectorAll(".sp-process [data-anchor]").forEach(function (a) {
      a.classList.toggle("sp-stage--reading", a.getAttribute("data-anchor") === reading);
    });
  };
  var pending = false;
  window.addEventListener(
    "scroll",
    function () {
      if (!pending) {
        pending = true;
        requestAnimationFrame(function () {
          pending = false;
          mark();
        });
      }
    },
    { passive: true }
  );
  mark();
})();
