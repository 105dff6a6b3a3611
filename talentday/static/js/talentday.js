// Behaviour that would otherwise sit in inline handlers, which the Content-Security-Policy
// forbids: a button with data-print prints the page.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    window.print();
  }
});
