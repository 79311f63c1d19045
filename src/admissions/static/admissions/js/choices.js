// Choices that depend on another choice: an option (or radio button) carrying
// data-tracks="full_time work_study" is shown only while the form's track is one of those;
// an element carrying data-when-offer="1:2 1:3" is shown only while the programme chosen
// (the field named "offer") is one of those, and an option of the track field carrying
// data-offers lists the programmes that offer it. The server checks every choice itself:
// without this script the form still refuses a combination that does not exist.
(function () {
  "use strict";

  function value(form, name) {
    var checked = form.querySelector("input[name='" + name + "']:checked");
    if (checked) {
      return checked.value;
    }
    var field = form.querySelector("select[name='" + name + "']");
    return field ? field.value : "";
  }

  function shown(node, visible) {
    var holder = node.tagName === "OPTION" ? node : node.closest("label, li, div") || node;
    holder.hidden = !visible;
    if (node.tagName === "OPTION") {
      node.disabled = !visible;
    } else if (node.tagName === "INPUT") {
      node.disabled = !visible;
    }
  }

  function firstVisible(nodes) {
    for (var i = 0; i < nodes.length; i++) {
      if (!nodes[i].disabled) {
        return nodes[i];
      }
    }
    return null;
  }

  function update(form) {
    var track = value(form, "track");
    var offer = value(form, "offer");
    var byTrack = form.querySelectorAll("[data-tracks]");
    var lost = false;
    byTrack.forEach(function (node) {
      var visible = !track || node.getAttribute("data-tracks").split(" ").indexOf(track) >= 0;
      shown(node, visible);
      if (!visible && (node.selected || node.checked)) {
        lost = true;
        node.selected = false;
        node.checked = false;
      }
    });
    if (lost) {
      // The choice made is not open to this track: take the first one that is.
      var next = firstVisible(byTrack);
      if (next) {
        if (next.tagName === "OPTION") {
          next.selected = true;
        } else {
          next.checked = true;
        }
      }
    }
    form.querySelectorAll("[data-offers]").forEach(function (node) {
      var visible = !offer || node.getAttribute("data-offers").split(" ").indexOf(offer) >= 0;
      shown(node, visible);
      if (!visible) {
        node.checked = false;
      }
    });
    form.querySelectorAll("[data-when-offer]").forEach(function (node) {
      node.hidden = node.getAttribute("data-when-offer").split(" ").indexOf(offer) < 0;
    });
  }

  function setUp(form) {
    form.addEventListener("change", function (event) {
      var name = event.target && event.target.name;
      if (name === "track" || name === "offer") {
        update(form);
      }
    });
    update(form);
  }

  function ready() {
    document.querySelectorAll("form[data-dependent-choices]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
