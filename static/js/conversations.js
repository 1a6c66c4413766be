/* Live threads, without inline script or eval (CSP-friendly).
 *
 * - The poller (#thread-poller, hx-trigger="every 2s, threadresume") asks for
 *   nothing while the tab is hidden, and asks at once when it is shown again.
 * - A reply that arrives twice (a poll racing the reply form) is kept once.
 * - Reply times read "5 minutes ago" (the HTML has the absolute time).
 */
(function () {
  "use strict";

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.id === "thread-poller" && document.visibilityState === "hidden") {
      event.preventDefault();
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !window.htmx) {
      return;
    }
    var poller = document.getElementById("thread-poller");
    if (poller) {
      window.htmx.trigger(poller, "threadresume");
    }
  });

  // Replies carry an absolute time in the circle's zone (the server caches their
  // HTML, conversations/fragments.py); show it as "5 minutes ago", kept fresh.
  var relative = window.Intl && Intl.RelativeTimeFormat
    ? new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "auto" })
    : null;
  var STEPS = [
    ["year", 365 * 24 * 3600], ["month", 30 * 24 * 3600], ["week", 7 * 24 * 3600],
    ["day", 24 * 3600], ["hour", 3600], ["minute", 60]
  ];

  function showRelative(root) {
    if (!relative) {
      return;
    }
    root.querySelectorAll("time[data-relative]").forEach(function (time) {
      var then = Date.parse(time.getAttribute("datetime"));
      if (isNaN(then)) {
        return;
      }
      var seconds = Math.round((then - Date.now()) / 1000);
      var text = "just now";
      for (var i = 0; i < STEPS.length; i++) {
        if (Math.abs(seconds) >= STEPS[i][1]) {
          text = relative.format(Math.round(seconds / STEPS[i][1]), STEPS[i][0]);
          break;
        }
      }
      time.textContent = text;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showRelative(document);
    window.setInterval(function () { showRelative(document); }, 60 * 1000);
  });

  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.querySelectorAll) {
      showRelative(elt);
    }
    if (!elt || !elt.id || !/^reply-\d+$/.test(elt.id)) {
      return;
    }
    if (document.querySelectorAll('[id="' + elt.id + '"]').length > 1) {
      elt.remove();
    }
  });
})();
