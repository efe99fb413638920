/* Signpost default theme: search from the header.
 *
 * The build writes its index under BASE/search-index/ (the form's data-index). This
 * file turns the header form into a combobox: results appear as you type, grouped by
 * page and landing on the matching section; "/" focuses the box, the arrow keys choose,
 * Enter opens, Escape closes. Enter with nothing chosen, and every search without this
 * file, goes to the search page, which lists all results (or, without JavaScript, says
 * how to browse instead). docs/search.md describes the whole. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-sp-search]");
  if (!form || !window.Promise) {
    return;
  }
  var input = form.querySelector('input[name="q"]');
  var panel = form.querySelector(".sp-search-panel");
  var list = panel && panel.querySelector(".sp-search-results");
  var status = panel && panel.querySelector(".sp-search-status");
  var scope = form.querySelector('select[name="service"]');
  if (!input || !panel || !list || !status) {
    return;
  }

  var PANEL_PAGES = 6; // pages shown as you type; the search page shows them all
  var SECTIONS_PER_PAGE = 3;
  var PAGE_SIZE = 10; // results per "Show more" on the search page
  // Waits this long after a key for the next before searching: long enough to let a
  // quick typist finish a burst, short enough that results follow the last key at once.
  var DEBOUNCE = 40;
  // Results whose pages were fetched before show at once. Otherwise their pages (a file
  // each, the page's text for the excerpts) are fetched once the reader has paused this
  // long: a quick typist, a key every 100-150 ms, would otherwise fetch six pages for
  // every prefix on the way to the word ("con", "conf", "confi"...), most of what a
  // first search costs, for results shown for a moment and never read.
  var PAUSE = 200;
  // A last word of one or two letters is nearly always on its way to a longer one, and
  // matches the commonest words that begin so, different pages for each: their pages
  // wait for a longer pause. A reader who types a key every 300 ms pauses at every
  // prefix, and without this fetched six pages for "po" on the way to "pointer".
  var SHORT_WORD = 3;
  var SHORT_PAUSE = 600;

  // The index loads on first use, once: Signpost's engine.js, beside the index it
  // reads (src/search/engine.js).
  var loading = null;
  function engine() {
    if (!loading) {
      var base = form.getAttribute("data-index");
      loading = import(base + "engine.js").then(function (module) {
        return module.init().then(function () {
          return module;
        });
      });
      loading.catch(function () {
        loading = null; // a later keystroke tries again
      });
    }
    return loading;
  }

  function scopeName() {
    if (!scope || !scope.value) {
      return "";
    }
    return scope.options[scope.selectedIndex].text;
  }

  // Runs a search; resolves to {pages: [page data, ...], more, total}. With `ready`,
  // what the first `limit` results show is fetched when `ready(shown, index)` resolves
  // to true; to false, nothing is, and the search resolves to null.
  function search(term, service, limit, ready) {
    return engine().then(function (index) {
      return index.search(term, { service: service }).then(function (found) {
        var shown = found.results.slice(0, limit);
        return (ready ? ready(shown, index) : Promise.resolve(true)).then(function (go) {
          if (!go) {
            return null;
          }
          return Promise.all(
            shown.map(function (r) {
              return r.data();
            })
          ).then(function (pages) {
            return { pages: pages, more: found.results.slice(limit), total: found.results.length };
          });
        });
      });
    });
  }

  // The places a page matched, best first (the engine sorts them): sections (with an
  // anchor), or the page itself.
  function hits(page) {
    var subs = page.sub_results.length
      ? page.sub_results
      : [{ title: page.meta.title, url: page.url, excerpt: page.excerpt }];
    return subs.slice(0, SECTIONS_PER_PAGE);
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  // One landing place: the page (with its service), the section, the excerpt.
  function hitContent(link, page, sub) {
    var where = el("span", "sp-search-hit-page");
    if (page.meta.service) {
      where.appendChild(el("span", "sp-search-hit-service", page.meta.service));
      where.appendChild(document.createTextNode(" "));
    }
    var isSection = sub.anchor && sub.title && sub.title !== page.meta.title;
    where.appendChild(document.createTextNode(isSection ? page.meta.title : "Page"));
    link.appendChild(where);
    link.appendChild(el("span", "sp-search-hit-title", isSection ? sub.title : page.meta.title));
    var excerpt = el("span", "sp-search-hit-excerpt");
    // The engine escapes the page text and adds only <mark> around the matched words.
    excerpt.innerHTML = sub.excerpt || "";
    link.appendChild(excerpt);
  }

  function describe(term, total) {
    var where = scopeName() ? " in " + scopeName() : "";
    return total + (total === 1 ? " page matches " : " pages match ") + "\u201c" + term + "\u201d" + where + ".";
  }

  // Says plainly that nothing matched, and offers all services when a scope was on.
  function nothing(container, term, searchAll) {
    var where = scopeName();
    container.textContent =
      "No results for \u201c" + term + "\u201d" + (where ? " in " + where : "") + ". Check the spelling or try other words.";
    if (where) {
      container.appendChild(document.createTextNode(" "));
      container.appendChild(allServices(searchAll));
    }
  }

  // A button that widens the search from one service to all.
  function allServices(searchAll) {
    var all = el("button", "sp-search-all", "Search all services");
    all.type = "button";
    all.addEventListener("click", function () {
      scope.value = "";
      searchAll();
    });
    return all;
  }

  // --- The header box -------------------------------------------------------------

  var options = [];
  var active = -1;
  var sequence = 0;
  var timer = null;
  var lastInput = 0;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  function open() {
    panel.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function close() {
    panel.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    setActive(-1);
  }

  function setActive(index) {
    if (options[active]) {
      options[active].setAttribute("aria-selected", "false");
    }
    active = index;
    var option = options[active];
    if (option) {
      option.setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function showResults(term, found) {
    list.textContent = "";
    options = [];
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (!found.total) {
      nothing(status, term, function () {
        input.focus();
        update();
      });
      return;
    }
    status.textContent = describe(term, found.total);
    found.pages.forEach(function (page) {
      hits(page).forEach(function (sub) {
        var link = el("a", "sp-search-hit");
        link.href = sub.url;
        link.id = "sp-search-option-" + options.length;
        link.setAttribute("role", "option");
        link.setAttribute("aria-selected", "false");
        link.tabIndex = -1;
        hitContent(link, page, sub);
        list.appendChild(link);
        options.push(link);
      });
    });
    if (found.total > found.pages.length) {
      var all = el("a", "sp-search-more", "All " + found.total + " results");
      all.href = searchPageUrl(term);
      all.id = "sp-search-option-" + options.length;
      all.setAttribute("role", "option");
      all.setAttribute("aria-selected", "false");
      all.tabIndex = -1;
      list.appendChild(all);
      options.push(all);
    }
  }

  function searchPageUrl(term) {
    var url = form.getAttribute("action") + "?q=" + encodeURIComponent(term);
    if (scope && scope.value) {
      url += "&service=" + encodeURIComponent(scope.value);
    }
    return url;
  }

  function update() {
    var term = input.value.trim();
    var mine = ++sequence;
    if (!term) {
      list.textContent = "";
      options = [];
      status.textContent = "";
      close();
      return;
    }
    open();
    search(term, scope && scope.value, PANEL_PAGES, whenPaused(mine, term)).then(
      function (found) {
        if (found && mine === sequence) {
          showResults(term, found);
        }
      },
      function () {
        if (mine === sequence) {
          list.textContent = "";
          options = [];
          status.textContent = "Search is not available: the search index did not load.";
        }
      }
    );
  }

  // How long the reader must pause before the pages of results are fetched, for a
  // query of `words` (split as the engine splits it).
  function pauseFor(words) {
    var last = words.length ? words[words.length - 1] : "";
    return Array.from(last).length < SHORT_WORD ? SHORT_PAUSE : PAUSE;
  }

  // For search `mine` of `term`: resolves to true once its results' pages may be
  // fetched (all fetched before, or the reader paused long enough), to false when a
  // later search took over.
  function whenPaused(mine, term) {
    return function (shown, index) {
      var pause = pauseFor(index.words(term));
      return new Promise(function (resolve) {
        var said = false;
        (function wait() {
          var quiet = Date.now() - lastInput;
          if (mine !== sequence) {
            resolve(false);
          } else if (quiet >= pause || shown.every(function (r) { return r.cached; })) {
            resolve(true);
          } else {
            if (!said && !options.length) {
              // No results are shown, perhaps "No results" for the first letter typed:
              // say what is happening rather than leave that standing while the reader types.
              status.textContent = "Searching\u2026";
              said = true;
            }
            setTimeout(wait, pause - quiet);
          }
        })();
      });
    };
  }

  input.addEventListener("input", function () {
    lastInput = Date.now();
    clearTimeout(timer);
    timer = setTimeout(update, DEBOUNCE);
  });

  input.addEventListener("focus", function () {
    engine().catch(function () {});
    if (input.value.trim() && list.childNodes.length) {
      open();
    }
  });

  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (panel.hidden && input.value.trim()) {
        update();
        return;
      }
      if (!options.length) {
        return;
      }
      e.preventDefault();
      var step = e.key === "ArrowDown" ? 1 : -1;
      setActive(active < 0 ? (step > 0 ? 0 : options.length - 1) : (active + step + options.length) % options.length);
    } else if (e.key === "Enter") {
      if (options[active] && !panel.hidden) {
        e.preventDefault();
        window.location.href = options[active].href;
      }
      // Otherwise the form opens the search page with every result.
    } else if (e.key === "Escape") {
      if (!panel.hidden) {
        e.preventDefault();
        close();
      } else if (input.value) {
        e.preventDefault();
        input.value = "";
        update();
      }
    }
  });

  if (scope) {
    scope.addEventListener("change", function () {
      update();
      input.focus();
    });
  }

  // Close when the reader moves elsewhere: a click or a focus outside the form.
  document.addEventListener("pointerdown", function (e) {
    if (!form.contains(e.target)) {
      close();
    }
  });
  form.addEventListener("focusout", function (e) {
    if (e.relatedTarget && !form.contains(e.relatedTarget)) {
      close();
    }
  });

  // "/" focuses the box from anywhere but a field being typed in.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) {
      return;
    }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) {
      return;
    }
    e.preventDefault();
    input.focus();
    input.select();
  });

  // --- The search page: every result for ?q= ---------------------------------------

  var page = document.querySelector("[data-sp-search-page]");
  if (!page) {
    return;
  }
  var results = page.querySelector("[data-sp-search-page-results]");
  var nojs = page.querySelector("[data-sp-search-nojs]");
  var params = new URLSearchParams(window.location.search);
  var term = (params.get("q") || "").trim();
  if (scope) {
    var wanted = params.get("service") || "";
    scope.value = Array.prototype.some.call(scope.options, function (o) {
      return o.value === wanted;
    })
      ? wanted
      : "";
  }
  input.value = term;
  if (!term) {
    if (nojs) {
      nojs.hidden = true;
    }
    results.appendChild(el("p", "", "Type what you are looking for in the search box at the top of the page."));
    return;
  }
  var summary = el("p", "sp-search-page-status");
  summary.setAttribute("role", "status");
  var ol = el("ol", "sp-search-page-list");
  results.appendChild(summary);
  results.appendChild(ol);

  function addPages(pages) {
    pages.forEach(function (data) {
      var item = el("li", "sp-search-page-item");
      hits(data).forEach(function (sub) {
        var link = el("a", "sp-search-hit");
        link.href = sub.url;
        hitContent(link, data, sub);
        item.appendChild(link);
      });
      ol.appendChild(item);
    });
  }

  function showMore(rest) {
    if (!rest.length) {
      return;
    }
    var more = el("button", "sp-search-page-more", "Show more results");
    more.type = "button";
    more.addEventListener("click", function () {
      more.remove();
      var next = rest.slice(0, PAGE_SIZE);
      Promise.all(
        next.map(function (r) {
          return r.data();
        })
      ).then(function (pages) {
        var first = ol.children.length;
        addPages(pages);
        var focus = ol.children[first] && ol.children[first].querySelector("a");
        if (focus) {
          focus.focus();
        }
        showMore(rest.slice(PAGE_SIZE));
      });
    });
    results.appendChild(more);
  }

  search(term, scope && scope.value, PAGE_SIZE).then(
    function (found) {
      if (nojs) {
        nojs.hidden = true;
      }
      if (!found) {
        return;
      }
      if (!found.total) {
        nothing(summary, term, function () {
          window.location.href = searchPageUrl(term);
        });
        return;
      }
      summary.textContent = describe(term, found.total);
      if (scope && scope.value) {
        summary.appendChild(document.createTextNode(" "));
        summary.appendChild(allServices(function () {
          window.location.href = searchPageUrl(term);
        }));
      }
      addPages(found.pages);
      showMore(found.more);
    },
    function () {
      summary.textContent = "Search is not available: the search index did not load.";
    }
  );
})();
