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
    function apply() {
      var q = input.value.trim().toLowerCase();
      list.querySelectorAll("[data-filter-text]").forEach(function (row) {
        var hit = !q || row.getAttribute("data-filter-text").toLowerCase().indexOf(q) !== -1;
        row.classList.toggle("d-none", !hit);
      });
    }
    input.addEventListener("input", apply);
    // The box may already hold text: typed before this script ran, or put back by the browser on
    // 后退. Unapplied, the list would show every row and 全选筛选结果 would choose them all.
    apply();
  });

  // Autosaving rows ([data-autosave], e.g. scorecard indicators): each change posts the row's form
  // and the reply replaces the row. A reply must never overwrite what the user typed while it was
  // on its way, and a change made meanwhile must still be sent (htmx queues it on the form that
  // the reply then replaces, so it would be lost). So a stale reply is not swapped in: the row
  // keeps its inputs, takes the record version from the reply, and sends the newest values again.
  function snapshot(row) {
    var parts = [];
    row.querySelectorAll("input:not([type=file]):not([type=hidden]), select, textarea").forEach(function (el) {
      parts.push(el.name + "=" + el.value);
    });
    return parts.join("\u0000");
  }
  function autosaveRow(el) { return el && el.closest ? el.closest("[data-autosave]") : null; }
  // 基本达标 needs a score: picking it is half an answer, so nothing is sent until the score is in
  // (the server would refuse the pair, and the refused row would fall back to what is stored).
  function awaitsScore(form) {
    var rating = form && form.querySelector ? form.querySelector("select[name=rating]") : null;
    var score = form && form.querySelector ? form.querySelector("input[name=score]") : null;
    return rating && score && rating.value === "basic" && !score.value.trim();
  }
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var row = autosaveRow(event.detail.elt);
    if (!row) { return; }
    var form = event.detail.elt.closest ? event.detail.elt.closest("form") : null;
    if (awaitsScore(form)) {
      event.preventDefault();
      var score = form.querySelector("input[name=score]");
      score.classList.add("is-invalid");
      score.setAttribute("title", "“基本达标”请填写得分后自动保存");
      score.focus();
      return;
    }
    form && form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    row._sent = snapshot(row);
    row._inflight = true;
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

  // A row whose request failed keeps what the user typed and says why on the row: the server
  // answers a short plain text (supervision/htmx.py); an expired session never gets here, it
  // answers HX-Redirect and htmx sends the whole page to the login form.
  function showRowError(event, text) {
    var row = autosaveRow(event.detail.elt) || event.detail.target;
    if (!row || !row.querySelector) { return; }
    row._inflight = false;
    row._pending = null;
    row.querySelectorAll("[data-testid=row-saved]").forEach(function (el) { el.remove(); });
    var box = row.querySelector("[data-testid=row-error]");
    if (!box) {
      box = document.createElement("div");
      box.className = "score-error";
      box.setAttribute("role", "alert");
      box.setAttribute("data-testid", "row-error");
      (row.querySelector(".score-body") || row).appendChild(box);
    }
    box.textContent = text;
    row.classList.add("has-error");
  }
  document.body.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var plain = (xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0;
    var text = plain && xhr.responseText && xhr.responseText.length < 500 ? xhr.responseText
      : "未保存：服务器出错（" + xhr.status + "），请稍后重试。";
    showRowError(event, text);
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    showRowError(event, "未保存：网络连接失败，请检查网络后重试。");
  });

  // A refused save shows the stored values; 恢复我填写的 puts the refused ones back to correct them.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-restore]");
    if (!button) { return; }
    var form = document.getElementById(button.getAttribute("data-restore"));
    var values = JSON.parse(button.getAttribute("data-values") || "{}");
    if (!form) { return; }
    Object.keys(values).forEach(function (name) {
      var field = form.elements.namedItem(name);
      if (field) { field.value = values[name]; }
    });
    button.disabled = true;
  });

  // Type-ahead pickers ([data-picker], see the `picker` macro): matches come from the box's
  // data-source as JSON [{id, label, hint}]; picking sets the hidden field and sends the form.
  document.querySelectorAll("[data-picker]").forEach(function (box) {
    var input = box.querySelector("[data-picker-input]");
    var value = box.querySelector("[data-picker-value]");
    var menu = box.querySelector(".picker-menu");
    var timer = null, seq = 0, active = -1, shown = [];
    var startValue = value.value;

    function close() {
      menu.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }
    function mark(i) {
      var buttons = menu.querySelectorAll("[role=option]");
      buttons.forEach(function (b, n) { b.classList.toggle("active", n === i); });
      active = i;
      if (buttons[i]) { buttons[i].scrollIntoView({ block: "nearest" }); }
    }
    function pick(item) {
      value.value = item.id;
      input.value = item.label;
      close();
      if (input.form && input.hasAttribute("data-picker-submit")) { input.form.requestSubmit(); }
    }
    function render(list) {
      shown = list;
      menu.textContent = "";
      list.forEach(function (item) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "dropdown-item";
        b.setAttribute("role", "option");
        b.textContent = item.label;
        if (item.hint) {
          var hint = document.createElement("small");
          hint.className = "text-muted ms-2";
          hint.textContent = item.hint;
          b.appendChild(hint);
        }
        // mousedown, not click: it comes before the input's blur closes the menu.
        b.addEventListener("mousedown", function (event) { event.preventDefault(); pick(item); });
        menu.appendChild(b);
      });
      if (!list.length) {
        var none = document.createElement("div");
        none.className = "dropdown-item-text text-muted small";
        none.textContent = box.getAttribute("data-empty");
        menu.appendChild(none);
      }
      menu.classList.add("show");
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function load() {
      var n = ++seq;
      var url = box.getAttribute("data-source") + "?q=" + encodeURIComponent(input.value.trim());
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (list) { if (n === seq && document.activeElement === input) { render(list); } })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      value.value = "";  // the text no longer names what was picked
      window.clearTimeout(timer);
      timer = window.setTimeout(load, 150);
    });
    input.addEventListener("focus", function () { if (!value.value) { load(); } });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
    input.addEventListener("change", function () {
      // Emptied box on a filtered page: drop the filter.
      if (!input.value.trim() && startValue && input.form && input.hasAttribute("data-picker-submit")) { input.form.requestSubmit(); }
    });
    // Picked by id: the typed name need not travel too (shorter links to share).
    if (input.form) {
      input.form.addEventListener("formdata", function (event) {
        if (value.value) { event.formData.delete(input.name); }
      });
    }
    input.addEventListener("keydown", function (event) {
      var open = menu.classList.contains("show") && shown.length;
      if (event.key === "ArrowDown" && open) { event.preventDefault(); mark(Math.min(active + 1, shown.length - 1)); }
      else if (event.key === "ArrowUp" && open) { event.preventDefault(); mark(Math.max(active - 1, 0)); }
      else if (event.key === "Enter" && open && active >= 0) { event.preventDefault(); pick(shown[active]); }
      else if (event.key === "Escape") { close(); }
    });
  });

  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (btn) {
    btn.addEventListener("click", function () { window.print(); });
  });

  window.Supervision = window.Supervision || {};
})();
