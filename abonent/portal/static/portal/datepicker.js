/* The site's one date field: text in dd.mm.yyyy (or mm.yyyy for a month), typed or picked from a small calendar.
   A browser's own <input type=date> shows the browser's language ("mm/dd/yyyy" in an English one); this field reads
   the same everywhere. Without JavaScript it is a plain text field the server reads (abonent/lib/inputs.py).
   Markup: <input data-datepicker="date|month">. No inline style: the look is in site.css (.datepicker). */
(function () {
  "use strict";
  var MONTHS = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь",
    "ноябрь", "декабрь"];
  var MONTHS_OF = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
    "ноября", "декабря"];
  var SHORT = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"];
  var DAYS = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function read(input) {
    var text = input.value.trim(), m;
    if (input.dataset.datepicker === "month") {
      m = /^(\d{1,2})\.(\d{4})$/.exec(text);
      return m ? new Date(+m[2], +m[1] - 1, 1) : null;
    }
    m = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
    if (!m) { return null; }
    var d = new Date(+m[3], +m[2] - 1, +m[1]);
    return d.getMonth() === +m[2] - 1 ? d : null;
  }

  function write(input, d) {
    input.value = input.dataset.datepicker === "month" ? pad(d.getMonth() + 1) + "." + d.getFullYear()
      : pad(d.getDate()) + "." + pad(d.getMonth() + 1) + "." + d.getFullYear();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Digits typed without dots ("01122026", "122026") get them on leaving the field.
  function tidy(input) {
    var digits = input.value.replace(/\s/g, "");
    if (input.dataset.datepicker === "month" && /^\d{6}$/.test(digits)) {
      input.value = digits.slice(0, 2) + "." + digits.slice(2);
    } else if (input.dataset.datepicker !== "month" && /^\d{8}$/.test(digits)) {
      input.value = digits.slice(0, 2) + "." + digits.slice(2, 4) + "." + digits.slice(4);
    }
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function button(cls, text, label) {
    var b = el("button", cls, text);
    b.type = "button";
    if (label) { b.setAttribute("aria-label", label); }
    return b;
  }

  function Picker(input) {
    this.input = input;
    this.month = input.dataset.datepicker === "month";
    var wrap = el("span", "datefield");
    input.parentNode.insertBefore(wrap, input);
    wrap.appendChild(input);
    this.toggle = button("datepicker-toggle secondary", "▦", this.month ? "Выбрать месяц" : "Выбрать дату");
    this.toggle.setAttribute("aria-expanded", "false");
    wrap.appendChild(this.toggle);
    this.panel = el("div", "datepicker");
    this.panel.setAttribute("role", "dialog");
    this.panel.setAttribute("aria-label", this.month ? "Выбор месяца" : "Выбор даты");
    this.panel.hidden = true;
    wrap.appendChild(this.panel);
    var self = this;
    this.toggle.addEventListener("click", function () { self.panel.hidden ? self.open() : self.close(true); });
    input.addEventListener("blur", function () { tidy(input); });
    this.panel.addEventListener("keydown", function (e) { self.key(e); });
    document.addEventListener("click", function (e) {
      // A click elsewhere closes it; not one on the month arrows, whose button a re-render has just replaced
      if (!self.panel.hidden && e.target.isConnected && !wrap.contains(e.target)) { self.close(false); }
    });
  }

  Picker.prototype.open = function () {
    var today = new Date();
    this.chosen = read(this.input);
    this.shown = this.chosen || today;
    this.panel.hidden = false;
    this.toggle.setAttribute("aria-expanded", "true");
    this.render(true);
  };

  Picker.prototype.close = function (refocus) {
    this.panel.hidden = true;
    this.toggle.setAttribute("aria-expanded", "false");
    if (refocus) { this.input.focus(); }
  };

  Picker.prototype.pick = function (d) {
    write(this.input, d);
    this.close(true);
  };

  Picker.prototype.step = function (delta) {
    var s = this.shown;
    this.shown = this.month ? new Date(s.getFullYear() + delta, s.getMonth(), 1)
      : new Date(s.getFullYear(), s.getMonth() + delta, 1);
    this.render(false);
  };

  Picker.prototype.render = function (focus) {
    var self = this, s = this.shown, panel = this.panel;
    panel.textContent = "";
    var head = el("div", "datepicker-head");
    var prev = button("datepicker-nav secondary", "‹", this.month ? "Предыдущий год" : "Предыдущий месяц");
    var next = button("datepicker-nav secondary", "›", this.month ? "Следующий год" : "Следующий месяц");
    var title = el("span", "datepicker-title", this.month ? String(s.getFullYear())
      : MONTHS[s.getMonth()] + " " + s.getFullYear());
    title.setAttribute("aria-live", "polite");
    prev.addEventListener("click", function () { self.step(-1); });
    next.addEventListener("click", function () { self.step(1); });
    head.appendChild(prev); head.appendChild(title); head.appendChild(next);
    panel.appendChild(head);
    var grid = el("div", this.month ? "datepicker-months" : "datepicker-days");
    panel.appendChild(grid);
    var target = null;
    if (this.month) {
      SHORT.forEach(function (name, i) {
        var d = new Date(s.getFullYear(), i, 1);
        var b = button("datepicker-cell", name, MONTHS[i] + " " + s.getFullYear());
        b.dataset.month = i;
        if (self.chosen && self.chosen.getFullYear() === d.getFullYear() && self.chosen.getMonth() === i) {
          b.setAttribute("aria-pressed", "true"); target = b;
        }
        b.addEventListener("click", function () { self.pick(d); });
        grid.appendChild(b);
      });
    } else {
      DAYS.forEach(function (name) { grid.appendChild(el("span", "datepicker-weekday", name)); });
      var first = new Date(s.getFullYear(), s.getMonth(), 1);
      var skip = (first.getDay() + 6) % 7;  // Monday first
      for (var i = 0; i < skip; i++) { grid.appendChild(el("span", "datepicker-blank")); }
      var last = new Date(s.getFullYear(), s.getMonth() + 1, 0).getDate();
      for (var day = 1; day <= last; day++) {
        (function (d) {
          var b = button("datepicker-cell", String(d.getDate()),
            d.getDate() + " " + MONTHS_OF[d.getMonth()] + " " + d.getFullYear());
          b.dataset.day = d.getDate();
          if (self.chosen && self.chosen.getTime() === d.getTime()) { b.setAttribute("aria-pressed", "true"); target = b; }
          b.addEventListener("click", function () { self.pick(d); });
          grid.appendChild(b);
        })(new Date(s.getFullYear(), s.getMonth(), day));
      }
    }
    var close = button("datepicker-close link", "Закрыть");
    close.addEventListener("click", function () { self.close(true); });
    panel.appendChild(close);
    if (focus) { (target || grid.querySelector(".datepicker-cell")).focus(); }
  };

  // Escape closes; the arrows walk the days (a week up and down) or the months (a row of three).
  Picker.prototype.key = function (e) {
    if (e.key === "Escape") { e.preventDefault(); this.close(true); return; }
    var moves = this.month ? { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -3, ArrowDown: 3 }
      : { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    var cell = document.activeElement;
    if (!(e.key in moves) || !cell.classList.contains("datepicker-cell")) { return; }
    e.preventDefault();
    var cells = Array.prototype.slice.call(this.panel.querySelectorAll(".datepicker-cell"));
    var next = cells[cells.indexOf(cell) + moves[e.key]];
    if (next) { next.focus(); }
  };

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-datepicker]"), function (input) {
      if (!input.dataset.pickerReady) { input.dataset.pickerReady = "1"; new Picker(input); }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
