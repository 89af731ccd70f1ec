// The case page's decision helpers (issue 20, items 5 and 8). Kept apart from app.js.
(function () {
  "use strict";

  // A refused form: its error summary is shown and focused, and the address bar shows the
  // case (the page was rendered in answer to a POST, not redirected elsewhere).
  var head = document.getElementById("case-head");
  if (head && head.hasAttribute("data-refused")) {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
    var url = head.getAttribute("data-case-url");
    if (url && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", url);
    }
  }

  // After a decline (its flash is neutral, not green) the focus goes to "Next session",
  // as app.js does after an approval.
  var next = document.getElementById("next-session");
  var info = document.querySelector("main > .flash-info");
  if (next && info && /^Session (declined|marked for review|expired)\./.test(info.textContent.trim())) {
    next.focus();
  }

  // Shift+Enter in a decision form decides and opens the next case of the queue.
  document.querySelectorAll("form[data-decision-form]").forEach(function (form) {
    form.addEventListener(
      "keydown",
      function (event) {
        if (event.key !== "Enter" || !event.shiftKey) {
          return;
        }
        var next = form.querySelector("[data-then-next]");
        if (!next) {
          return;
        }
        event.preventDefault();
        event.stopPropagation();
        if (form.reportValidity()) {
          form.requestSubmit(next);
        }
      },
      true
    );
  });
})();
