// Sorting and filtering of the tables of hits, hosts and rules, and every
// section open in print. The page is whole without it.
(function () {
  "use strict";
  var collate = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" }).compare;

  function button(label, onclick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.addEventListener("click", onclick);
    return b;
  }

  // A cell sorts by its data-v, a number (empty: no value, first); a
  // number cell by its number, written 1,234; any other by its text.
  function key(cell) {
    var v = cell.getAttribute("data-v");
    if (v !== null) return v === "" ? -Infinity : Number(v);
    if (cell.classList.contains("num")) {
      var n = parseFloat(cell.textContent.replace(/,/g, ""));
      return isNaN(n) ? -Infinity : n;
    }
    return cell.textContent;
  }

  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
    return collate(String(a), String(b));
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    // A hit is a tbody, its row and its event; a host or a rule is a row.
    var hits = table.classList.contains("hits");
    var body = table.tBodies[0];
    var units = Array.prototype.slice.call(hits ? table.tBodies : body.rows);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var what = table.getAttribute("data-what") || "rows";
    function row(u) { return hits ? u.rows[0] : u; }

    // Filter: keep the units that hold the text, in their row or event.
    if (hits || units.length > 10) {
      var bar = document.createElement("div");
      bar.className = "toolbar";
      var input = document.createElement("input");
      input.type = "search";
      input.placeholder = hits ? "Filter: any text in a hit or its event" : "Filter: any text in a row";
      input.setAttribute("aria-label", "Filter these " + what);
      var shown = document.createElement("span");
      shown.className = "shown";
      var more = Number(table.getAttribute("data-more") || 0);
      var texts = new Map(); // unit → its text in lower case, once asked
      input.addEventListener("input", function () {
        var q = input.value.trim().toLowerCase(), n = 0;
        units.forEach(function (u) {
          if (!texts.has(u)) texts.set(u, u.textContent.toLowerCase());
          var keep = q === "" || texts.get(u).indexOf(q) !== -1;
          u.hidden = !keep;
          if (keep) n++;
        });
        shown.textContent = q === "" ? "" : n + " of " + units.length + " " + what + " shown" +
          (more ? "; the filter does not see the " + more + " hits not in this page" : "");
      });
      bar.appendChild(input);
      if (hits) {
        var openAll = function (open) {
          return function () {
            units.forEach(function (u) {
              if (!u.hidden) u.querySelectorAll("details").forEach(function (d) { d.open = open; });
            });
          };
        };
        bar.appendChild(button("Open all events", openAll(true)));
        bar.appendChild(button("Close all events", openAll(false)));
      }
      bar.appendChild(shown);
      table.parentNode.insertBefore(bar, table);
    }

    // Sort: a click on a column head sorts by that column, again the other
    // way.
    heads.forEach(function (th, col) {
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.title = "Sort by this column";
      function sort() {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var keyed = units.map(function (u, i) { return { u: u, k: key(row(u).cells[col]), i: i }; });
        keyed.sort(function (a, b) { return dir * compare(a.k, b.k) || a.i - b.i; });
        units = keyed.map(function (x) { return x.u; });
        units.forEach(function (u) { (hits ? table : body).appendChild(u); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          sort();
        }
      });
    });
  });

  // Print every section open (the guides, inputs, hosts); the events of
  // hits print as the reader left them, open or not. Close them again after.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      if (!d.closest("tr.event")) {
        d.open = true;
        opened.push(d);
      }
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
