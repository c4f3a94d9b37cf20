// Organisers' date fields: a month calendar beside the text box, Jalali on Persian pages and Gregorian
// on English ones (as the box itself shows dates). The box stays an ordinary text field: typing works
// as before and the server reads whatever it holds; the calendar only writes a date into it.
// A box asks for it with data-date-picker="date" (or "datetime": a time may follow the date); the words
// and the calendar come once a page, on this script's own tag (data-words, see events/forms.py).
(function () {
  "use strict";

  var script = document.currentScript;
  var WORDS = JSON.parse((script && script.getAttribute("data-words")) || "null");

  var DAY_MS = 86400000;
  // 1 Farvardin 1400 was 21 March 2021. Leap years follow jdatetime's 33-year rule, as the server does.
  var JALALI_1400 = Date.UTC(2021, 2, 21) / DAY_MS;
  var LEAP_REMAINDERS = [1, 5, 9, 13, 17, 22, 26, 30];
  var JALALI_YEARS = [1200, 1599]; // what bazaarche.jalali.parse_jalali accepts
  var PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";
  var ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩";
  var serial = 0;

  // --- calendars: a day is a whole number of days since 1 January 1970 ----------------------------

  function jalaliLeap(year) {
    return LEAP_REMAINDERS.indexOf(((year % 33) + 33) % 33) >= 0;
  }
  function jalaliYearLength(year) {
    return jalaliLeap(year) ? 366 : 365;
  }
  function jalaliMonthLength(year, month) {
    if (month <= 6) return 31;
    if (month <= 11) return 30;
    return jalaliLeap(year) ? 30 : 29;
  }

  var JALALI = {
    monthLength: jalaliMonthLength,
    years: JALALI_YEARS,
    toDay: function (year, month, day) {
      var days = JALALI_1400, y;
      for (y = 1400; y < year; y++) days += jalaliYearLength(y);
      for (y = year; y < 1400; y++) days -= jalaliYearLength(y);
      return days + (month <= 7 ? (month - 1) * 31 : 186 + (month - 7) * 30) + day - 1;
    },
    fromDay: function (n) {
      var year = 1400, rest = n - JALALI_1400, month = 1;
      while (rest < 0) { year--; rest += jalaliYearLength(year); }
      while (rest >= jalaliYearLength(year)) { rest -= jalaliYearLength(year); year++; }
      while (rest >= jalaliMonthLength(year, month)) { rest -= jalaliMonthLength(year, month); month++; }
      return { year: year, month: month, day: rest + 1 };
    },
    format: function (parts) {
      return parts.year + "/" + pad(parts.month) + "/" + pad(parts.day);
    },
  };

  var GREGORIAN = {
    monthLength: function (year, month) {
      return new Date(Date.UTC(year, month, 0)).getUTCDate();
    },
    years: [1900, 2199],
    toDay: function (year, month, day) {
      var date = new Date(0);
      date.setUTCFullYear(year, month - 1, day);
      return Math.round(date.getTime() / DAY_MS);
    },
    fromDay: function (n) {
      var date = new Date(n * DAY_MS);
      return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
    },
    format: function (parts) {
      return parts.year + "-" + pad(parts.month) + "-" + pad(parts.day);
    },
  };

  function pad(number) {
    return (number < 10 ? "0" : "") + number;
  }

  // Saturday is the first column: JavaScript counts Sunday as 0, so Saturday (6) becomes 0.
  function column(day) {
    return (new Date(day * DAY_MS).getUTCDay() + 1) % 7;
  }

  function today() {
    // The organiser's own clock; the site is in Iran, and so, almost always, are they.
    var now = new Date();
    return Math.round(Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / DAY_MS);
  }

  function asciiDigits(text) {
    return String(text).replace(/[۰-۹٠-٩]/g, function (c) {
      var i = PERSIAN_DIGITS.indexOf(c);
      return String(i >= 0 ? i : ARABIC_DIGITS.indexOf(c));
    });
  }
  function persianDigits(text) {
    return String(text).replace(/[0-9]/g, function (c) {
      return PERSIAN_DIGITS.charAt(+c);
    });
  }

  // The date at the start of what is typed, read as the server reads it: a four-digit year of 1900
  // or more is Gregorian, otherwise Jalali. Anything else (or a day that does not exist) is null.
  function readDay(text) {
    var match = /^\s*(\d{4}) ?[\/.\-] ?(\d{1,2}) ?[\/.\-] ?(\d{1,2})(?:\s|$)/.exec(asciiDigits(text || ""));
    if (!match) return null;
    var year = +match[1], month = +match[2], day = +match[3];
    var calendar = year >= 1900 ? GREGORIAN : JALALI;
    if (year < calendar.years[0] || year > calendar.years[1] || month < 1 || month > 12) return null;
    if (day < 1 || day > calendar.monthLength(year, month)) return null;
    return calendar.toDay(year, month, day);
  }

  function readIso(text) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return match ? GREGORIAN.toDay(+match[1], +match[2], +match[3]) : null;
  }

  // --- one picker per date box ---------------------------------------------------------------------

  function Picker(input) {
    this.input = input;
    this.text = WORDS;
    this.calendar = this.text.calendar === "jalali" ? JALALI : GREGORIAN;
    this.persian = this.text.digits === "persian";
    this.withTime = input.getAttribute("data-date-picker") === "datetime";
    this.min = readIso(input.getAttribute("data-picker-min"));
    this.max = readIso(input.getAttribute("data-picker-max"));
    this.dialog = null;

    var field = document.createElement("span");
    field.className = "date-picker-field";
    input.parentNode.insertBefore(field, input);
    field.appendChild(input);
    this.field = field;

    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "date-picker-toggle";
    toggle.setAttribute("aria-haspopup", "dialog");
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-label", this.text.open);
    toggle.title = this.text.open;
    toggle.appendChild(calendarIcon());
    field.appendChild(toggle);
    this.toggle = toggle;

    var self = this;
    toggle.addEventListener("click", function () {
      if (self.dialog) self.close(toggle);
      else self.open(toggle);
    });
    input.addEventListener("keydown", function (event) {
      if (event.altKey && event.key === "ArrowDown") {
        event.preventDefault();
        self.open(input);
      }
    });
  }

  Picker.prototype.digits = function (text) {
    return this.persian ? persianDigits(text) : String(text);
  };

  Picker.prototype.startDay = function () {
    var typed = readDay(this.input.value);
    if (typed !== null) return typed;
    var nearId = this.input.getAttribute("data-picker-near");
    var near = nearId && document.getElementById(nearId);
    var nearDay = near ? readDay(near.value) : null;
    if (nearDay !== null) return nearDay;
    var fallback = readIso(this.input.getAttribute("data-picker-default"));
    return this.clamp(fallback !== null ? fallback : today());
  };

  Picker.prototype.clamp = function (day) {
    if (this.min !== null && day < this.min) return this.min;
    if (this.max !== null && day > this.max) return this.max;
    return day;
  };

  Picker.prototype.allowed = function (day) {
    return (this.min === null || day >= this.min) && (this.max === null || day <= this.max);
  };

  Picker.prototype.open = function (opener) {
    if (this.dialog) return;
    this.opener = opener;
    this.id = "date-picker-" + ++serial;
    var dialog = document.createElement("div");
    dialog.className = "date-picker";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", this.id + "-title");

    var head = document.createElement("div");
    head.className = "date-picker-head";
    var title = document.createElement("h2");
    title.className = "date-picker-title";
    title.id = this.id + "-title";
    title.setAttribute("aria-live", "polite");
    // The previous month sits at the start of the line: on the right in Persian, its arrow pointing there.
    var rtl = getComputedStyle(this.field).direction === "rtl";
    head.appendChild(this.button("date-picker-step", this.text.previous, rtl ? "›" : "‹", -1));
    head.appendChild(title);
    head.appendChild(this.button("date-picker-step", this.text.next, rtl ? "‹" : "›", 1));
    dialog.appendChild(head);

    var grid = document.createElement("table");
    grid.className = "date-picker-grid";
    grid.setAttribute("role", "grid");
    grid.setAttribute("aria-labelledby", title.id);
    var headRow = grid.createTHead().insertRow();
    this.text.weekdays.forEach(function (name, i) {
      var th = document.createElement("th");
      th.scope = "col";
      th.abbr = name;
      th.textContent = this.text.short[i];
      headRow.appendChild(th);
    }, this);
    grid.appendChild(document.createElement("tbody"));
    dialog.appendChild(grid);

    var foot = document.createElement("div");
    foot.className = "date-picker-foot";
    var todayButton = this.button("date-picker-today", this.text.today, this.text.today, 0);
    todayButton.disabled = !this.allowed(today());
    foot.appendChild(todayButton);
    foot.appendChild(this.button("date-picker-close", this.text.close, this.text.close, null));
    dialog.appendChild(foot);

    this.dialog = dialog;
    this.title = title;
    this.grid = grid;
    this.field.appendChild(dialog);
    this.toggle.setAttribute("aria-expanded", "true");
    this.show(this.startDay());
    this.focusDay();
    this.keepInView();

    var self = this;
    dialog.addEventListener("click", function (event) { self.onClick(event); });
    dialog.addEventListener("keydown", function (event) { self.onKey(event); });
    this.outside = function (event) {
      if (!self.field.contains(event.target)) self.close(null);
    };
    document.addEventListener("pointerdown", this.outside);
  };

  // Under its box the calendar is scrolled into view; as a sheet at the bottom of a phone's screen it
  // must not hide the box it fills, so the page moves up instead.
  Picker.prototype.keepInView = function () {
    if (getComputedStyle(this.dialog).position !== "fixed") {
      if (this.dialog.scrollIntoView) this.dialog.scrollIntoView({ block: "nearest" });
      return;
    }
    var box = this.input.getBoundingClientRect();
    var sheet = this.dialog.getBoundingClientRect();
    var gap = 8;
    if (box.bottom + gap > sheet.top || box.top < 0) window.scrollBy(0, box.bottom + gap - sheet.top);
  };

  Picker.prototype.button = function (className, label, text, step) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = className;
    button.textContent = text;
    if (label !== text) button.setAttribute("aria-label", label);
    if (step !== null) button.setAttribute("data-step", String(step));
    return button;
  };

  // Draws the month holding `day` and makes `day` the one reachable with Tab.
  Picker.prototype.show = function (day) {
    var calendar = this.calendar;
    var parts = calendar.fromDay(day);
    var first = calendar.toDay(parts.year, parts.month, 1);
    var length = calendar.monthLength(parts.year, parts.month);
    var chosen = readDay(this.input.value);
    var now = today();
    this.active = day;
    this.title.textContent = this.text.months[parts.month - 1] + " " + this.digits(parts.year);

    var body = document.createElement("tbody");
    var row = body.insertRow();
    for (var blank = 0; blank < column(first); blank++) row.insertCell();
    for (var n = first; n < first + length; n++) {
      if (row.cells.length === 7) row = body.insertRow();
      var cell = row.insertCell();
      var date = calendar.fromDay(n);
      cell.textContent = this.digits(date.day);
      cell.setAttribute("data-day", String(n));
      cell.setAttribute("aria-label", this.label(n));
      cell.tabIndex = n === day ? 0 : -1;
      if (n === chosen) cell.setAttribute("aria-selected", "true");
      if (n === now) cell.setAttribute("aria-current", "date");
      if (!this.allowed(n)) cell.setAttribute("aria-disabled", "true");
    }
    while (row.cells.length < 7) row.insertCell();
    this.grid.replaceChild(body, this.grid.tBodies[0]);
  };

  Picker.prototype.label = function (day) {
    var parts = this.calendar.fromDay(day);
    var weekday = this.text.weekdays[column(day)];
    return this.digits(weekday + " " + parts.day + " " + this.text.months[parts.month - 1] + " " + parts.year);
  };

  Picker.prototype.cell = function (day) {
    return this.grid.querySelector('td[data-day="' + day + '"]');
  };

  Picker.prototype.focusDay = function () {
    var cell = this.cell(this.active);
    if (cell) cell.focus();
  };

  Picker.prototype.moveTo = function (day) {
    var calendar = this.calendar;
    var parts = calendar.fromDay(day);
    if (parts.year < calendar.years[0] || parts.year > calendar.years[1]) return;
    var shown = calendar.fromDay(this.active);
    if (parts.year === shown.year && parts.month === shown.month) {
      this.cell(this.active).tabIndex = -1;
      this.active = day;
      this.cell(day).tabIndex = 0;
    } else {
      this.show(day);
    }
    this.focusDay();
  };

  // The same day in another month (or year), or that month's last day when it is shorter.
  Picker.prototype.shiftMonths = function (months) {
    var calendar = this.calendar;
    var parts = calendar.fromDay(this.active);
    var index = parts.year * 12 + parts.month - 1 + months;
    var year = Math.floor(index / 12), month = (index % 12) + 1;
    if (year < calendar.years[0] || year > calendar.years[1]) return;
    var day = Math.min(parts.day, calendar.monthLength(year, month));
    this.moveTo(calendar.toDay(year, month, day));
  };

  Picker.prototype.onClick = function (event) {
    var target = event.target.closest("button, td[data-day]");
    if (!target) return;
    if (target.hasAttribute("data-day")) {
      this.pick(+target.getAttribute("data-day"));
    } else if (target.classList.contains("date-picker-close")) {
      this.close(this.opener);
    } else if (target.classList.contains("date-picker-today")) {
      this.pick(today());
    } else {
      this.shiftMonths(+target.getAttribute("data-step"));
      var step = this.dialog.querySelector('[data-step="' + target.getAttribute("data-step") + '"]');
      if (step) step.focus();
    }
  };

  Picker.prototype.onKey = function (event) {
    var key = event.key;
    if (key === "Escape") {
      event.preventDefault();
      this.close(this.opener);
      return;
    }
    if (key === "Tab") {
      this.trapFocus(event);
      return;
    }
    if (!event.target.hasAttribute("data-day")) return;
    // On a right-to-left page the next day is to the left.
    var forward = getComputedStyle(this.grid).direction === "rtl" ? -1 : 1;
    var moves = {
      ArrowRight: forward,
      ArrowLeft: -forward,
      ArrowDown: 7,
      ArrowUp: -7,
      Home: -column(this.active),
      End: 6 - column(this.active),
    };
    if (key in moves) {
      this.moveTo(this.active + moves[key]);
    } else if (key === "PageUp" || key === "PageDown") {
      this.shiftMonths((key === "PageUp" ? -1 : 1) * (event.shiftKey ? 12 : 1));
    } else if (key === "Enter" || key === " ") {
      this.pick(this.active);
    } else {
      return;
    }
    event.preventDefault();
  };

  Picker.prototype.trapFocus = function (event) {
    var stops = Array.prototype.filter.call(
      this.dialog.querySelectorAll("button:not([disabled]), td[tabindex='0']"),
      function (element) { return element.offsetParent !== null; }
    );
    var first = stops[0], last = stops[stops.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  Picker.prototype.pick = function (day) {
    if (!this.allowed(day)) return;
    var text = this.digits(this.calendar.format(this.calendar.fromDay(day)));
    if (this.withTime) {
      // Keep a time already typed after the date ("1405/09/07 08:00").
      var rest = this.input.value.trim().split(/\s+/).slice(1).join(" ");
      if (rest) text += " " + rest;
    }
    this.input.value = text;
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
    this.close(this.input);
  };

  Picker.prototype.close = function (focusTarget) {
    if (!this.dialog) return;
    document.removeEventListener("pointerdown", this.outside);
    this.dialog.remove();
    this.dialog = null;
    this.toggle.setAttribute("aria-expanded", "false");
    if (focusTarget) focusTarget.focus();
  };

  function calendarIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "22");
    svg.setAttribute("height", "22");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    [
      ["rect", { x: "3", y: "5", width: "18", height: "16", rx: "2" }],
      ["path", { d: "M3 10h18M8 3v4M16 3v4" }],
      ["path", { d: "M7 14h2M11 14h2M15 14h2M7 17h2M11 17h2" }],
    ].forEach(function (shape) {
      var element = document.createElementNS(ns, shape[0]);
      Object.keys(shape[1]).forEach(function (name) { element.setAttribute(name, shape[1][name]); });
      svg.appendChild(element);
    });
    return svg;
  }

  function enhance(root) {
    if (!WORDS) return;
    var inputs = root.querySelectorAll ? root.querySelectorAll("input[data-date-picker]") : [];
    Array.prototype.forEach.call(inputs, function (input) {
      if (input.datePicker) return;
      try {
        input.datePicker = new Picker(input);
      } catch (error) {
        // A box the picker cannot read stays a plain text box.
        if (window.console) console.error(error);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  // htmx swaps the closures section in place; its new date box gets a calendar too.
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });

  // For the browser tests: the calendars' arithmetic, in days since 1 January 1970.
  window.jalaliPicker = { jalali: JALALI, gregorian: GREGORIAN, readDay: readDay };
})();
