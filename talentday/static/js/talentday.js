// Behaviour that would otherwise sit in inline handlers, which the Content-Security-Policy
// forbids: a button with data-print prints the page.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});

// GOV.UK's error summary: a page sent back with mistakes puts the focus on the summary at its
// top, so that a screen reader reads it first and the keyboard starts from its links.
(function () {
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
})();
