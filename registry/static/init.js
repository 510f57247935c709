// GOV.UK Frontend's components (an ES module, so only browsers that can run it do).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();

// On a phone, the events list's filters start closed behind their "Filter events" button, so the results
// come first; with a problem to fix, or on a wider screen, they stay open. Without JavaScript they are open.
if (window.matchMedia("(max-width: 40.0525em)").matches) {
  document.querySelectorAll("details[data-registry-filters]:not([data-has-errors])").forEach(function (filters) {
    filters.open = false;
  });
}
