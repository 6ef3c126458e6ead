// 督察通 notices: the draft form fills the time limit from the chosen kind.
(function () {
  "use strict";
  var kind = document.querySelector("[data-kind-select]");
  var days = document.getElementById("time_limit_days");
  if (kind && days) {
    kind.addEventListener("change", function () {
      var option = kind.options[kind.selectedIndex];
      var value = option && option.getAttribute("data-default-days");
      if (value) { days.value = value; }
    });
  }
})();
