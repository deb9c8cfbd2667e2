// Kiều Bào statistics pages: the print button (no inline scripts: CSP).
(function () {
  "use strict";
  document.querySelectorAll("button.print-page").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
})();
