// Offline use: after one visit the page, its engine and the built-in model work without network.
// scripts/build writes VERSION (a hash of the files) and FILES (the app and the default model) into
// dist/sw.js. A new build is a new sw.js: the browser installs it when online, it caches the new
// files, takes over and deletes the old cache. Requests for the cached files are answered from the
// cache (any query string: ?embed=1); everything else goes to the network as usual.
// Of the engine's two builds (attnlab.wasm, attnlab-fma.wasm) only the one this browser loads is cached.
'use strict';
importScripts('features.js');  // attnlabWasmFile
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = 'attnlab-' + VERSION;

self.addEventListener('install', (event) => {
  const wasm = './' + attnlabWasmFile('');
  const files = FILES.filter((f) => !f.endsWith('.wasm') || f === wasm);
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(files)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('attnlab-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith(caches.open(CACHE)
    .then((c) => c.match(req, { ignoreSearch: true }))
    .then((hit) => hit || fetch(req)));
});
