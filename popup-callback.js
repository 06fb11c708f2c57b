/* The callback page's first lines: when this window is a login popup, hand Speckle's answer
 * to the page that opened it, then close, without starting Python.
 *
 * The opener wrote {"login": id} under "speckle-login:popup" in sessionStorage just for the
 * duration of its window.open call, so only its popup (which starts with a copy of the
 * opener's sessionStorage) holds that marker. The id is 128 random bits that only the opener
 * and this popup know, and it names the BroadcastChannel the answer goes out on
 * ("speckle-login:<id>"): no other page of the origin can listen to a channel it cannot
 * name, so no other tab, and no other site sharing the origin, hears the access code or can
 * spend it first. The channel works even though the opener cut this window's `opener` link
 * (it does, so that no page this popup visits can navigate the opener's tab). When a window
 * still has an opener, the answer also goes there with postMessage, to this origin only.
 *
 * The page that waits checks that the message names its login, then takes its transaction
 * and exchanges the code; any other page ignores it.
 *
 * Load it with a plain <script src> in <head>, before loading.js and PyScript: it runs
 * before either, and window.stop() keeps PyScript from ever loading here. A page that is not
 * a login popup is left alone and finishes the login itself, in Python.
 */
(function () {
  "use strict";
  var MARKER_KEY = "speckle-login:popup";
  var marker = null;
  try {
    marker = JSON.parse(sessionStorage.getItem(MARKER_KEY) || "null");
  } catch (e) { /* no storage, or not ours: not a popup */ }
  if (!marker || typeof marker.login !== "string" || !/^[0-9a-f]{32}$/.test(marker.login)) return;
  var params = new URLSearchParams(location.search);
  if (!params.has("access_code") && !params.has("denied")) return;

  var message = { type: "speckle-login:callback", login: marker.login, url: location.href };
  sessionStorage.removeItem(MARKER_KEY);
  // The one-time code leaves the address bar and this history entry before anything else.
  params.delete("access_code");
  params.delete("denied");
  var rest = params.toString();
  history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);

  try {
    var channel = new BroadcastChannel("speckle-login:" + marker.login);
    channel.postMessage(message);
    channel.close();
  } catch (e) { /* no BroadcastChannel: postMessage below is the only way */ }
  try {
    if (window.opener && window.opener !== window) {
      window.opener.postMessage(message, location.origin);
    }
  } catch (e) { /* the opener went away: the channel carried the message */ }

  window.stop();  // nothing more of this page loads: no PyScript, no Python
  window.close();
  // Only if the browser kept the window open: say where to look, without a word of error.
  setTimeout(function () {
    document.title = "Signed in · Speckle";
    var body = document.body || document.documentElement.appendChild(document.createElement("body"));
    var note = document.createElement("p");
    note.textContent = "You can close this window: the page you logged in from has taken over.";
    body.appendChild(note);
  }, 1000);
})();
