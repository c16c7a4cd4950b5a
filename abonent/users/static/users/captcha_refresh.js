// "Загрузить новый код": a new captcha picture and key from django-simple-captcha's refresh URL, without
// reloading the page (the typed form stays). The button is hidden until this script runs.
(function () {
  "use strict";
  function refresh(button) {
    var field = button.closest(".field");
    var image = field && field.querySelector("img.captcha");
    var key = field && field.querySelector("input[name$='captcha_0']");
    var answer = field && field.querySelector("input[name$='captcha_1']");
    if (!image || !key) return;
    button.disabled = true;
    fetch(button.dataset.url, { headers: { "X-Requested-With": "XMLHttpRequest" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        image.src = data.image_url;
        key.value = data.key;
        if (answer) { answer.value = ""; answer.focus(); }
      })
      .catch(function () { /* the old picture stays; the page can still be reloaded */ })
      .finally(function () { button.disabled = false; });
  }
  function init() {
    document.querySelectorAll("button.captcha-refresh").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.hidden = false;
      button.addEventListener("click", function () { refresh(button); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
