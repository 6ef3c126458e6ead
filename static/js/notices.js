// 督察通 notices: the draft form follows the chosen kind (its time limit and, unless the user wrote
// their own, its default title) and asks the server for the deadline preview whenever the kind, the
// days or the fixed deadline change (the working-day calendar lives on the server).
(function () {
  "use strict";
  var kind = document.querySelector("[data-kind-select]");
  var days = document.getElementById("time_limit_days");
  var fixed = document.getElementById("fixed_deadline");
  var title = document.getElementById("title");
  var box = document.querySelector("[data-deadline-preview]");
  var text = document.querySelector("[data-preview-text]");
  var weekends = document.querySelector("[data-preview-weekends]");
  var timer = null;
  var asked = 0;

  function selectedOption() {
    return kind ? kind.options[kind.selectedIndex] : null;
  }

  function refreshPreview() {
    if (!box || !text) { return; }
    var url = box.getAttribute("data-deadline-preview") +
      "?days=" + encodeURIComponent(days ? days.value : "") +
      "&deadline=" + encodeURIComponent(fixed ? fixed.value : "");
    var mine = ++asked;  // only the answer to the latest question is shown
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (mine !== asked || !data) { return; }
        var message = data.error || data.text;
        text.textContent = message;
        text.hidden = !message;
        text.classList.toggle("alert-info", !data.error);
        text.classList.toggle("alert-warning", !!data.error);
        if (weekends) { weekends.hidden = !data.weekends_only; }
      })
      .catch(function () { /* the preview is a convenience; the server checks on save */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refreshPreview, 250);
  }

  if (kind) {
    var lastTitle = selectedOption() ? selectedOption().getAttribute("data-default-title") : null;
    kind.addEventListener("change", function () {
      var option = selectedOption();
      if (!option) { return; }
      var value = option.getAttribute("data-default-days");
      if (value && days) { days.value = value; }
      var newTitle = option.getAttribute("data-default-title");
      // Replace the title only while it is still the previous kind's default (or empty).
      if (title && newTitle && (title.value.trim() === "" || title.value === lastTitle)) {
        title.value = newTitle;
      }
      lastTitle = newTitle;
      refreshPreview();
    });
  }
  if (days) { days.addEventListener("input", later); }
  if (fixed) { fixed.addEventListener("change", refreshPreview); }
})();
