// New replies appear on the last page of a thread without reloading. Without this script
// (or without WebSockets) the page works as before: reload to see new replies.
(function () {
  "use strict";
  var posts = document.getElementById("posts");
  if (!posts || !posts.dataset.livePath || !window.WebSocket || !window.fetch) return;
  var status = document.getElementById("live-status");
  var last = parseInt(posts.dataset.last, 10) || 0;
  var fetching = false;
  var again = false;

  function fetchNew() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(posts.dataset.afterUrl + "?after=" + last, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;  // server-rendered, sanitised fragment
        var added = 0;
        Array.prototype.forEach.call(holder.querySelectorAll("article.post"), function (el) {
          var n = parseInt(el.dataset.number, 10);
          if (n > last && !document.getElementById("p" + n)) { posts.appendChild(el); last = n; added++; }
        });
        if (added && status) status.textContent = posts.dataset.newLabel;
      })
      .finally(function () { fetching = false; if (again) { again = false; fetchNew(); } });
  }

  function connect(delay) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + posts.dataset.livePath);
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.event === "post" && data.number > last) fetchNew();
    };
    socket.onclose = function () {
      setTimeout(function () { connect(Math.min(delay * 2, 60000)); }, delay);
    };
  }
  connect(2000);
})();
