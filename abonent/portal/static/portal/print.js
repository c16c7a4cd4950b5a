// "Печать" buttons and links: a data-print attribute instead of an inline onclick, which the
// Content-Security-Policy (script-src 'self') would refuse to run.
document.addEventListener("click", function (event) {
  var target = event.target.closest ? event.target.closest("[data-print]") : null;
  if (target) {
    event.preventDefault();
    window.print();
  }
});
