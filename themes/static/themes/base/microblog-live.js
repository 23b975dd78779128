// New posts appear at the top of a community's microblog feed without reloading. Without this script
// (or without WebSockets) the page works as before: reload to see new posts.
(function () {
  "use strict";
  var feed = document.getElementById("feed");
  if (!feed || !feed.dataset.livePath || !window.WebSocket || !window.fetch) return;
  var status = document.getElementById("live-status");
  var latest = parseInt(feed.dataset.latest, 10) || 0;
  var fetching = false;
  var again = false;

  function fetchNew() {
    if (fetching) { again = true; return; }
    fetching = true;
    fetch(feed.dataset.afterUrl + "?after=" + latest, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;  // server-rendered, sanitised fragment, newest first
        var articles = Array.prototype.slice.call(holder.querySelectorAll("article.micropost")).reverse();
        var added = 0;
        articles.forEach(function (el) {
          var id = parseInt(el.dataset.id, 10);
          if (id > latest && !document.getElementById("m" + id)) {
            feed.insertBefore(el, feed.firstChild);
            latest = id;
            added++;
          }
        });
        if (added && status) status.textContent = feed.dataset.newLabel;
      })
      .finally(function () { fetching = false; if (again) { again = false; fetchNew(); } });
  }

  function connect(delay) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + feed.dataset.livePath);
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.event === "post" && data.latest > latest) fetchNew();
    };
    socket.onclose = function () {
      setTimeout(function () { connect(Math.min(delay * 2, 60000)); }, delay);
    };
  }
  connect(2000);
})();
