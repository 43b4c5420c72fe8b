// The check-in page's counts, kept current without a reload: every ten seconds, while the page
// is in view, ask the exchange's counts (JSON, the same access as the page) and write them into
// the page's status line. The page works without this script; a failed request changes nothing.
(function () {
  "use strict";
  var status = document.querySelector("[data-check-in-counts]");
  if (!status || !window.fetch) {
    return;
  }
  var url = status.getAttribute("data-check-in-counts");
  var number = status.querySelector("[data-checked-in]");
  // The words after the number ("of 500 participants checked in") are the text that follows it.
  var label = number && number.nextSibling;
  var INTERVAL_MS = 10000;

  function show(counts) {
    // Only on a change: the line is a live region, and screen readers announce each change.
    if (number && number.textContent !== counts.checked_in_text) {
      number.textContent = counts.checked_in_text;
    }
    if (label && label.textContent !== " " + counts.label) {
      label.textContent = " " + counts.label;
    }
  }

  function refresh() {
    if (document.visibilityState === "hidden") {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (counts) {
        if (counts) {
          show(counts);
        }
      })
      .catch(function () {
        // Offline or the server busy: the counts stay as they were until the next try.
      });
  }

  window.setInterval(refresh, INTERVAL_MS);
  document.addEventListener("visibilitychange", refresh);
})();
