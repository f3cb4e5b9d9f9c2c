// Sorting and filtering of the hit tables. The page is whole without it.
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

  document.querySelectorAll("table.hits").forEach(function (table) {
    var hits = Array.prototype.slice.call(table.tBodies);
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);

    // Filter: keep the hits whose row or event holds the text.
    var bar = document.createElement("div");
    bar.className = "toolbar";
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "Filter: any text in a hit or its event";
    input.setAttribute("aria-label", "Filter these hits");
    var shown = document.createElement("span");
    shown.className = "shown";
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), n = 0;
      hits.forEach(function (tb) {
        var keep = q === "" || tb.textContent.toLowerCase().indexOf(q) !== -1;
        tb.hidden = !keep;
        if (keep) n++;
      });
      shown.textContent = q === "" ? "" : n + " of " + hits.length + " hits shown";
    });
    function openAll(open) {
      return function () {
        hits.forEach(function (tb) {
          if (!tb.hidden) tb.querySelectorAll("details").forEach(function (d) { d.open = open; });
        });
      };
    }
    bar.appendChild(input);
    bar.appendChild(button("Open all events", openAll(true)));
    bar.appendChild(button("Close all events", openAll(false)));
    bar.appendChild(shown);
    table.parentNode.insertBefore(bar, table);

    // Sort: a click on a column head sorts the hits by that column.
    heads.forEach(function (th, col) {
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.title = "Sort by this column";
      function sort() {
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        hits.sort(function (a, b) {
          return dir * collate(a.rows[0].cells[col].textContent, b.rows[0].cells[col].textContent);
        });
        hits.forEach(function (tb) { table.appendChild(tb); });
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
})();
