// Runs first in <body>, before it is drawn: GOV.UK Frontend's styles for enhanced components
// apply only when the page says JavaScript (and ES modules) can run. A file rather than an
// inline script, so that the Content-Security-Policy allows no inline scripts at all.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
