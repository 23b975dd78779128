// While voting is open, the election's turnout follows the votes without reloading (never the
// partial results: none are sent). Without this script or WebSockets, reload to see it.
(function () {
  "use strict";
  var box = document.getElementById("turnout");
  if (!box || !box.dataset.livePath || !window.WebSocket) return;
  var count = box.querySelector("[data-voters]");
  var newest = parseInt(count && count.textContent, 10) || 0;
  function connect(delay) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + box.dataset.livePath);
    var sealed = false;
    socket.onopen = function () { delay = 2000; };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.event !== "turnout") return;
      if (data.voters >= newest && count) { newest = data.voters; count.textContent = String(data.voters); }
      if (data.sealed) { sealed = true; socket.close(); }
    };
    socket.onclose = function () {
      if (!sealed) setTimeout(function () { connect(Math.min(delay * 2, 60000)); }, delay);
    };
  }
  connect(2000);
})();
