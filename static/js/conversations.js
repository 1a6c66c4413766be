/* Live threads, without inline script or eval (CSP-friendly).
 *
 * - The poller (#thread-poller, hx-trigger="every 2s, threadresume") asks for
 *   nothing while the tab is hidden, and asks at once when it is shown again.
 * - A reply that arrives twice (a poll racing the reply form) is kept once.
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

  document.addEventListener("htmx:load", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.id || !/^reply-\d+$/.test(elt.id)) {
      return;
    }
    if (document.querySelectorAll('[id="' + elt.id + '"]').length > 1) {
      elt.remove();
    }
  });
})();
