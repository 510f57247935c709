// GOV.UK Frontend's components (an ES module, so only browsers that can run it do).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
