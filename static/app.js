// Session Desk: progressive enhancements only. Every form and link works without this
// file; it adds keyboard shortcuts (unless turned off in /account), confirmations and copy
// buttons. The document viewer is static/viewer.js.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  // Forms marked data-confirm ask before they submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  // "Print case file": every folded section opens for the printout and folds back after.
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  var reopen = [];
  window.addEventListener("beforeprint", function () {
    reopen = Array.prototype.filter.call(document.querySelectorAll("main details:not([open])"), function (d) {
      return !d.closest(".case-actions, .queue-tools");
    });
    reopen.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopen.forEach(function (d) { d.open = false; });
    reopen = [];
  });

  // A secret shown once gets a copy button (hidden without this file: the text is then
  // selected whole with one click).
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent;
      function done() { button.textContent = "Copied"; }
      function select() {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        button.textContent = "Selected: press Ctrl+C";
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, select);
      } else {
        select();
      }
    });
  });

  // ---- Case page: a/d/r open a decision form (never decide), n next, ? help, Esc closes.
  var actions = document.getElementById("case-actions");
  var help = document.getElementById("shortcut-help");
  function closePanels() {
    document.querySelectorAll("details.action[open]").forEach(function (d) {
      d.open = false;
      // Focus must not stay in the hidden form, or the next shortcut counts as typing.
      var summary = d.querySelector("summary");
      if (summary && d.contains(document.activeElement)) summary.focus();
    });
  }
  function openPanel(panel) {
    closePanels();
    panel.open = true;
    var field = panel.querySelector("select, input:not([type=hidden]), button[type=submit]");
    if (field) field.focus();
  }
  var helpOpener = null;
  function toggleHelp(show) {
    if (!help || help.hidden === !show) return;
    if (show) helpOpener = document.activeElement;
    help.hidden = !show;
    if (show) {
      var close = help.querySelector("[data-help-close]");
      if (close) close.focus();
    } else if (helpOpener && document.contains(helpOpener)) {
      // Focus goes back where it was when the dialog opened.
      helpOpener.focus();
      helpOpener = null;
    }
  }
  if (help) {
    // Tab and Shift+Tab cycle inside the open dialog.
    help.addEventListener("keydown", function (event) {
      if (event.key !== "Tab") return;
      var focusable = Array.prototype.filter.call(
        help.querySelectorAll("a[href], button:not([disabled]), input, select, textarea, [tabindex]:not([tabindex='-1'])"),
        function (el) { return el.offsetParent !== null; });
      if (!focusable.length) { event.preventDefault(); return; }
      var first = focusable[0];
      var last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
      else if (!help.contains(document.activeElement)) { event.preventDefault(); first.focus(); }
    });
    help.addEventListener("click", function (event) {
      if (event.target === help || event.target.closest("[data-help-close]")) toggleHelp(false);
    });
    var helpButton = document.querySelector("[data-help]");
    if (helpButton) helpButton.addEventListener("click", function () { toggleHelp(true); });
  }
  document.querySelectorAll("details.action").forEach(function (panel) {
    panel.addEventListener("toggle", function () {
      if (panel.open) {
        document.querySelectorAll("details.action[open]").forEach(function (other) {
          if (other !== panel) other.open = false;
        });
      }
    });
    // Enter confirms from a select too (it would not submit on its own).
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.tagName === "SELECT") {
        event.preventDefault();
        var form = event.target.form;
        if (form) form.requestSubmit();
      }
    });
  });

  // ---- Queue: j/k move between rows, Enter opens, the whole row is a link.
  var queue = document.getElementById("queue");
  var rows = queue ? Array.prototype.slice.call(queue.querySelectorAll("tbody tr")) : [];
  var selected = -1;
  function select(i) {
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach(function (r, n) { r.classList.toggle("selected", n === selected); });
    var link = rows[selected].querySelector("a.row-link");
    if (link) link.focus();
  }
  rows.forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, button, input, select, label")) return;
      var link = row.querySelector("a.row-link");
      if (link) window.location.href = link.href;
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      closePanels();
      toggleHelp(false);
      return;
    }
    if (typing(event.target)) return;
    // Single-key shortcuts can be turned off in /account (WCAG 2.1.4).
    if (document.body.getAttribute("data-shortcuts") === "off") return;
    if (rows.length && (event.key === "j" || event.key === "k")) {
      event.preventDefault();
      select(selected + (event.key === "j" ? 1 : -1));
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      toggleHelp(help ? help.hidden : false);
      return;
    }
    // On the queue, n pulls the next waiting case nobody is reviewing.
    var pull = document.getElementById("start-reviewing");
    if (pull && !actions && event.key === "n") {
      event.preventDefault();
      pull.submit();
      return;
    }
    if (!actions) return;
    var target = actions.querySelector('[data-shortcut="' + event.key + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "DETAILS") openPanel(target);
    else if (target.tagName === "A") window.location.href = target.href;
  });

  // ---- Queue: ticked rows for the bulk bar. Shift-click ticks the range from the last
  // box clicked; once the whole page is ticked, "Select all N matching" is offered.
  var bulk = document.getElementById("bulk");
  if (bulk && queue) {
    var boxes = Array.prototype.slice.call(queue.querySelectorAll("input.row-select"));
    var pageBox = document.getElementById("select-page");
    var allBox = bulk.querySelector("input[name=all]");
    var allLabel = bulk.querySelector("[data-bulk-all]");
    var count = bulk.querySelector("[data-bulk-count]");
    var last = -1;
    var refresh = function () {
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      var full = ticked > 0 && ticked === boxes.length;
      if (pageBox) {
        pageBox.checked = full;
        pageBox.indeterminate = ticked > 0 && !full;
      }
      if (allLabel) {
        allLabel.hidden = !full;
        if (!full) allBox.checked = false;
      }
      bulk.classList.toggle("bulk-active", ticked > 0);
      if (!count) return;
      if (allBox && allBox.checked) {
        var n = allBox.getAttribute("data-count");
        count.textContent = n ? "All " + n + " matching selected" : "All matching selected";
      } else {
        count.textContent = ticked ? ticked + " selected" : "Tick sessions to change several at once.";
      }
    };
    boxes.forEach(function (box, i) {
      box.addEventListener("click", function (event) {
        if (event.shiftKey && last >= 0 && last !== i) {
          var lo = Math.min(last, i), hi = Math.max(last, i);
          for (var k = lo; k <= hi; k++) boxes[k].checked = box.checked;
        }
        last = i;
        refresh();
      });
    });
    if (pageBox) {
      pageBox.hidden = false;
      pageBox.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = pageBox.checked; });
        refresh();
      });
    }
    if (allBox) allBox.addEventListener("change", refresh);
    // Enter in the note field adds the note (not the bar's first action).
    var noteField = bulk.querySelector("input[name=note]");
    var noteButton = bulk.querySelector("button[value=note]");
    if (noteField && noteButton) {
      noteField.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          noteButton.click();
        }
      });
    }
    refresh();
  }

  // ---- A bulk change's result page: the bar follows the background work, and the page
  // reloads with the outcome once it is done.
  var progress = document.querySelector("[data-bulk-progress]");
  if (progress && window.fetch) {
    var bar = progress.querySelector("progress");
    var barLabel = progress.querySelector("label");
    var poll = function () {
      fetch(progress.getAttribute("data-bulk-progress"), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          if (p.finished) {
            window.location.reload();
            return;
          }
          if (p.total !== null && bar) {
            bar.max = p.total;
            bar.value = p.done;
            if (barLabel) barLabel.textContent = p.done + " of " + p.total + " sessions settled";
          }
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 1000);
  }

  // After a decision the reviewer's next move is the next session.
  var next = document.getElementById("next-session");
  var flash = document.querySelector(".flash-success");
  if (next && flash) next.focus();
})();
