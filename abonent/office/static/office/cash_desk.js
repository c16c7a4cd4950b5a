// The cash desk's «Принять»: a second click while the first is on its way sends nothing (the form's token also
// makes a repeated request one payment on the server; this only spares the cashier the second answer).
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("form.desk");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      var button = form.querySelector("button");
      if (button.disabled) { e.preventDefault(); }
      button.disabled = true;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
