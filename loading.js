/* The start-up indicator of the pages that run Python, in plain JavaScript so that it works
 * before (and without) Python.
 *
 * It follows the runtime's real stages in #loading - downloading the runtime (in bytes, as
 * fast-start.mjs reports them: "Downloading Python: 1.2 of 3.6 MB", with a progress bar that
 * moves as they arrive), starting Python, starting the app - from PyScript's `py:progress` /
 * `py:ready` events, fast-start.mjs's `speckle:download` events and the browser's resource
 * timings, and hides itself once Python sets <body data-state> to anything but "loading".
 * When the runtime cannot load (one of its own files missing or refused, a script error, a
 * browser without WebAssembly, nothing arriving and nothing happening for the stall time) it
 * says so in #loading - a heading (data-error-word names its key, or data-error-title gives
 * its text), what failed in words, and a Reload
 * button - and sets <body data-state="runtime-error"> instead of leaving the page waiting
 * forever. A slow connection is not a failure: every byte that arrives restarts the wait.
 * Only the runtime's own files count: a missing favicon, image or analytics script of the
 * host page is none of its business.
 *
 * Framed by another site, the page does not start Python at all and says so, with a link
 * that opens it in its own tab.
 *
 * The stall time is STALL_SECONDS, or the data-stall-seconds attribute of #loading (or of the
 * widget's host).
 *
 * On a page with the drop-in login widget instead (no #loading, an element #speckle-login with
 * data-state="loading"), the widget's host is watched: a failure sets its data-state="error"
 * and replaces its placeholder with the message and the Reload button.
 *
 * Load it with <script defer> before PyScript's core.js: deferred and module scripts run in
 * document order, so every listener is in place before PyScript starts.
 * Written in ES5 so that an old browser still reaches the "unsupported" message.
 */
(function () {
  "use strict";
  var STALL_SECONDS = 60;
  // The words this script shows before Python runs, in the languages pyapp ships: a copy of
  // their keys in pyapp.words (a unit test keeps the two equal). Strict JSON between the
  // marks, so that test can read it.
  var TABLES = /* words */ {
    "en": {
      "login-button": "Log in with Speckle",
      "cancel-button": "Cancel",
      "logout-button": "Log out",
      "stay-signed-in": "Stay signed in on this device",
      "projects-heading": "Projects",
      "load-more": "Load more",
      "completing": "Signing you in…",
      "checking-session": "Checking your session…",
      "loading-download": "Downloading Python…",
      "loading-bytes": "Downloading Python: {loaded} MB",
      "loading-bytes-of": "Downloading Python: {loaded} of {total} MB",
      "loading-start": "Starting Python…",
      "loading-app": "Starting the app…",
      "loading-progress": "Loading progress",
      "load-failed-title": "Couldn't load Python",
      "load-failed-page-title": "This page couldn't load",
      "load-failed-callback-title": "Couldn't finish signing you in",
      "load-crashed-title": "The app failed to start",
      "load-framed-title": "Open this page in its own tab",
      "load-missing": "A file this page needs is missing from the site, so reloading won't help; the site owner can fix it.",
      "load-network": "A file this page needs didn't arrive. Check your connection and reload the page.",
      "load-stalled": "Loading stopped making progress. Check your connection and reload the page.",
      "load-unsupported": "This browser can't run this page. Try a current version of Chrome, Firefox, Safari or Edge.",
      "load-crashed": "Reload the page; if it happens again, the site owner can find details in the browser console.",
      "load-framed": "For your security, signing in works only on the site's own page, not inside another site.",
      "reload-button": "Reload",
      "open-in-tab": "Open in a new tab"
    },
    "de": {
      "login-button": "Mit Speckle anmelden",
      "cancel-button": "Abbrechen",
      "logout-button": "Abmelden",
      "stay-signed-in": "Auf diesem Gerät angemeldet bleiben",
      "projects-heading": "Projekte",
      "load-more": "Mehr laden",
      "completing": "Sie werden angemeldet…",
      "checking-session": "Ihre Sitzung wird geprüft…",
      "loading-download": "Python wird heruntergeladen…",
      "loading-bytes": "Python wird heruntergeladen: {loaded} MB",
      "loading-bytes-of": "Python wird heruntergeladen: {loaded} von {total} MB",
      "loading-start": "Python wird gestartet…",
      "loading-app": "Die App wird gestartet…",
      "loading-progress": "Ladefortschritt",
      "load-failed-title": "Python konnte nicht geladen werden",
      "load-failed-page-title": "Diese Seite konnte nicht geladen werden",
      "load-failed-callback-title": "Die Anmeldung konnte nicht abgeschlossen werden",
      "load-crashed-title": "Die App konnte nicht starten",
      "load-framed-title": "Öffnen Sie diese Seite in einem eigenen Tab",
      "load-missing": "Eine Datei, die diese Seite braucht, fehlt auf der Website; neu laden hilft daher nicht. Der Betreiber der Website kann das beheben.",
      "load-network": "Eine Datei, die diese Seite braucht, ist nicht angekommen. Prüfen Sie Ihre Verbindung und laden Sie die Seite neu.",
      "load-stalled": "Das Laden kommt nicht mehr voran. Prüfen Sie Ihre Verbindung und laden Sie die Seite neu.",
      "load-unsupported": "Dieser Browser kann diese Seite nicht ausführen. Versuchen Sie eine aktuelle Version von Chrome, Firefox, Safari oder Edge.",
      "load-crashed": "Laden Sie die Seite neu; passiert es wieder, findet der Betreiber der Website Details in der Browserkonsole.",
      "load-framed": "Zu Ihrer Sicherheit funktioniert die Anmeldung nur auf der Seite der Website selbst, nicht eingebettet in eine andere Website.",
      "reload-button": "Neu laden",
      "open-in-tab": "In neuem Tab öffnen"
    }
  } /* end words */;
  var STAGES = { download: 1, start: 2, app: 3 };
  var ORDER = ["download", "start", "app", "ready"];
  var BIG_FILES = ["pyodide.asm.wasm", "python_stdlib.zip"];
  // The runtime's own files, by path: PyScript's and Pyodide's (runtime/), the interpreter
  // module and the modules it imports, the pyapp zips and the PyScript config with the files it lists
  // (config.json). Any other file of the page (favicon, images, analytics) may fail quietly.
  var RUNTIME_FILE = /\/runtime\/|\/(fast-start\.mjs|xz-stream\.mjs|added-python-guard\.mjs|snapshot-check\.mjs|pyapp(-widget)?\.zip|[^\/]*\.toml|config\.json)$/;
  // Files the runtime can do without: fast-start.mjs starts Python the normal way without it.
  var OPTIONAL_FILES = ["fast-start.snapshot.gz"];

  var body = document.body;
  var box = document.getElementById("loading");
  // A page with the drop-in widget has no #loading line: its host element (data-state
  // "loading" in the HTML) is what waits, and what shows a failure.
  var host = box ? null : document.getElementById("speckle-login");
  var watched = host || body;
  var bar = box && box.querySelector("progress");
  var label = box && box.querySelector(".stage");
  var downloaded = {};
  var stage = "download";
  var failed = false;
  var running = false;  // the page's Python has started: its own errors are its to show
  var timer = 0;
  var stallAttr = (box || host) && Number((box || host).getAttribute("data-stall-seconds"));
  var STALL_MS = (stallAttr > 0 ? stallAttr : STALL_SECONDS) * 1000;

  // The language, as pyapp.words chooses it: the widget's data-language, else the page's
  // lang, else the browser's languages; English when none is shipped. A site's own text for
  // a key (data-word-<key> on the widget's host or on #loading) wins.
  function primary(tag) {
    return String(tag || "").replace("_", "-").split("-")[0].toLowerCase();
  }
  function language() {
    var setting = host && host.getAttribute("data-language");
    if (setting) return primary(setting);
    var root = document.documentElement;
    var browser = typeof navigator === "object" && navigator.languages || [];
    var tags = [root && root.lang].concat(browser);
    for (var i = 0; i < tags.length; i++) {
      if (TABLES[primary(tags[i])]) return primary(tags[i]);
    }
    return "en";
  }
  var table = TABLES[language()] || TABLES.en;
  function word(key, values) {
    var own = (box || host) && (box || host).getAttribute("data-word-" + key);
    var text = own || table[key] || TABLES.en[key];
    for (var name in values || {}) text = text.split("{" + name + "}").join(values[name]);
    return text;
  }
  // The page's own texts, in that language before Python starts (Python words the rest).
  if (table !== TABLES.en) {
    var worded = document.querySelectorAll("[data-word]");
    for (var w = 0; w < worded.length; w++) {
      if (table[worded[w].getAttribute("data-word")]) {
        worded[w].textContent = word(worded[w].getAttribute("data-word"));
      }
    }
    var labelled = document.querySelectorAll("[data-word-label]");
    for (var l = 0; l < labelled.length; l++) {
      labelled[l].setAttribute("aria-label", word(labelled[l].getAttribute("data-word-label")));
    }
  }

  function loading() {
    return !failed && !running && watched.getAttribute("data-state") === "loading";
  }

  function show(next) {
    if (ORDER.indexOf(next) <= ORDER.indexOf(stage)) return;
    stage = next;
    if (!box) return;
    box.setAttribute("data-stage", next);
    if (next === "ready") {
      box.hidden = true;
      return;
    }
    if (bar) {
      bar.max = 3;
      bar.value = STAGES[next];
    }
    if (label) label.textContent = word("loading-" + next);
  }

  // What failed, in words: `kind` is "missing" (the site lacks a file), "network" (a file did
  // not arrive), "stalled", "unsupported" (this browser), "crashed" (the page's Python
  // stopped before taking over) or "framed". `detail` names the file or the error, for the
  // console too.
  var TITLES = { crashed: "load-crashed-title", framed: "load-framed-title" };

  // When the stored session (pyapp.stores: "speckle-login:session", in the tab's storage or
  // the device's) was made, in seconds since the epoch; null when there is none.
  function storedSessionTime() {
    var kinds = ["sessionStorage", "localStorage"];
    for (var i = 0; i < kinds.length; i++) {
      try {
        var record = JSON.parse(window[kinds[i]].getItem("speckle-login:session") || "null");
        if (record && typeof record.created_at === "number") return record.created_at;
      } catch (e) { /* blocked storage or an unreadable record: Python says what it is */ }
    }
    return null;
  }

  function framedByAnotherSite() {
    if (window.top === window.self) return false;
    try {
      return window.top.location.origin !== location.origin;
    } catch (e) {
      return true;  // another origin's window: reading its address throws
    }
  }

  function fail(detail, kind) {
    if (!loading()) return;
    failed = true;
    clearTimeout(timer);
    watched.setAttribute("data-state", host ? "error" : "runtime-error");
    var crashed = kind === "crashed";
    if (window.console) {
      console.error((crashed ? "The app failed to start: "
        : kind === "framed" ? "Not started: " : "Couldn't load Python: ") + detail);
    }
    // "Signing you in…" / "Checking your session…" would now be untrue.
    var status = document.getElementById("status") || document.getElementById("session-check");
    if (status) status.hidden = true;
    var own = box || host;
    var title = TITLES[kind] ? word(TITLES[kind])
      : own && own.getAttribute("data-error-word") ? word(own.getAttribute("data-error-word"))
      : own && own.getAttribute("data-error-title") || word("load-failed-title");
    // A framed page's detail (who frames it) is for the console; the visitor reads where
    // the page works, without the sign-in form it cannot use here.
    var words = word("load-" + kind) + (kind === "framed" ? "" : " (" + detail + ")");
    var form = kind === "framed" && document.getElementById("login-form");
    if (form) form.hidden = true;
    if (host) {
      showInWidget(title, words, kind);
      return;
    }
    document.title = title + " · Speckle";
    if (!box) return;
    box.setAttribute("data-stage", "error");
    box.setAttribute("role", "alert");
    box.className += " error";
    box.hidden = false;
    var heading = document.createElement("h2");
    heading.textContent = title;
    var text = document.createElement("p");
    text.textContent = words;
    while (box.firstChild) box.removeChild(box.firstChild);
    box.appendChild(heading);
    box.appendChild(text);
    if (kind !== "unsupported") box.appendChild(kind === "framed" ? openLink() : reloadButton());
  }

  function openLink() {
    var link = document.createElement("a");
    link.href = location.href;
    link.target = "_blank";
    link.rel = "noopener";
    link.className = "button";
    link.textContent = word("open-in-tab");
    return link;
  }

  function reloadButton() {
    var reload = document.createElement("button");
    reload.type = "button";
    reload.textContent = word("reload-button");
    reload.onclick = function () { location.reload(); };
    return reload;
  }

  // The widget never started, so its host still holds the page's own placeholder: replace it.
  function showInWidget(title, text, kind) {
    var message = document.createElement("p");
    message.setAttribute("role", "alert");
    var strong = document.createElement("strong");
    strong.textContent = title + ".";
    message.appendChild(strong);
    message.appendChild(document.createTextNode(" " + text + " "));
    if (kind !== "unsupported") message.appendChild(kind === "framed" ? openLink() : reloadButton());
    while (host.firstChild) host.removeChild(host.firstChild);
    host.appendChild(message);
  }

  function progressed() {
    clearTimeout(timer);
    if (running || failed) return;
    timer = setTimeout(function () {
      fail("nothing arrived for " + STALL_MS / 1000 + " s", "stalled");
    }, STALL_MS);
  }

  function megabytes(n) {
    return (n / 1e6).toFixed(1);
  }

  // The widget's host shows the bytes too, in a line of its own after the page's placeholder
  // (the widget's shadow root hides it once the widget takes over).
  var hostLine = null;
  function hostProgress() {
    if (!hostLine) {
      hostLine = document.createElement("span");
      hostLine.className = "speckle-login-progress";
      hostLine.setAttribute("role", "status");
      hostLine.appendChild(document.createElement("progress"));
      hostLine.appendChild(document.createElement("span"));
      host.appendChild(hostLine);
    }
    return { bar: hostLine.firstChild, label: hostLine.lastChild };
  }

  // Bytes of the runtime as they arrive (fast-start.mjs): the label and the bar follow them.
  function downloading(loaded, total) {
    progressed();
    if (!loading() || stage !== "download") return;
    var shown = box ? { bar: bar, label: label } : hostProgress();
    if (shown.label) {
      shown.label.textContent = (box ? "" : " ") + (total > 0
        ? word("loading-bytes-of", { loaded: megabytes(loaded),
                                     total: megabytes(Math.max(total, loaded)) })
        : word("loading-bytes", { loaded: megabytes(loaded) }));
    }
    if (shown.bar && total > 0) {
      shown.bar.max = total;
      shown.bar.value = Math.min(loaded, total);
    }
  }

  if (typeof WebAssembly !== "object" || !("noModule" in document.createElement("script"))) {
    fail("this browser does not run WebAssembly modules", "unsupported");
    return;
  }
  // Inside another site's page (an iframe), a sign-in page could be dressed up to trick the
  // visitor into clicking, and the browser may withhold its storage: it does not start, and
  // says where it works. Its Python elements are disarmed before PyScript (which runs after
  // this script) looks for them, so nothing of the runtime is even downloaded.
  if (framedByAnotherSite()) {
    var python = document.querySelectorAll('script[type="py"], py-script');
    for (var p = 0; p < python.length; p++) {
      if (python[p].tagName === "SCRIPT") python[p].type = "text/plain";
      else python[p].parentNode.removeChild(python[p]);
    }
    fail("the page is framed by " + (document.referrer || "another site"), "framed");
    return;
  }
  progressed();

  // A visitor with a stored session is about to see their profile, not "Log in": the app
  // page says so in the form's place while Python starts ("Signing you in…" right after a
  // login, "Checking your session…" on a later visit). Only when the session was made is
  // read; Python decides whether it still works.
  var sessionNote = document.getElementById("session-check");
  var loginForm = document.getElementById("login-form");
  if (sessionNote && loginForm) {
    var made = storedSessionTime();
    if (made !== null) {
      // Younger than a minute: made by the login that brought the visitor here (the app
      // page uses the same bound, JUST_SIGNED_IN_SECONDS, to put focus on their name).
      sessionNote.textContent = word(Date.now() / 1000 - made < 60 ? "completing"
                                                                   : "checking-session");
      sessionNote.hidden = false;
      loginForm.hidden = true;
    }
  }

  // Python took over: the page's own states say the rest.
  if (window.MutationObserver) {
    new MutationObserver(function () {
      if (watched.getAttribute("data-state") !== "loading" && !failed) {
        clearTimeout(timer);
        show("ready");
      }
    }).observe(watched, { attributes: true, attributeFilter: ["data-state"] });
  }

  addEventListener("speckle:download", function (event) {
    var detail = event.detail || {};
    downloading(Number(detail.loaded) || 0, Number(detail.total) || 0);
  });
  addEventListener("py:progress", function (event) {
    progressed();
    var what = String(event.detail);
    if (what === "Loaded interpreter") show("start");
    else if (what === "Loaded Pyodide") show("app");
  });
  addEventListener("py:ready", function () {
    show("app");
    if (!failed) running = true;
    clearTimeout(timer);
  }, true);
  // The page's script ran to its end: a page still "loading" then has failed in Python.
  addEventListener("py:done", function () {
    setTimeout(function () {
      running = false;
      fail("its Python code ended with an error", "crashed");
    }, 0);
  }, true);

  // A script or module that failed to load (core.js itself, a preloaded runtime file).
  addEventListener("error", function (event) {
    var el = event.target;
    if (el && (el.tagName === "SCRIPT" || (el.tagName === "LINK" && /preload/.test(el.rel)))) {
      var url = String(el.src || el.href).split("?")[0];
      fail(url.slice(url.lastIndexOf("/") + 1) + " did not load", "network");
    } else if (el === window && loading()) {
      fail(String(event.message || "a script error"), "crashed");
    }
  }, true);
  addEventListener("unhandledrejection", function (event) {
    if (!loading() && !failed) return;
    var reason = event.reason;
    var text = String((reason && reason.message) || reason || "a failed promise");
    // fast-start.mjs names a runtime file the site answered 404 / 410 for: the site lacks it.
    fail(text, / answered (404|410)$/.test(text) ? "missing" : "network");
    event.preventDefault();  // reported above, once, in words a person can read
  });

  // Runtime files that arrived (or not): a 4xx/5xx for one of the runtime's own files while
  // loading is fatal; any other file's failure is the host page's own business.
  if (window.PerformanceObserver) {
    try {
      new PerformanceObserver(function (list) {
        var entries = list.getEntries();
        for (var i = 0; i < entries.length; i++) {
          var entry = entries[i];
          var name = entry.name.split("?")[0];
          var file = name.slice(name.lastIndexOf("/") + 1);
          progressed();
          if (entry.responseStatus >= 400 && name.indexOf(location.origin + "/") === 0 &&
              RUNTIME_FILE.test(name) && OPTIONAL_FILES.indexOf(file) < 0) {
            fail(file + " answered " + entry.responseStatus,
                 entry.responseStatus === 404 || entry.responseStatus === 410 ? "missing"
                   : "network");
          }
          // Downloaded compressed (.xz) and, for the standard library, trimmed (.core.zip).
          var plain = file.replace(/\.xz$/, "").replace(/\.core\.zip$/, ".zip");
          if (BIG_FILES.indexOf(plain) >= 0) downloaded[plain] = true;
        }
        if (downloaded[BIG_FILES[0]] && downloaded[BIG_FILES[1]] && loading()) show("start");
      }).observe({ type: "resource", buffered: true });
    } catch (e) { /* no resource timing: the py:progress stages still show */ }
  }
})();
