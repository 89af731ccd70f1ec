// Session Desk: progressive enhancements only. Every form works without this file.
(function () {
  "use strict";

  // Forms marked data-confirm ask before they submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
