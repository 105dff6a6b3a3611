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

// "Choose all on this page": a box in the table's header ticks or clears every row's box of
// the same name. Hidden until this script shows it: without scripts, rows are ticked one by
// one and the page works the same.
document.querySelectorAll("input[data-select-all]").forEach(function (all) {
  var form = all.form;
  var name = all.getAttribute("data-select-all");
  if (!form) {
    return;
  }
  function rows() {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.type === "checkbox" && element.name === name;
    });
  }
  function reflect() {
    var ticked = rows().filter(function (box) { return box.checked; }).length;
    all.checked = ticked > 0 && ticked === rows().length;
    all.indeterminate = ticked > 0 && ticked < rows().length;
  }
  all.hidden = false;
  all.addEventListener("change", function () {
    rows().forEach(function (box) { box.checked = all.checked; });
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === name) {
      reflect();
    }
  });
  reflect();
});

// A list's filters start folded on a phone, where they would push the results a screen down.
// The page sends them open: without this script, or on a wider screen, they are simply shown.
if (window.matchMedia && window.matchMedia("(max-width: 575.98px)").matches) {
  document.querySelectorAll("details[data-fold-on-phone]").forEach(function (details) {
    details.open = false;
  });
}

// A wide table scrolls inside its box: the box gets a shadow on each side that has more to
// scroll to (talentday.css), so that a phone shows there are more columns. Without scripts
// the table scrolls the same, without the shadow.
document.querySelectorAll(".table-responsive").forEach(function (box) {
  function reflect() {
    var more = box.scrollWidth - box.clientWidth;
    box.classList.toggle("scrolls-start", more > 1 && box.scrollLeft > 1);
    box.classList.toggle("scrolls-end", more > 1 && box.scrollLeft < more - 1);
  }
  box.addEventListener("scroll", reflect, { passive: true });
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(reflect);
    observer.observe(box);
    if (box.firstElementChild) {
      observer.observe(box.firstElementChild);
    }
  }
  reflect();
});

// The check-in page's own scanner, where the browser can read a QR code from the camera
// (BarcodeDetector): a code of this event opens its check-in page. Elsewhere the page says to
// use the phone's camera app or the name field.
document.querySelectorAll("[data-scanner]").forEach(function (scanner) {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  var video = scanner.querySelector("[data-scanner-video]");
  var status = scanner.querySelector("[data-scanner-status]");
  var start = scanner.querySelector("[data-scanner-start]");
  var stop = scanner.querySelector("[data-scanner-stop]");
  var stream = null;
  var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  scanner.hidden = false;
  document.querySelectorAll("[data-scanner-missing]").forEach(function (note) {
    note.hidden = true;
  });
  function halt() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    stop.hidden = true;
    start.hidden = false;
  }
  function look() {
    if (!stream) return;
    detector.detect(video).then(function (codes) {
      var found = codes.map(function (code) { return code.rawValue; });
      // The path only: the code names the site's public address, this page may be on another.
      var ours = found.map(function (value) {
        try { return new URL(value).pathname; } catch (error) { return ""; }
      }).filter(function (path) { return path.indexOf(scanner.dataset.prefix) === 0; });
      if (ours.length) {
        halt();
        window.location.assign(ours[0]);
        return;
      }
      if (found.length) status.textContent = scanner.dataset.wrong;
      window.setTimeout(look, 300);
    }).catch(function () { window.setTimeout(look, 500); });
  }
  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        stop.hidden = false;
        start.hidden = true;
        return video.play();
      })
      .then(look)
      .catch(function (error) { status.textContent = error.message; halt(); });
  });
  stop.addEventListener("click", halt);
});
