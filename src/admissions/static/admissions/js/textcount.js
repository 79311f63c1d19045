// A live character count under each text with a minimum length (data-count-for names the
// text area). It counts as the server does: runs of spaces as one, ends trimmed. The
// server draws the count and checks the minimum before submission without this script.
(function () {
  "use strict";

  function counted(text) {
    return text.replace(/\s+/g, " ").trim().length;
  }

  function setUp(counter) {
    var area = document.getElementById(counter.getAttribute("data-count-for"));
    var shown = counter.querySelector("[data-count]");
    if (!area || !shown) {
      return;
    }
    var minimum = parseInt(area.getAttribute("data-min-length") || "0", 10);
    function update() {
      var length = counted(area.value);
      shown.textContent = String(length);
      counter.classList.toggle("short", length < minimum);
    }
    area.addEventListener("input", update);
    update();
  }

  function ready() {
    document.querySelectorAll("[data-count-for]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
