/* Relative times, on every page, without inline script (CSP-friendly).
 *
 * Pages the server keeps in its cache (circles/member_pages.py,
 * conversations/fragments.py) carry absolute times in the circle's zone:
 * <time datetime="..." data-relative>23 Nov, 07:12</time>. This shows them as
 * "5 minutes ago", keeps them fresh, and does the same for htmx swaps. The
 * absolute time stays in the title attribute.
 */
(function () {
  "use strict";

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
      // In the page's language: <html data-just-now> (base.html), like the rest of the page.
      var text = document.documentElement.getAttribute("data-just-now") || "just now";
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
  });
})();
