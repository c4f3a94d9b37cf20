// The gate page: sign in with a gate key (typed, or from the organiser's link: /gate/#key=…), scan passes
// with the rear camera, show each answer full screen with the holder's own photo when they added one.
// A scan is sent with its own Idempotency-Key and retried with that same key until the server answers,
// so a flaky connection can never admit a pass twice.
(function () {
  "use strict";

  const root = document.getElementById("gate");
  if (!root) return;
  const S = JSON.parse(document.getElementById("gate-strings").textContent);
  const lang = document.documentElement.lang === "en" ? "en" : "fa";
  const STORE = "bazaarche.gate";
  const HOLD_MS = 4000; // the camera ignores a code this long after its answer closes
  const SHOW_MS = { admitted: 2500, other: 4500 };
  const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 10000, 10000, 10000];
  const PENDING_MS = 10 * 60 * 1000; // a code whose scan got no answer reuses its key if scanned again

  const $ = (id) => document.getElementById(id);
  const el = {
    signin: $("gate-signin"), signinForm: $("gate-signin-form"), key: $("gate-key"), signinError: $("gate-signin-error"),
    scan: $("gate-scan"), who: $("gate-who"), signout: $("gate-signout"), video: $("gate-video"), status: $("gate-status"),
    count: $("gate-count"), manual: $("gate-manual"), code: $("gate-code"),
    answer: $("gate-answer"), label: $("gate-answer-label"), message: $("gate-answer-message"), photo: $("gate-answer-photo"),
    idcheck: $("gate-answer-idcheck"),
    name: $("gate-answer-name"), business: $("gate-answer-business"), booth: $("gate-answer-booth"), next: $("gate-answer-next"),
  };

  let gate = null; // {key, site, gate, site_title}
  let stream = null;
  let detector = null;
  let busy = false;
  let typed = false; // the answer on screen is for a code typed by hand
  const held = new Map(); // normalised code -> time until which the camera ignores it
  let hideTimer = null;
  let audio = null;
  const pending = new Map(); // normalised code -> {key, at}
  let shown = 0; // counts answers, so a portrait arriving late never lands on a later answer
  let photoUrl = null; // the object URL of the portrait on screen

  const fmt = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => (values[name] ?? ""));
  const digits = (text) => (lang === "fa" ? String(text).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]) : String(text));
  const normalise = (text) => String(text).toUpperCase().replace(/[^0-9A-Z]/g, "");
  const setState = (state) => { root.dataset.state = state; };
  const status = (text) => { el.status.textContent = text || ""; };

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // --- signing in ------------------------------------------------------------------------------

  function saved() {
    try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }

  async function whoami(key) {
    const response = await fetch(root.dataset.whoami, { headers: { Authorization: "Token " + key }, cache: "no-store" });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  // The site's admissions today, from the server (every answer carries it): the same on every gate.
  function showCount(n) {
    if (typeof n !== "number") return;
    el.count.textContent = fmt(S.admitted_today, { n: digits(n) });
    el.count.hidden = false;
  }

  function showSignin(message) {
    stopCamera();
    el.scan.hidden = true;
    el.signin.hidden = false;
    el.signinError.hidden = !message;
    el.signinError.textContent = message || "";
    setState("signin");
  }

  function showScanner() {
    el.signin.hidden = true;
    el.scan.hidden = false;
    el.who.textContent = fmt(S.signed_in, { gate: gate.gate, site: gate.site_title[lang] || gate.site_title.fa });
    setState("scanning");
    startCamera();
  }

  async function signIn(key) {
    try {
      const info = await whoami(key);
      if (!info) { showSignin(S.bad_key); return; }
      gate = { key, site: info.site, gate: info.gate, site_title: info.site_title };
      localStorage.setItem(STORE, JSON.stringify(gate));
      el.key.value = "";
      showScanner();
      showCount(info.admitted_today);
    } catch (e) {
      showSignin(S.gave_up);
      el.key.value = key; // no connection: the key waits in the field for another try
    }
  }

  el.signinForm.addEventListener("submit", (event) => {
    event.preventDefault();
    unlockAudio();
    const key = el.key.value.trim();
    if (key) signIn(key);
  });

  // The organiser's sign-in link carries the key in the fragment, which no server ever receives.
  // It is taken once and wiped from the address bar (and so from the history and bookmarks).
  function keyFromLink() {
    const match = /^#(?:.*&)?key=([^&]*)/.exec(location.hash);
    if (!match) return "";
    history.replaceState(null, "", location.pathname + location.search);
    try { return decodeURIComponent(match[1]).trim(); } catch (e) { return ""; }
  }

  el.signout.addEventListener("click", () => {
    localStorage.removeItem(STORE);
    gate = null;
    el.count.hidden = true;
    showSignin("");
  });

  // --- camera and detector ---------------------------------------------------------------------

  async function loadDetector() {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) return new window.BarcodeDetector({ formats: ["qr_code"] });
      } catch (e) { /* fall through to the polyfill */ }
    }
    await new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = root.dataset.detector;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    const api = window.BarcodeDetectionAPI;
    const wasm = new URL(root.dataset.wasm, location.href).href;
    api.prepareZXingModule({
      overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? wasm : prefix + path) },
      fireImmediately: true,
    });
    return new api.BarcodeDetector({ formats: ["qr_code"] });
  }

  async function startCamera() {
    if (stream) return;
    status(S.starting);
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { status(S.no_camera); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
    } catch (e) {
      status(S.no_camera);
      return;
    }
    el.video.srcObject = stream;
    try { await el.video.play(); } catch (e) { /* autoplay of a muted video is allowed */ }
    try {
      detector = detector || (await loadDetector());
    } catch (e) {
      status(S.no_detector);
      return;
    }
    status(S.aim);
    requestAnimationFrame(tick);
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    el.video.srcObject = null;
  }

  let lastTick = 0;
  async function tick(time) {
    if (!stream) return;
    if (time - lastTick > 150 && !busy && el.answer.hidden && !typing() && el.video.readyState >= 2) {
      lastTick = time;
      try {
        const codes = await detector.detect(el.video);
        if (codes.length && codes[0].rawValue) onScan(codes[0].rawValue);
      } catch (e) { /* a frame that cannot be read is skipped */ }
    }
    requestAnimationFrame(tick);
  }

  // While a code is being typed the camera rests, so no camera answer covers the keyboard.
  const typing = () => document.activeElement === el.code || el.code.value.trim() !== "";

  function onScan(text) {
    if ((held.get(normalise(text)) || 0) > Date.now()) return;
    submit(text, false);
  }

  el.manual.addEventListener("submit", async (event) => {
    event.preventDefault();
    unlockAudio();
    const text = el.code.value.trim();
    if (!text) return;
    while (busy) await sleep(100); // a camera scan sent just before typing finishes first
    el.code.value = "";
    submit(text, true);
  });

  // --- sending a scan --------------------------------------------------------------------------

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function submit(text, byHand) {
    if (busy || !gate) return;
    busy = true;
    typed = byHand;
    const code = normalise(text);
    held.set(code, Infinity);
    const waiting = pending.get(code);
    const key = waiting && Date.now() - waiting.at < PENDING_MS ? waiting.key : newKey();
    pending.set(code, { key, at: waiting ? waiting.at : Date.now() });
    status(S.checking);
    try {
      for (let attempt = 0; ; attempt++) {
        let response = null;
        try {
          response = await fetch(root.dataset.api, {
            method: "POST",
            headers: { Authorization: "Token " + gate.key, "Content-Type": "application/json", "Idempotency-Key": key },
            body: JSON.stringify({ code: text, site: gate.site }),
            cache: "no-store",
          });
        } catch (e) { response = null; }
        if (response && response.status === 401) {
          localStorage.removeItem(STORE);
          gate = null;
          showSignin(S.bad_key);
          return;
        }
        if (response && (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 429))) {
          const body = await response.json();
          pending.delete(code);
          if (response.ok) show(body);
          else showProblem(body);
          return;
        }
        if (attempt >= BACKOFF_MS.length) {
          status(S.gave_up);
          held.set(code, Date.now() + HOLD_MS);
          return;
        }
        status(fmt(S.retrying, { n: digits(attempt + 1) }));
        await sleep(BACKOFF_MS[attempt]);
      }
    } finally {
      busy = false;
    }
  }

  // --- the answer ------------------------------------------------------------------------------

  function tone(result) {
    // Browsers refuse (and complain about) vibration before the first tap on the page.
    const touched = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    if (navigator.vibrate && touched) navigator.vibrate(result === "admitted" ? 150 : [250, 100, 250]);
    if (!audio) return;
    try {
      const notes = result === "admitted" ? [[880, 0, 0.15], [1320, 0.16, 0.2]] : [[220, 0, 0.3], [180, 0.35, 0.4]];
      for (const [frequency, start, length] of notes) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = result === "admitted" ? "sine" : "square";
        osc.frequency.value = frequency;
        gain.gain.value = 0.15;
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + start);
        osc.stop(audio.currentTime + start + length);
      }
    } catch (e) { /* sound is a nicety */ }
  }

  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) { try { audio = new Context(); } catch (e) { audio = null; } }
    if (audio && audio.state === "suspended") audio.resume();
  }

  // Each kind of answer has its own colour and its own shape (gate.css), never colour alone:
  // in green with a tick, already in amber with a clock, elsewhere (another site, another day) in
  // purple with a pin or a calendar, refused in red with a cross.
  function tint(result) {
    if (result === "admitted") return "good";
    if (result === "already_admitted") return "warn";
    if (result === "wrong_day" || result === "wrong_site") return "other";
    return "bad";
  }

  function open(result, label, message) {
    el.answer.dataset.result = result;
    el.answer.className = "gate-answer " + tint(result);
    el.label.textContent = label;
    el.message.textContent = message;
    el.answer.hidden = false;
    setState("answer");
    status("");
    tone(result);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(close, result === "admitted" ? SHOW_MS.admitted : SHOW_MS.other);
    el.next.focus({ preventScroll: true });
  }

  function clearPhoto() {
    el.photo.hidden = true;
    el.photo.removeAttribute("src");
    el.photo.alt = "";
    el.idcheck.hidden = true;
    if (photoUrl) { URL.revokeObjectURL(photoUrl); photoUrl = null; }
  }

  // The portrait is fetched with the gate's key (an <img> cannot send it) and shown from memory.
  // Without one (or while it cannot be had) the staff check the name against an ID card; the
  // product photo in holder.photo is never shown, as it says nothing of who holds the pass.
  async function showPortrait(holder, name, answer) {
    el.idcheck.textContent = S.no_portrait;
    if (!holder.portrait || !gate) { el.idcheck.hidden = false; return; }
    try {
      const response = await fetch(holder.portrait, { headers: { Authorization: "Token " + gate.key }, cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const blob = await response.blob();
      if (answer !== shown) return; // the staff moved on meanwhile
      photoUrl = URL.createObjectURL(blob);
      el.photo.src = photoUrl;
      el.photo.alt = fmt(S.portrait_of, { name });
      el.photo.hidden = false;
    } catch (e) {
      if (answer === shown) el.idcheck.hidden = false;
    }
  }

  function show(body) {
    // A pass of another site: only that site's name (in the message), never whose pass it is.
    const ours = body.result !== "wrong_site";
    const holder = ours ? body.holder : null;
    const booth = ours ? body.booth : null;
    const name = holder ? (holder.kind === "helper" ? holder.name : holder.vendor) : "";
    el.name.textContent = holder ? (holder.kind === "helper" ? (holder.name ? holder.name + " · " : "") + fmt(S.helper_of, { vendor: holder.vendor }) : holder.vendor) : "";
    el.business.textContent = holder ? holder.business : "";
    el.booth.textContent = booth ? fmt(S.booth, { booth: booth.code, hall: (booth.hall_names && booth.hall_names[lang]) || booth.hall }) : "";
    showCount(body.admitted_today);
    const answer = ++shown;
    clearPhoto();
    if (holder && (body.result === "admitted" || body.result === "already_admitted")) showPortrait(holder, name, answer);
    open(body.result, S["result_" + body.result] || body.result, (body.messages && body.messages[lang]) || body.message || "");
  }

  function showProblem(body) {
    el.name.textContent = el.business.textContent = el.booth.textContent = "";
    shown++;
    clearPhoto();
    open(body.error || "error", S.error, (body.messages && body.messages[lang]) || body.message || S.error);
  }

  function close() {
    clearTimeout(hideTimer);
    if (el.answer.hidden) return;
    el.answer.hidden = true;
    shown++;
    clearPhoto();
    const now = Date.now();
    for (const [code, until] of held) held.set(code, until === Infinity ? now + HOLD_MS : until);
    for (const [code, until] of held) if (until < now) held.delete(code);
    if (gate) { setState("scanning"); status(stream ? S.aim : ""); }
    if (typed) el.code.focus({ preventScroll: true }); // ready for the next typed code
  }

  el.next.addEventListener("click", () => { unlockAudio(); close(); });
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  el.answer.addEventListener("click", (event) => { if (event.target === el.answer) close(); });

  // --- start -----------------------------------------------------------------------------------

  const linked = keyFromLink();
  gate = saved();
  if (linked) {
    // A link opened on purpose replaces whatever gate this phone was signed in to.
    localStorage.removeItem(STORE);
    gate = null;
    showSignin("");
    signIn(linked);
  } else if (gate && gate.key) {
    showScanner();
    // A key revoked since the last visit signs the phone out; no connection keeps the saved gate.
    whoami(gate.key).then((info) => {
      if (info === null) { localStorage.removeItem(STORE); gate = null; showSignin(S.bad_key); }
      else { gate = { key: gate.key, site: info.site, gate: info.gate, site_title: info.site_title }; localStorage.setItem(STORE, JSON.stringify(gate)); el.who.textContent = fmt(S.signed_in, { gate: gate.gate, site: gate.site_title[lang] || gate.site_title.fa }); showCount(info.admitted_today); }
    }).catch(() => {});
  } else {
    showSignin("");
  }
})();
