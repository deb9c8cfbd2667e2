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
