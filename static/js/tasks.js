// 督察通 · tasks: the unit and inspector pickers on the task form (no inline scripts: CSP).
(function () {
  "use strict";

  function boxes(list) { return Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox]")); }

  function updateCount(list) {
    var counter = document.querySelector('[data-count-for="' + list.id + '"]');
    if (counter) { counter.textContent = boxes(list).filter(function (b) { return b.checked; }).length; }
  }

  // Select every row the filter box leaves visible; clear all; show only the chosen ones.
  document.querySelectorAll("[data-select-visible]").forEach(function (btn) {
    var list = document.getElementById(btn.getAttribute("data-select-visible"));
    btn.addEventListener("click", function () {
      boxes(list).forEach(function (b) {
        var row = b.closest("[data-filter-text]");
        if (!b.disabled && row && !row.classList.contains("d-none")) { b.checked = true; }
      });
      list.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
  document.querySelectorAll("[data-clear-list]").forEach(function (btn) {
    var list = document.getElementById(btn.getAttribute("data-clear-list"));
    btn.addEventListener("click", function () {
      boxes(list).forEach(function (b) { b.checked = false; });
      list.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
  document.querySelectorAll("[data-only-checked]").forEach(function (btn) {
    var list = document.getElementById(btn.getAttribute("data-only-checked"));
    btn.addEventListener("click", function () {
      var on = btn.getAttribute("aria-pressed") !== "true";
      btn.setAttribute("aria-pressed", on ? "true" : "false");
      btn.classList.toggle("active", on);
      list.classList.toggle("only-checked", on);
    });
  });

  // Warn when an inspector's home unit is among the chosen targets.
  var unitList = document.getElementById("unit-list");
  var inspectorList = document.getElementById("inspector-list");
  var warning = document.querySelector("[data-own-unit-warning]");

  function checkOwnUnits() {
    if (!unitList || !inspectorList) { return; }
    var chosen = {};
    boxes(unitList).forEach(function (b) { if (b.checked) { chosen[b.value] = true; } });
    var any = false;
    inspectorList.querySelectorAll("[data-unit-id]").forEach(function (row) {
      var box = row.querySelector("input[type=checkbox]");
      var hit = !!chosen[row.getAttribute("data-unit-id")];
      var badge = row.querySelector(".own-unit-badge");
      if (badge) { badge.classList.toggle("d-none", !hit); }
      row.classList.toggle("own-unit", hit);
      if (hit && box && box.checked) { any = true; }
    });
    if (warning) { warning.classList.toggle("d-none", !any); }
  }

  // Choosing a leader also puts them on the task; unchecking an inspector drops their leadership.
  if (inspectorList) {
    inspectorList.addEventListener("change", function (event) {
      var el = event.target;
      var row = el.closest && el.closest("[data-unit-id]");
      if (row && el.type === "radio" && el.checked) {
        var box = row.querySelector("input[type=checkbox]");
        if (box && !box.disabled) { box.checked = true; }
      }
      if (row && el.type === "checkbox" && !el.checked) {
        var radio = row.querySelector("input[type=radio]");
        if (radio) { radio.checked = false; }
      }
      updateCount(inspectorList);
      checkOwnUnits();
    });
  }
  if (unitList) {
    unitList.addEventListener("change", function () { updateCount(unitList); checkOwnUnits(); });
  }
  checkOwnUnits();
})();

// Evidence inputs on the finding form: show which files were picked (the inputs are hidden buttons).
(function () {
  "use strict";
  var names = document.querySelector("[data-file-names]");
  if (!names) { return; }
  var inputs = document.querySelectorAll(".evidence-inputs input[type=file]");
  inputs.forEach(function (input) {
    input.addEventListener("change", function () {
      var picked = [];
      inputs.forEach(function (i) {
        Array.prototype.forEach.call(i.files || [], function (f) { picked.push(f.name); });
      });
      if (picked.length) { names.textContent = names.getAttribute("data-picked-label") + picked.join(", "); }
    });
  });
})();
