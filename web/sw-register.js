// Registers the offline cache (sw.js). Not where service workers are unavailable or refused (file://,
// a sandboxed iframe without same-origin, private modes): the page then simply needs the network.
'use strict';
(function () {
  try {
    if (!('serviceWorker' in navigator) || location.protocol === 'file:') return;
    window.attnlabOffline = navigator.serviceWorker.register('sw.js')
      .then(() => navigator.serviceWorker.ready).then(() => true).catch(() => false);
  } catch (e) { /* SecurityError in an opaque-origin frame */ }
})();
