// Starts GOV.UK Frontend's components (a module: browsers without module support keep the
// no-JavaScript page, which works fully).
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
