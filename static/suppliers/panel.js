/* The supplier panel answers a refused form with 400/403/409 and the panel with its errors:
   htmx leaves 4xx answers unswapped unless told, so swap those into #supplier-panel. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var elt = event.detail.elt;
    if ((status === 400 || status === 403 || status === 409) && elt.closest && elt.closest("#supplier-panel")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
