// The member app's service worker (scope /app): keeps the app's page and what it loads so the app opens
// without a network, and keeps the member's QR code for when the phone is offline. Everything else the app
// asks the API goes to the network and is never stored: sign-in, unlocks, doors, messages.
"use strict";

// Raise the version when the way things are cached changes; activation removes every older shell cache.
const version = "v1";
const shellCache = "portier-app-shell-" + version;
// The member's saved QR code; the app empties it at sign-out.
const qrCache = "portier-app-qr";
const shellPaths = ["/app", "/app/member.js", "/app/manifest.webmanifest", "/app/icons/icon-192.png",
  "/app/icons/icon-512.png", "/app/icons/icon-maskable-512.png", "/app/icons/apple-touch-icon-180.png"];
const qrPaths = ["/api/v1/app/qr", "/api/v1/app/qr.png"];
// Marks an answer served from the saved copy, so the app can say it is showing the saved code.
const savedHeader = "X-Portier-Saved";

self.addEventListener("install", event => {
  event.waitUntil((async () => {
    const cache = await caches.open(shellCache);
    await cache.addAll(shellPaths);
    // The page's stylesheets and scripts carry content hashes in their names: read them from the page itself.
    const page = await (await cache.match("/app")).text();
    const assets = [...page.matchAll(/<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"/g)]
      .map(m => new URL(m[1], self.location.origin))
      .filter(url => url.origin === self.location.origin && !shellPaths.includes(url.pathname))
      .map(url => url.pathname + url.search);
    await cache.addAll([...new Set(assets)]);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", event => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter(n => n.startsWith("portier-app-shell-") && n !== shellCache).map(n => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener("fetch", event => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (qrPaths.includes(url.pathname)) { event.respondWith(qrCode(request, url.pathname)); return; }
  if (url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && url.pathname === "/app") { event.respondWith(networkFirst(request, "/app")); return; }
  event.respondWith(networkFirst(request, url.pathname + url.search));
});

// The network's answer when there is one (and the shell's copy refreshed with it), else the saved copy.
async function networkFirst(request, key) {
  const cache = await caches.open(shellCache);
  try {
    const response = await fetch(request);
    if (response.ok && await cache.match(key)) await cache.put(key, response.clone());
    return response;
  } catch (offline) {
    const saved = await cache.match(key);
    if (saved) return saved;
    throw offline;
  }
}

// The member's code from the network, saved for later; offline, the saved one, marked as such.
async function qrCode(request, key) {
  const cache = await caches.open(qrCache);
  let response;
  try {
    response = await fetch(request);
  } catch (offline) {
    const saved = await cache.match(key);
    if (!saved) throw offline;
    const headers = new Headers(saved.headers);
    headers.set(savedHeader, "1");
    return new Response(await saved.blob(), { status: saved.status, statusText: saved.statusText, headers });
  }
  // A code that is no longer there (revoked, signed out) must not come back offline.
  if (response.ok) await cache.put(key, response.clone());
  else await cache.delete(key);
  return response;
}
