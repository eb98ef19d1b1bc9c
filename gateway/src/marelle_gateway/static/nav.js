// Enhancement only: the menu is open as served (usable without this file); on narrow screens
// it folds into its « Menu » button, and opens again when the screen widens.
(function () {
  "use strict";
  document.querySelectorAll("details[data-fold-below]").forEach(function (menu) {
    var wide = window.matchMedia("(min-width: " + menu.getAttribute("data-fold-below") + ")");
    function fit() { menu.open = wide.matches; }
    fit();
    wide.addEventListener("change", fit);
  });
})();
