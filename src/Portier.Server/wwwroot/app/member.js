// The Portier member app: sign in with an emailed code; the home shows message cards, the doors I can
// open now (tap to unlock, with the phone's location) and those not available right now with why, my QR
// code and, when permitted, my visitors. Installable: the service worker (sw.js) keeps the page and my
// QR code so the app opens, and shows the code, without a network.
(() => {
  "use strict";
  const storeKey = "portier.member";
  // The service worker's cache of my QR code (sw.js), emptied when I sign out.
  const qrCache = "portier-app-qr";
  const reasons = JSON.parse(document.getElementById("reason-text").textContent);
  const labels = JSON.parse(document.getElementById("labels").textContent);
  const $ = id => document.getElementById(id);
  let session = JSON.parse(localStorage.getItem(storeKey) || "null");
  let pendingEmail = null;
  let qrUrl = null;
  // The site's app lock (minutes without use, null = off), from /app/me, and the last tap or key press.
  let lockMinutes = null;
  let lastUse = Date.now();
  // The site's time zone, from /app/me: every time is shown on the site's clock, as the console shows it.
  let timeZone = "UTC";
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  // "7 Dec 2026" and "7 Dec 2026, 14:05": day, month name and year (no order to mistake) and the 24-hour clock.
  const siteClock = (iso, withTime) => {
    const parts = {};
    new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(iso)).forEach(p => { parts[p.type] = p.value; });
    const date = parts.day + " " + months[Number(parts.month) - 1] + " " + parts.year;
    return withTime ? date + ", " + parts.hour + ":" + parts.minute : date;
  };

  const show = step => ["step-email", "step-code", "step-doors"].forEach(s => { $(s).hidden = s !== step; });
  const notice = (text, kind) => {
    const box = $("notice");
    box.textContent = text;
    box.className = "notice" + (kind ? " " + kind : "");
    box.hidden = !text;
  };
  const element = (tag, className, text) => {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };

  async function call(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (session) headers["Authorization"] = "Bearer " + session.token;
    const response = await fetch("/api/v1" + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    // The site's app lock: the server refuses an idle session until a new code is verified.
    if (response.status === 401 && data && data.code === "app_locked") { await locked(); throw new Error("app_locked"); }
    // The service worker marks an answer it served from the phone's saved copy (offline).
    return { ok: response.ok, status: response.status, data, saved: response.headers.get("X-Portier-Saved") === "1" };
  }

  function sentence(code, fallback) {
    return (code && reasons[code]) || fallback || "That did not work. Please try again.";
  }

  async function loadSites() {
    const result = await call("GET", "/app/sites");
    const sites = result.ok ? result.data : [];
    const select = $("site");
    select.innerHTML = "";
    for (const site of sites) {
      const option = element("option", null, site.name);
      option.value = site.id;
      select.appendChild(option);
    }
    const wanted = new URLSearchParams(location.search).get("site");
    if (wanted) select.value = wanted;
    $("site-choice").hidden = sites.length < 2;
  }

  async function requestCode(siteId, email) {
    const result = await call("POST", "/app/sign-in", { siteId, email });
    if (!result.ok) { notice(sentence(result.data && result.data.code, result.data && result.data.detail), "denied"); return false; }
    pendingEmail = { siteId, email };
    return true;
  }

  async function sendCode() {
    const email = $("email").value.trim();
    const siteId = $("site").value;
    if (!email || !siteId) { notice("Enter your email address.", "denied"); return; }
    if (!await requestCode(siteId, email)) return;
    $("code-hint").textContent = "If " + email + " is on file, a 6-digit code is on its way. Enter it here.";
    notice("");
    show("step-code");
    $("code").focus();
  }

  async function locked() {
    const previous = session;
    session = null;
    localStorage.removeItem(storeKey);
    $("sign-out").hidden = true;
    if (!previous || !previous.email) { show("step-email"); return; }
    await requestCode(previous.siteId, previous.email);
    $("code-hint").textContent = "The app locked itself after a while without use. We emailed a new 6-digit code to " + previous.email + ".";
    $("code").value = "";
    show("step-code");
  }

  async function verify() {
    const result = await call("POST", "/app/verify", { ...pendingEmail, code: $("code").value.trim() });
    if (!result.ok) { notice("The code is wrong or has expired.", "denied"); return; }
    session = { token: result.data.token, name: result.data.name, expiresAt: result.data.expiresAt, ...pendingEmail };
    localStorage.setItem(storeKey, JSON.stringify(session));
    notice("");
    await showHome();
  }

  async function showHome() {
    let me;
    try {
      me = await call("GET", "/app/me");
    } catch (e) {
      // No network (a fetch that fails outright): the home from what the phone kept.
      if (e instanceof TypeError) { await showOffline(); return; }
      throw e;
    }
    if (me.status === 401) { signOut(); return; }
    lockMinutes = me.ok ? me.data.appLockMinutes : null;
    if (me.ok && me.data.timeZone) timeZone = me.data.timeZone;
    $("zone-note").textContent = "Times in " + timeZone;
    showGreeting();
    $("offline-doors").hidden = true;
    await Promise.all([showMessages(), showDoors(), showQualifications(), showQr(), showInvites(me.ok && me.data.permissions.includes("invites:create_own"))]);
  }

  function showGreeting() {
    $("greeting").textContent = "Hello, " + session.name + ".";
    $("sign-out").hidden = false;
    show("step-doors");
  }

  // Offline: doors cannot be opened (every tap is decided by the server), but my saved QR code still works at a reader.
  async function showOffline() {
    showGreeting();
    for (const id of ["messages", "doors", "unavailable-doors", "qualifications"]) $(id).innerHTML = "";
    $("offline-doors").hidden = false;
    $("no-doors").hidden = true;
    $("unavailable").hidden = true;
    $("no-qualifications").hidden = true;
    try {
      await showQr();
    } catch {
      $("qr-image").hidden = true;
      $("qr-saved").hidden = true;
      $("qr-text").textContent = "Your code is not saved on this phone yet: open the app once while online.";
    }
  }

  async function showMessages() {
    const result = await call("GET", "/app/messages");
    const list = $("messages");
    list.innerHTML = "";
    for (const message of result.ok ? result.data : []) {
      const card = element("div", "message-card " + message.kind);
      card.dataset.message = message.id;
      card.append(element("div", "title", message.title));
      if (message.body) card.append(element("div", "body", message.body));
      list.appendChild(card);
    }
  }

  // Doors a tap would open now, and below them the doors refused now for a reason I can act on or wait out, with why.
  async function showDoors() {
    const result = await call("GET", "/app/doors");
    const doors = result.ok ? result.data : [];
    const offered = doors.filter(d => d.canOpenNow !== false);
    const unavailable = doors.filter(d => d.canOpenNow === false);
    $("doors").replaceChildren(...offered.map(door => doorCard(door, true)));
    $("unavailable-doors").replaceChildren(...unavailable.map(door => doorCard(door, false)));
    $("no-doors").hidden = offered.length > 0;
    $("unavailable").hidden = unavailable.length === 0;
  }

  function doorCard(door, offered) {
    const card = element("div", offered ? "door-card" : "door-card unavailable");
    card.dataset.door = door.id;
    const text = element("div");
    const name = element("div", null, door.name);
    name.style.fontWeight = "600";
    text.append(name, element("div", "zone", [door.locationLabel, door.zoneName].filter(Boolean).join(" · ")));
    // An offered door may still carry a note (a two-person door: a tap waits for a second person).
    if (door.reason) {
      const why = element("div", "why", door.why || sentence(door.reason));
      why.dataset.reason = door.reason;
      text.append(why);
    }
    card.append(text);
    if (offered) {
      const button = element("button", null, "Unlock");
      button.type = "button";
      button.addEventListener("click", () => unlock(door, card, button));
      card.append(button);
    }
    return card;
  }

  // My trainings: each with when it expires, so a member renews before a door starts refusing them.
  async function showQualifications() {
    const result = await call("GET", "/app/qualifications");
    const list = $("qualifications");
    list.innerHTML = "";
    const held = result.ok ? result.data : [];
    for (const q of held) {
      const row = element("div", "qualification-row " + q.state);
      row.dataset.qualification = q.qualificationId;
      const until = q.expiresAt ? siteClock(q.expiresAt, false) : null;
      const state = q.state === "expired" ? "expired " + until : until ? (q.state === "expiring_soon" ? "expires soon: " : "valid until ") + until : "does not expire";
      row.append(element("span", null, q.name), element("span", "state", state));
      list.appendChild(row);
    }
    $("no-qualifications").hidden = held.length > 0;
  }

  async function showQr() {
    const result = await call("GET", "/app/qr");
    const image = $("qr-image");
    $("qr-saved").hidden = !result.saved;
    if (!result.ok) {
      image.hidden = true;
      $("qr-text").textContent = sentence(null, result.data && result.data.detail);
      return;
    }
    // The image needs the session's bearer token, so it is fetched and shown from memory.
    const png = await fetch("/api/v1/app/qr.png", { headers: { "Authorization": "Bearer " + session.token } });
    if (qrUrl) URL.revokeObjectURL(qrUrl);
    qrUrl = URL.createObjectURL(await png.blob());
    image.src = qrUrl;
    image.hidden = false;
    $("qr-text").textContent = (result.data.label ? result.data.label + " · " : "") + result.data.value;
  }

  async function showInvites(permitted) {
    $("invites").hidden = !permitted;
    if (!permitted) return;
    const [types, invites] = await Promise.all([call("GET", "/app/invite-types"), call("GET", "/app/invites?pageSize=20")]);
    const select = $("invite-type");
    select.innerHTML = "";
    for (const type of types.ok ? types.data : []) {
      const option = element("option", null, type.name);
      option.value = type.id;
      select.appendChild(option);
    }
    const list = $("invite-list");
    list.innerHTML = "";
    const items = invites.ok ? invites.data.items : [];
    if (items.length === 0) list.append(element("p", "hint", "You have not invited anyone yet."));
    for (const invite of items) {
      const row = element("div", "invite-row");
      row.append(element("span", null, invite.visitor.name + " · " + siteClock(invite.validFrom, true)),
        element("span", null, labels.inviteStatus[invite.status] || invite.status));
      list.appendChild(row);
    }
  }

  async function createInvite() {
    const visitorName = $("visitor-name").value.trim();
    const visitorEmail = $("visitor-email").value.trim() || null;
    if (!visitorName) { notice("Enter your visitor's name.", "denied"); return; }
    const result = await call("POST", "/app/invites",
      { entryTypeId: $("invite-type").value, visitorName, visitorEmail, issueCredential: true, sendNotification: !!visitorEmail });
    if (!result.ok) { notice(sentence(null, result.data && result.data.detail), "denied"); return; }
    const issued = result.data.issued;
    const pin = issued && !issued.emailed && issued.pin ? " Their PIN is " + issued.pin + " (shown once)." : "";
    notice("Invited " + visitorName + " (" + result.data.invite.reference + ")." + pin, "granted");
    $("visitor-name").value = "";
    $("visitor-email").value = "";
    await showInvites(true);
  }

  // A fresh reading for every tap: the server judges where the phone is now, not a minute ago.
  function position() {
    return new Promise(resolve => {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(
        p => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracyMeters: p.coords.accuracy }),
        () => resolve(null),
        { enableHighAccuracy: true, timeout: 8000, maximumAge: 0 });
    });
  }

  // The answer of a tap, inside the tapped door's card (a tap clears the previous one), and for screen readers.
  function answer(card, text, kind) {
    let box = card.querySelector(".door-result");
    if (!box) { box = element("div", "door-result"); card.append(box); }
    box.textContent = text;
    box.className = "door-result" + (kind ? " " + kind : "");
    box.hidden = !text;
    $("door-status").textContent = text;
  }

  // The answer is { allowed, reason, outcome }: a refusal names its reason code, an allowed unlock
  // reports whether the door confirmed (confirmed_unlocked) or not (timed_out).
  async function unlock(door, card, button) {
    button.disabled = true;
    notice("");
    answer(card, "Unlocking " + door.name + "…");
    try {
      const location = await position();
      const result = await call("POST", "/doors/" + door.id + "/unlock", { location });
      const data = result.data || {};
      if (result.ok && data.allowed && data.outcome === "timed_out") {
        answer(card, sentence("timed_out"), "denied");
      } else if (result.ok && data.allowed) {
        answer(card, door.name + " is unlocked.", "granted");
      } else if (result.status === 401) {
        signOut();
      } else if (result.status === 404) {
        answer(card, "This door is no longer available to you.", "denied");
      } else if (result.ok && data.detail) {
        // A qualification refusal names the training the door needs.
        answer(card, data.detail, "denied");
      } else {
        answer(card, sentence(data.reason || data.code, data.detail), "denied");
      }
    } catch (e) {
      if (e.message === "app_locked") answer(card, "");
      else answer(card, e instanceof TypeError ? "You are offline: the door can be opened once your phone is back online." : sentence(null), "denied");
    } finally {
      button.disabled = false;
    }
  }

  function signOut() {
    session = null;
    localStorage.removeItem(storeKey);
    // My saved code must not outlive my session on this phone.
    if (window.caches) caches.delete(qrCache);
    if (qrUrl) { URL.revokeObjectURL(qrUrl); qrUrl = null; }
    $("qr-image").hidden = true;
    $("qr-image").removeAttribute("src");
    $("sign-out").hidden = true;
    notice("");
    show("step-email");
  }

  const guarded = action => () => action().catch(e => { if (e.message !== "app_locked") notice(sentence(null), "denied"); });

  // The app lock on the phone as well: once the site's idle minutes pass without a tap or key press,
  // the app asks for a new code at once instead of showing the home until the server refuses a request.
  const idle = () => session && lockMinutes && Date.now() - lastUse >= lockMinutes * 60000;
  for (const type of ["pointerdown", "keydown", "touchstart"]) document.addEventListener(type, () => { lastUse = Date.now(); }, { capture: true, passive: true });
  setInterval(() => { if (idle()) guarded(locked)(); }, 5000);

  $("send-code").addEventListener("click", guarded(sendCode));
  $("verify").addEventListener("click", guarded(verify));
  $("back").addEventListener("click", () => show("step-email"));
  $("sign-out").addEventListener("click", signOut);
  $("create-invite").addEventListener("click", guarded(createInvite));
  $("email").addEventListener("keydown", e => { if (e.key === "Enter") guarded(sendCode)(); });
  $("code").addEventListener("keydown", e => { if (e.key === "Enter") guarded(verify)(); });
  // Coming back to the app refreshes the home (the server applies the app lock too), unless it is already idle too long.
  document.addEventListener("visibilitychange", () => { if (!document.hidden && session) guarded(idle() ? locked : showHome)(); });

  // Back online: the home from the server again.
  window.addEventListener("online", () => { if (session && !idle()) guarded(showHome)(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/app/sw.js", { scope: "/app" }).catch(() => { /* the app works without it, only not offline */ });
    // The first time the worker takes over, fetch my code again through it, so it is saved for offline use.
    navigator.serviceWorker.addEventListener("controllerchange", () => { if (session && navigator.onLine) showQr().catch(() => { }); });
  }

  guarded(async () => {
    // Offline the facility list cannot load; a signed-in member still gets the home from what the phone kept.
    try { await loadSites(); } catch (e) { if (!(e instanceof TypeError)) throw e; }
    if (session) await showHome(); else show("step-email");
  })();
})();
