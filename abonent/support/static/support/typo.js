// "Заметили ошибку в тексте? Выделите её мышкой и нажмите Ctrl+Enter": the selected text, some text around it and
// the page's address go to the operator, with the visitor's comment. A static file, as the Content-Security-Policy
// runs no inline script; the dialog is in the base template (support/_typo_dialog.html).
(function () {
  "use strict";
  var TEXT_MAX = 300;
  var AROUND = 200; // characters of context on each side of the fragment
  var FAILED = "Не удалось отправить сообщение. Обновите страницу и попробуйте ещё раз.";

  var dialog = document.getElementById("typo-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var form = dialog.querySelector("form");
  var fragment = dialog.querySelector("[data-typo-fragment]");
  var fields = dialog.querySelector("[data-typo-fields]");
  var status = dialog.querySelector("[data-typo-status]");
  var send = dialog.querySelector("[data-typo-send]");

  function squeeze(text) {
    return text.replace(/\s+/g, " ").trim();
  }

  // The text of the block the selection starts in, around the fragment (the same words may occur elsewhere).
  function contextOf(selection, text) {
    var node = selection.getRangeAt(0).commonAncestorContainer;
    var block = node.nodeType === 1 ? node : node.parentElement;
    var whole = block && block.closest ? block.closest("p, li, td, th, dd, dt, h1, h2, h3, h4, section, main") : null;
    whole = squeeze((whole || block || document.body).textContent || "");
    var at = whole.indexOf(text);
    if (at < 0) {
      return "";
    }
    return whole.slice(Math.max(0, at - AROUND), at + text.length + AROUND);
  }

  function say(message, kind) {
    status.textContent = message;
    status.className = "typo-status" + (kind ? " is-" + kind : "");
  }

  function open(text, context) {
    form.reset();
    fragment.textContent = text;
    form.elements.text.value = text;
    form.elements.context.value = context;
    form.elements.url.value = window.location.pathname + window.location.search;
    var tooLong = text.length > TEXT_MAX;
    fields.hidden = false;
    send.hidden = false;
    send.disabled = tooLong;
    say(tooLong ? "Выделите фрагмент покороче: не длиннее " + TEXT_MAX + " знаков." : "", tooLong ? "error" : "");
    dialog.showModal();
    form.elements.comment.focus();
  }

  document.addEventListener("keydown", function (event) {
    var enter = event.key === "Enter" || event.keyCode === 13 || event.keyCode === 10;
    if (!enter || !(event.ctrlKey || event.metaKey) || dialog.open) {
      return;
    }
    var selection = window.getSelection ? window.getSelection() : null;
    var text = selection && selection.rangeCount ? squeeze(selection.toString()) : "";
    if (!text) {
      return;
    }
    event.preventDefault();
    open(text, contextOf(selection, text));
  });

  dialog.querySelector("[data-typo-close]").addEventListener("click", function () {
    dialog.close();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault(); // Enter in a field of the dialog: nothing leaves the page without the button
  });

  send.addEventListener("click", function () {
    send.disabled = true;
    say("Отправляем…");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().catch(function () {
          return { ok: false, errors: [FAILED] };
        });
      })
      .then(function (answer) {
        if (answer.ok) {
          fields.hidden = true;
          send.hidden = true;
          say(answer.message, "ok");
        } else {
          send.disabled = false;
          say((answer.errors || [FAILED]).join(" "), "error");
        }
      })
      .catch(function () {
        send.disabled = false;
        say(FAILED, "error");
      });
  });
})();
