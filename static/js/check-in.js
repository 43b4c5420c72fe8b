// The check-in page without reloads, for a manager at the door with a phone.
//
// 1. A tap (check in, or undo) is sent with fetch: the same form, its CSRF token and the pressed
//    button, to the same address, asking for JSON. The server answers through the same view and
//    access rule as the plain form: the person's row as it now is (put in place of the old one),
//    the counts, and what happened in words, shown and announced in the page's live region. A
//    refusal (before the exchange's day) or a failed request is said in words; nothing else
//    changes. Without this script the form posts and the page reloads, as before.
// 2. Every ten seconds, while the page is in view, the counts are asked again (JSON, the same
//    access as the page), so they follow other managers' taps.
(function () {
  "use strict";
  if (!window.fetch) {
    return;
  }
  var status = document.querySelector("[data-check-in-counts]");
  var number = status && status.querySelector("[data-checked-in]");
  // The words after the number ("of 500 participants checked in") are the text that follows it.
  var label = number && number.nextSibling;
  var INTERVAL_MS = 10000;

  function showCounts(counts) {
    // Only on a change: the line is a live region, and screen readers announce each change.
    if (number && number.textContent !== counts.checked_in_text) {
      number.textContent = counts.checked_in_text;
    }
    if (label && label.textContent !== " " + counts.label) {
      label.textContent = " " + counts.label;
    }
  }

  function refresh() {
    if (!status || document.visibilityState === "hidden") {
      return;
    }
    fetch(status.getAttribute("data-check-in-counts"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (counts) {
        if (counts) {
          showCounts(counts);
        }
      })
      .catch(function () {
        // Offline or the server busy: the counts stay as they were until the next try.
      });
  }

  if (status) {
    window.setInterval(refresh, INTERVAL_MS);
    document.addEventListener("visibilitychange", refresh);
  }

  var form = document.querySelector("[data-check-in-form]");
  var announcer = document.querySelector("[data-check-in-announce]");
  if (!form || !announcer || !window.FormData) {
    return;
  }

  function announce(text, level) {
    // A new paragraph each time, so the same words said twice are announced twice.
    var message = document.createElement("p");
    message.className = "message " + level;
    message.textContent = text;
    announcer.replaceChildren(message);
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  function send(button) {
    var data = new FormData(form);
    data.append(button.name, button.value);
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        // Signed out (the login page, after a redirect), refused by the CSRF check or the
        // policy (403, 404): no JSON, and nothing was changed.
        if (response.redirected || !isJson(response)) {
          var key = response.redirected || response.status === 403 || response.status === 404
            ? "data-signed-out-text"
            : "data-error-text";
          throw { text: form.getAttribute(key) };
        }
        return response.json();
      })
      .then(function (answer) {
        var row = document.getElementById("registration-" + answer.registration);
        if (row) {
          var holder = document.createElement("ul");
          holder.innerHTML = answer.row;
          var fresh = holder.querySelector("li");
          row.replaceWith(fresh);
          // The pressed button is gone: keep the keyboard where it was, on the row's new one.
          var next = fresh.querySelector("button");
          if (next && document.activeElement === document.body) {
            next.focus();
          }
        }
        if (answer.counts) {
          showCounts(answer.counts);
        }
        announce(answer.message, answer.level);
      })
      .catch(function (error) {
        // fetch fails with a TypeError when the server cannot be reached.
        var text = error && error.text;
        if (!text) {
          text = form.getAttribute(error instanceof TypeError ? "data-offline-text" : "data-error-text");
        }
        announce(text, "error");
      })
      .then(function () {
        // The old button (still here after a failure) can be pressed again.
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    // A browser that does not say which button was pressed posts the form as it is.
    if (!button || !button.name || !button.value) {
      return;
    }
    event.preventDefault();
    send(button);
  });
})();
