// Forms: move focus to the error summary so that screen readers announce it, and make its
// links focus the field they name (a plain fragment jump only scrolls in some browsers).
// After htmx swaps a section in, focus its status message: the button that had focus is gone.
(function () {
  "use strict";
  function ready() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.scrollIntoView({ block: "center" });
        field.focus();
      }
    });
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    var section = target && target.isConnected ? target : document;
    var status = section.querySelector("[data-autofocus]") || document.querySelector("[data-autofocus]");
    if (status) {
      status.focus();
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
