// 督察通: small behaviours without inline scripts (the CSP forbids them).
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');

  // htmx requests carry the CSRF token.
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
  });

  // Forms with data-confirm ask before they are sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);

  // Selects with data-autosubmit send their form when changed (filter bars).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]")) { el.form.requestSubmit(); }
  });

  // A filter box that narrows a long list of checkboxes (e.g. 600 units) as you type.
  document.querySelectorAll("[data-filter-list]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-filter-list"));
    if (!list) { return; }
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      list.querySelectorAll("[data-filter-text]").forEach(function (row) {
        var hit = !q || row.getAttribute("data-filter-text").toLowerCase().indexOf(q) !== -1;
        row.classList.toggle("d-none", !hit);
      });
    });
  });

  // Autosaving rows ([data-autosave], e.g. scorecard indicators): each change posts the row's form
  // and the reply replaces the row. A reply must never overwrite what the user typed while it was
  // on its way, and a change made meanwhile (which htmx drops while a request is in flight) must
  // still be sent. So a stale reply is not swapped in: the row keeps its inputs, takes the record
  // version from the reply, and sends the newest values again if a change was dropped.
  function snapshot(row) {
    var parts = [];
    row.querySelectorAll("input:not([type=file]):not([type=hidden]), select, textarea").forEach(function (el) {
      parts.push(el.name + "=" + el.value);
    });
    return parts.join("\u0000");
  }
  function autosaveRow(el) { return el && el.closest ? el.closest("[data-autosave]") : null; }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var row = autosaveRow(event.detail.elt);
    if (row) { row._sent = snapshot(row); row._inflight = true; }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var row = autosaveRow(event.detail.elt);
    if (row) { row._inflight = false; }
  });
  document.addEventListener("change", function (event) {
    var row = autosaveRow(event.target);
    if (row && row._inflight && event.target.form) { row._pending = event.target.form; }
  }, true);
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var row = event.detail.target;
    if (!row || !row.hasAttribute || !row.hasAttribute("data-autosave") || row._sent === undefined) { return; }
    if (snapshot(row) === row._sent) { return; }
    event.detail.shouldSwap = false;
    var fresh = new DOMParser().parseFromString(event.detail.serverResponse, "text/html").getElementById(row.id);
    if (fresh) {
      row.querySelectorAll("form").forEach(function (form) {
        var mine = form.querySelector("input[name=version]");
        var theirs = fresh.querySelector('form[action="' + form.getAttribute("action") + '"] input[name=version]');
        if (mine && theirs) { mine.value = theirs.value; }
      });
    }
    var pending = row._pending;
    row._pending = null;
    if (pending) { window.setTimeout(function () { htmx.trigger(pending, "change"); }, 0); }
  });

  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (btn) {
    btn.addEventListener("click", function () { window.print(); });
  });

  window.Supervision = window.Supervision || {};
})();
