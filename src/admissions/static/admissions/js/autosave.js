// Draft autosave: a form marked data-autosave is posted in the background two seconds after
// typing stops, when a field loses focus, when a choice changes and when the page is left.
// The server answers JSON: 200 with the time saved, or an error with a message to show.
// What the candidate typed always stays in the form; without this script the Save button
// does the same work.
(function () {
  "use strict";

  var DELAY = 2000;

  function snapshot(form) {
    var data = new FormData(form);
    data.delete("csrfmiddlewaretoken");
    return new URLSearchParams(data).toString();
  }

  function setUp(form) {
    var status = form.querySelector("[data-autosave-status]");
    var saved = snapshot(form); // what the server holds: the page was drawn from it
    var timer = null;
    var sending = false;
    var pending = false;
    var stopped = false;

    function show(template, value, isError) {
      if (!status || !template) {
        return;
      }
      var text = template.replace("{time}", value).replace("{reason}", value);
      if (status.textContent !== text) {
        status.textContent = text;
      }
      status.classList.toggle("error", Boolean(isError));
    }

    var marked = [];
    function markInvalid(errors) {
      marked.forEach(function (field) {
        field.removeAttribute("aria-invalid");
      });
      marked = [];
      Object.keys(errors || {}).forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && field.setAttribute) {
          field.setAttribute("aria-invalid", "true");
          marked.push(field);
        }
      });
    }

    function failed() {
      show(form.getAttribute("data-autosave-failed"), "", true);
    }

    function answered(current, response, data) {
      if (response.ok) {
        saved = current;
        markInvalid(null);
        show(form.getAttribute("data-autosave-saved"), data.saved_time || "", false);
        return;
      }
      if (response.status === 422) {
        // What validated is saved; the rest waits for the candidate to change it.
        saved = current;
        markInvalid(data.errors || {});
      } else if (response.status === 409) {
        stopped = true; // submitted meanwhile: the file can no longer change
      }
      show(form.getAttribute("data-autosave-invalid"), data.message || "", true);
    }

    function save(leaving) {
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
      if (stopped) {
        return;
      }
      var current = snapshot(form);
      if (current === saved) {
        return;
      }
      if (sending) {
        pending = true;
        return;
      }
      sending = true;
      var request = fetch(form.getAttribute("action") || window.location.href, {
        method: "POST",
        body: new FormData(form), // no submitter: an autosave never submits the file
        credentials: "same-origin",
        keepalive: Boolean(leaving),
        headers: { Accept: "application/json", "X-Requested-With": "fetch" },
      });
      request
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (type.indexOf("application/json") === -1) {
            throw new Error("not a JSON answer"); // e.g. the sign-in page after a timeout
          }
          return response.json().then(function (data) {
            answered(current, response, data);
          });
        })
        .catch(failed)
        .then(function () {
          sending = false;
          if (pending) {
            pending = false;
            save(false);
          }
        });
    }

    function later() {
      if (timer !== null) {
        window.clearTimeout(timer);
      }
      timer = window.setTimeout(function () {
        save(false);
      }, DELAY);
    }

    form.addEventListener("input", function (event) {
      var field = event.target;
      if (field.type === "radio" || field.type === "checkbox" || field.tagName === "SELECT") {
        return; // handled on change
      }
      later();
    });
    form.addEventListener("change", function (event) {
      var field = event.target;
      if (field.type === "radio" || field.type === "checkbox" || field.tagName === "SELECT") {
        save(false);
      }
    });
    form.addEventListener("focusout", function () {
      save(false);
    });
    form.addEventListener("submit", function () {
      stopped = true; // the page's own Save or Submit takes over
      if (timer !== null) {
        window.clearTimeout(timer);
      }
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        save(true);
      }
    });
  }

  function ready() {
    var forms = document.querySelectorAll("form[data-autosave]");
    Array.prototype.forEach.call(forms, setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
