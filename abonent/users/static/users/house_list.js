// "Добавить лицевой счёт": the house list follows the organisation and the words typed in "Поиск дома", asked
// from the server (at most 20 houses). Without this script the "Показать дома" button does the same by a submit.
(function () {
  "use strict";
  function init() {
    var form = document.getElementById("account-add");
    if (!form) return;
    var org = form.querySelector("[name=organisation]");
    var search = form.querySelector("[name=house_search]");
    var select = form.querySelector("[name=building]");
    if (!org || !search || !select) return;
    var timer = null;
    var asked = 0;
    function fill(houses) {
      var current = select.value;
      select.innerHTML = "";
      select.appendChild(new Option("—", ""));
      houses.forEach(function (h) { select.appendChild(new Option(h.address, String(h.id))); });
      select.value = current;
      if (select.value !== current) select.value = houses.length === 1 ? String(houses[0].id) : "";
    }
    function load() {
      if (!org.value) { fill([]); return; }
      var ticket = ++asked;
      var url = form.dataset.housesUrl + "?organisation=" + encodeURIComponent(org.value) +
        "&q=" + encodeURIComponent(search.value);
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) { if (ticket === asked && data.houses) fill(data.houses); })
        .catch(function () { /* the list stays; "Показать дома" still works */ });
    }
    org.addEventListener("change", load);
    search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(load, 250); });
    // A person (or a fast browser) may choose the organisation or type before this deferred script runs:
    // the list is asked once at start for what the form already holds.
    if (org.value && (search.value || select.options.length <= 1)) load();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
