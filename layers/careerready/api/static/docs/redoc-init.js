// Starts ReDoc from the bundle served by the API itself (no CDN, no inline script, no web fonts).
"use strict";
(function () {
  const root = document.getElementById("redoc");
  window.Redoc.init(root.dataset.openapi, { hideDownloadButton: false, disableSearch: false }, root);
})();
