/* Meetings: small progressive enhancements, no inline script (CSP-friendly).
 *
 * - "Copy the address" buttons (data-copy-target="<input id>") appear only
 *   where JavaScript runs and copy the calendar feed URL.
 * - After an htmx swap of the agenda, focus returns to the topic form's title
 *   when a topic was just proposed, so the next one can be typed at once.
 */
(function () {
  "use strict";

  function enableCopyButtons(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var input = document.getElementById(button.getAttribute("data-copy-target"));
      if (!input || !navigator.clipboard) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(input.value).then(function () {
          // The page says "Copied" in its own language (data-copied), as it says everything else.
          button.textContent = button.getAttribute("data-copied") || "Copied";
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enableCopyButtons(document);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var elt = event.detail && event.detail.elt;
    var source = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    if (elt && elt.id === "agenda" && source && source.classList.contains("topic-form")) {
      var title = document.getElementById("id_title");
      if (title) {
        title.focus();
      }
    }
  });
})();
