// Upload forms: refuse an over-size file before sending it, and show the progress of large
// uploads. Without this script the forms post normally and the server says the same things.
(function () {
  "use strict";

  function formatBytes(bytes) {
    if (bytes >= 1024 * 1024) {
      return (bytes / (1024 * 1024)).toFixed(1) + " MB";
    }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function showError(form, text) {
    var box = form.querySelector("[data-upload-error]");
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
  }

  function clearError(form) {
    var box = form.querySelector("[data-upload-error]");
    if (box) {
      box.textContent = "";
      box.hidden = true;
    }
  }

  function tooLarge(form) {
    var input = form.querySelector("input[type=file][data-max-bytes]");
    if (!input || !input.files || !input.files.length) {
      return false;
    }
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var file = input.files[0];
    if (limit && file.size > limit) {
      var box = form.querySelector("[data-upload-error]");
      var template = box ? box.getAttribute("data-too-large") : "";
      showError(form, template.replace("{size}", formatBytes(file.size)).replace("{limit}", formatBytes(limit)));
      input.focus();
      return true;
    }
    return false;
  }

  // The answer usually names this very page with an anchor: changing only the anchor would
  // not load the page again, so reload it to show the new state and the message.
  function go(address) {
    var target = new URL(address, window.location.href);
    var here = window.location;
    if (target.pathname === here.pathname && target.search === here.search) {
      here.hash = target.hash;
      here.reload();
    } else {
      here.assign(target.href);
    }
  }

  function failed(form, progress, button, attribute) {
    if (progress) {
      progress.hidden = true;
    }
    if (button) {
      button.disabled = false;
    }
    var box = form.querySelector("[data-upload-error]");
    showError(form, box ? box.getAttribute(attribute) : "");
  }

  function send(form, event) {
    clearError(form);
    if (tooLarge(form)) {
      event.preventDefault();
      return;
    }
    if (!window.FormData || !window.XMLHttpRequest) {
      return; // the browser posts the form itself
    }
    event.preventDefault();
    var progress = form.querySelector("[data-progress]");
    var bar = progress ? progress.querySelector("progress") : null;
    var label = progress ? progress.querySelector("[data-progress-text]") : null;
    var button = form.querySelector("button[type=submit]");
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable || !bar) {
        return;
      }
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      if (label) {
        label.textContent = percent + " %";
      }
    });
    request.addEventListener("load", function () {
      var answer = null;
      try {
        answer = JSON.parse(request.responseText);
      } catch (ignored) {
        answer = null;
      }
      if (answer && answer.redirect) {
        go(answer.redirect);
        return;
      }
      // Too many uploads in an hour: the server's own words, in the reader's language.
      if (request.status === 429 && answer && answer.message) {
        failed(form, progress, button, "data-failed");
        showError(form, answer.message);
        return;
      }
      // Anything else (a session that expired, a server error): say so, keep the form.
      failed(form, progress, button, "data-failed");
    });
    request.addEventListener("error", function () {
      failed(form, progress, button, "data-interrupted");
    });
    if (progress) {
      progress.hidden = false;
    }
    if (button) {
      button.disabled = true;
    }
    request.send(new FormData(form));
  }

  function ready() {
    var forms = document.querySelectorAll("form[data-upload-progress]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        if (form.hasAttribute("data-upload-progress")) {
          send(form, event);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
