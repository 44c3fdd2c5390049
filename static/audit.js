/* The audit page's export: the download is an ordinary link (the browser saves the streamed
   file); while it streams, the progress fragment is polled (HTMX) and shows rows written
   against the planner's estimate, until the server says it finished. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-export-link]");
    if (!link) return;
    var box = document.getElementById("export-progress");
    if (!box) return;
    box.hidden = false;
    box.dataset.active = "1";
    setTimeout(function () { if (window.htmx) window.htmx.trigger(box, "export-started"); }, 300);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var box = event.target;
    if (box.id === "export-progress" && box.querySelector("[data-export-state=finished]")) {
      box.dataset.active = "0";
    }
  });
})();
