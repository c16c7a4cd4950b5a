// A job's progress updates itself: every running job on the page asks its status (JSON with a fresh copy of
// the include) and is replaced by it, until it has ended. Without JavaScript the page refreshes itself instead.
(function () {
  "use strict";
  var EVERY = 1500;

  function poll(box) {
    var url = box.getAttribute("data-job-status");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = data.html.trim();
        var fresh = holder.firstElementChild;
        box.replaceWith(fresh);
        watch(fresh);
      })
      .catch(function () { setTimeout(function () { poll(box); }, EVERY * 2); });
  }

  function watch(box) {
    if (box.getAttribute("data-job-active") === "1") {
      setTimeout(function () { poll(box); }, EVERY);
    }
  }

  function start() {
    document.querySelectorAll("[data-job-status]").forEach(watch);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
