// Kiều Bào: small progressive enhancements. No inline scripts (CSP).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  // htmx requests carry the session's CSRF token in a header.
  document.body.addEventListener("htmx:configRequest", function (e) {
    if (meta) { e.detail.headers["X-CSRF-Token"] = meta.getAttribute("content"); }
  });
})();

// Review shortcuts: a button with data-key="m" is pressed by the key M
// (not while typing in a field).
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
    var b = document.querySelector('[data-key="' + e.key.toLowerCase() + '"]');
    if (b) { e.preventDefault(); b.click(); }
  });
})();

// A phone is a first-class screen: the menu opens from one button; filter
// forms fold behind another ("Bộ lọc", with how many are in use); tables
// become stacked cards, each cell labelled from its column's heading.
(function () {
  "use strict";
  var vi = (document.documentElement.lang || "vi") !== "en";
  var header = document.querySelector("header.top");
  var toggle = header && header.querySelector(".menu-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var open = header.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  var narrow = window.matchMedia("(max-width: 760px)");
  document.querySelectorAll('form.filters:not(.no-fold):not([method="post"])').forEach(function (form, i) {
    var used = 0;
    form.querySelectorAll("input, select").forEach(function (f) {
      if (f.type === "hidden" || f.type === "submit" || f.type === "checkbox" && !f.checked) { return; }
      if (f.value && f.value !== "") { used++; }
    });
    var b = document.createElement("button");
    b.type = "button";
    b.className = "filters-toggle";
    if (!form.id) { form.id = "filters-" + i; }
    b.setAttribute("aria-controls", form.id);
    b.setAttribute("aria-expanded", "false");
    b.textContent = (vi ? "Bộ lọc" : "Filters") + (used ? " (" + used + ")" : "");
    form.parentNode.insertBefore(b, form);
    form.classList.add("filters-folded");
    b.addEventListener("click", function () {
      var folded = form.classList.toggle("filters-folded");
      b.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    // On a wide screen the button is hidden and the form shown.
    var wide = function () { if (!narrow.matches) { form.classList.remove("filters-folded"); } };
    wide();
    narrow.addEventListener("change", function () {
      if (narrow.matches) { form.classList.add("filters-folded"); b.setAttribute("aria-expanded", "false"); } else { wide(); }
    });
  });
  document.querySelectorAll("main table").forEach(function (table) {
    if (table.classList.contains("no-stack")) { return; }
    var heads = table.querySelectorAll("thead tr:last-child th");
    if (heads.length < 2) { return; }
    var labels = Array.prototype.map.call(heads, function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr, tfoot tr").forEach(function (tr) {
      var col = 0;
      Array.prototype.forEach.call(tr.children, function (cell) {
        if (!cell.hasAttribute("data-label")) { cell.setAttribute("data-label", labels[col] || ""); }
        col += cell.colSpan || 1;
      });
    });
    table.classList.add("stack");
  });
})();

// Guarded actions: a form with data-confirm (deleting a record, undoing an
// import, merging, unmerging) asks first, saying what will happen.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var f = e.target;
    var msg = f && f.getAttribute && f.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  }, true);
})();
