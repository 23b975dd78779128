// The city's questions follow the chosen category: only its fieldset is shown. Without this script
// every category's questions are shown, each under its category's name, and only the chosen one counts.
(function () {
  "use strict";
  var select = document.getElementById("id_category");
  var groups = document.querySelectorAll("fieldset[data-category]");
  if (!select || !groups.length) return;
  function follow() {
    for (var i = 0; i < groups.length; i++) {
      groups[i].hidden = groups[i].dataset.category !== select.value;
    }
  }
  select.addEventListener("change", follow);
  follow();
})();
