// Progressive enhancement of the progress page: long-poll the workflow's
// state and update the page until it completes or waits on the user.
// Without JavaScript the page shows the state when loaded, and a link to
// reload it.
"use strict";
(function () {
  var box = document.getElementById("progress");
  if (!box) return;
  var url = box.dataset.poll;
  var version = box.dataset.version;
  function show(p) {
    var st = document.getElementById("state");
    st.textContent = p.state;
    st.className = "badge badge-" + p.state;
    document.getElementById("message").textContent = p.message;
    box.dataset.completed = String(p.completed);
  }
  function poll() {
    fetch(url + "?version=" + encodeURIComponent(version), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (p) {
        version = String(p.version);
        show(p);
        if (!p.completed) setTimeout(poll, 100);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  if (box.dataset.completed !== "true") poll();
})();
