/* The 版记 at the foot of the last page: stretch the sheet to whole pages of 22 lines and pin the
   colophon to its bottom. The screen and print layouts share the 156 mm width and every block is a
   whole number of lines (the head is rounded up here), so no line is pushed to the next page by a
   sliver and the height measured on screen is the printed one. */
(function () {
  "use strict";
  var LINES = 22;

  function place() {
    var sheet = document.querySelector("[data-sheet]");
    var colophon = sheet && sheet.querySelector("[data-colophon]");
    if (!colophon) return;
    var line = parseFloat(getComputedStyle(sheet).lineHeight);
    sheet.querySelectorAll("[data-snap]").forEach(function (block) {
      block.style.height = "";
      block.style.height = Math.ceil(block.getBoundingClientRect().height / line - 0.01) * line + "px";
    });
    sheet.style.minHeight = "";
    colophon.classList.add("pinned");
    var page = LINES * line;
    var need = sheet.getBoundingClientRect().height + colophon.getBoundingClientRect().height + line;
    var pages = Math.max(1, Math.ceil(need / page));
    sheet.style.minHeight = pages * page - 2 + "px";
    sheet.dataset.pages = String(pages);
  }

  window.addEventListener("load", place);
  window.addEventListener("beforeprint", place);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(place);
})();
