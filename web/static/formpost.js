// Submits the form_post response as soon as the page loads; without JavaScript the
// page shows its Continue button instead.
document.addEventListener("DOMContentLoaded", function () { document.forms[0].submit(); });
