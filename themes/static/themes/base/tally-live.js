// While voting is open the results block follows the tally without reloading. Without this script
// (or without WebSockets) the page works as before: reload to see the latest count.
(function () {
  "use strict";
  var box = document.getElementById("live-results");
  if (!box || !box.dataset.livePath || !window.WebSocket) return;
  var status = document.getElementById("tally-status");
  var language = box.dataset.language;
  // Pushes from two server processes may arrive out of order: keep the newest (sealed beats all).
  var newest = { sealed: false, votes: parseInt(box.dataset.votes, 10) || 0 };
  var closed = false;

  function isNewer(data) {
    if (data.sealed !== newest.sealed) return data.sealed;
    return data.votes > newest.votes;
  }

  function show(data) {
    var html = data.html && (data.html[language] || data.html[Object.keys(data.html)[0]]);
    if (!html) return;
    box.innerHTML = html;  // server-rendered and escaped, the same block a reload shows
    newest = { sealed: !!data.sealed, votes: data.votes };
    var caption = box.querySelector("caption");
    var outcome = box.querySelector(".outcome");
    if (status) {
      status.textContent = data.sealed && outcome ? outcome.textContent : (caption ? caption.textContent : "");
    }
    box.dataset.votes = String(data.votes);
    if (data.sealed) closed = true;
  }

  function connect(delay) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + box.dataset.livePath);
    socket.onopen = function () { delay = 2000; };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.event === "tally" && (isNewer(data) || (data.sealed && !newest.sealed))) show(data);
      if (closed) socket.close();
    };
    socket.onclose = function () {
      if (closed) return;
      setTimeout(function () { connect(Math.min(delay * 2, 60000)); }, delay);
    };
  }
  connect(2000);
})();
