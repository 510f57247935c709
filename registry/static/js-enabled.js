// Loaded at the top of <body> (not inline, for the Content-Security-Policy): lets GOV.UK Frontend's CSS show
// the JavaScript-only parts of components, and only where its modules can run.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
