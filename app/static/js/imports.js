// An import's progress bar: polls the job's JSON and reloads the page once it has finished.
// Without JavaScript the page offers a "check again" link (no timed refresh: WCAG 2.2.1).
(function () {
  "use strict";
  var box = document.getElementById("import-running");
  if (!box) return;
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
          return;
        }
        if (state.total) bar.max = state.total;
        bar.value = state.processed;
        text.textContent = state.processed + " of " + (state.total === null ? "?" : state.total) + " rows";
      })
      .catch(function () { /* the next poll, or the page's own refresh, tries again */ })
      .then(function () { window.setTimeout(poll, 1000); });
  }
  window.setTimeout(poll, 500);
})();
