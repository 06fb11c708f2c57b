// The host page's own script: it keeps working next to the login widget, and can follow
// the widget's state through its "speckle-login:change" event.
document.getElementById("likes").addEventListener("click", () => {
  const count = document.getElementById("like-count");
  count.textContent = String(Number(count.textContent) + 1);
});
document.getElementById("speckle-login").addEventListener("speckle-login:change", (event) => {
  document.body.dataset.speckleUser = event.detail.signedIn ? event.detail.name : "";
});
