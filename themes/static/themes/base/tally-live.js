// While voting is open the results block follows the tally without reloading. The server pushes
// numbers only; this script renders them as _results.html does, with the page's own wording (the
// "tally-wording" JSON block). Without this script (or without WebSockets) the page works as before:
// it shows the server-rendered tally; reload to see the latest count.
(function () {
  "use strict";
  var box = document.getElementById("live-results");
  var wordingNode = document.getElementById("tally-wording");
  if (!box || !box.dataset.livePath || !wordingNode || !window.WebSocket) return;
  var words = JSON.parse(wordingNode.textContent);
  var status = document.getElementById("tally-status");
  // Pushes from two server processes may arrive out of order: keep the newest (sealed beats all).
  var newest = { sealed: false, votes: parseInt(box.dataset.votes, 10) || 0 };
  var closed = false;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function element(tag, text, attributes) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    return node;
  }

  function share(votes, voters) {  // whole percent, rounded half to even as the server's round() does
    if (!voters) return 0;
    var exact = (100 * votes) / voters;
    var rounded = Math.round(exact);
    if (Math.abs(exact - Math.floor(exact) - 0.5) < 1e-9 && rounded % 2) rounded -= 1;
    return rounded;
  }

  function amount(check, key) {  // wording.py's _amount
    var value = String(check[key]).replace(/^-/, "");
    return check.unit === "voters" ? value : fill(words.area, { area: value });
  }

  function describe(check) {  // wording.py's describe
    var rule = words.rules[check.rule];
    if (check.reason) return fill(words.missed_because, { rule: rule, reason: words.reasons[check.reason] });
    var bar;
    if (check.unit === "voters") bar = fill(words.at_least_votes, { n: check.needed });
    else bar = fill(check.strict ? words.more_than : words.at_least, { amount: amount(check, "needed") });
    var values = { rule: rule, actual: amount(check, "actual"), base: amount(check, "base"), bar: bar,
                   margin: amount(check, "margin") };
    return fill(check.met ? words.met : words.missed, values);
  }

  function render(data) {
    var weighted = !!data.areas;
    var table = element("table", null, { "class": "results" });
    var caption = data.eligible === 0 ? fill(words.voted, { voters: data.votes })
      : fill(words.voted_of, { voters: data.votes, eligible: data.eligible });
    table.appendChild(element("caption", caption));
    var headings = element("tr");
    words.headings.slice(0, weighted ? 4 : 3).forEach(function (text) {
      headings.appendChild(element("th", text, { scope: "col" }));
    });
    table.appendChild(element("thead")).appendChild(headings);
    var body = table.appendChild(element("tbody"));
    words.options.forEach(function (option) {
      var votes = data.counts[option.key] || 0;
      var percent = share(votes, data.votes);
      var row = body.appendChild(element("tr", null, option.key === data.leader ? { "class": "leader" } : {}));
      row.appendChild(element("th", option.label, { scope: "row" }));
      row.appendChild(element("td", votes));
      var cell = row.appendChild(element("td"));
      cell.appendChild(element("meter", percent + "%",
        { "class": "share", min: "0", max: "100", value: String(percent), "aria-hidden": "true" }));
      cell.appendChild(document.createTextNode(" " + percent + "%"));
      if (weighted) row.appendChild(element("td", data.areas[option.key]));
    });
    var checks = element("ul", null, { "class": "checks" });
    data.checks.forEach(function (check) {
      checks.appendChild(element("li", (check.met ? "✓ " : "✗ ") + describe(check),
        { "class": check.met ? "met" : "missed" }));
    });
    var label = null;
    words.options.forEach(function (option) { if (option.key === data.leader) label = option.label; });
    var outcome = data.passed ? fill(words.decided, { option: label || data.leader }) : words.no_decision;
    var outcomeNode = element("p", null, { "class": "outcome" });
    outcomeNode.appendChild(element("strong", outcome));
    var nodes = [table, checks, outcomeNode];
    if (data.sealed && words.sealed_links.length) {
      var links = element("p");
      words.sealed_links.forEach(function (link, i) {
        if (i) links.appendChild(document.createTextNode(" · "));
        links.appendChild(element("a", link.text, i === 0 ? { href: link.href, download: "" } : { href: link.href }));
      });
      nodes.push(links);
    }
    box.replaceChildren.apply(box, nodes);
    return { caption: caption, outcome: outcome };
  }

  function isNewer(data) {
    if (data.sealed !== newest.sealed) return data.sealed;
    return data.votes > newest.votes;
  }

  function show(data) {
    var shown = render(data);
    newest = { sealed: !!data.sealed, votes: data.votes };
    if (status) status.textContent = data.sealed ? shown.outcome : shown.caption;
    box.dataset.votes = String(data.votes);
    if (data.sealed) closed = true;
  }

  function connect(delay) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + box.dataset.livePath);
    socket.onopen = function () { delay = 2000; };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.event === "tally" && isNewer(data)) show(data);
      if (closed) socket.close();
    };
    socket.onclose = function () {
      if (closed) return;
      setTimeout(function () { connect(Math.min(delay * 2, 60000)); }, delay);
    };
  }
  connect(2000);
})();
