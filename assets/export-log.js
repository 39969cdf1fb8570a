// Report chart downloads (the plotly modebar's "download as png") to the server, which writes
// them to the security log: the chart's id and the page's path only (the server writes the text,
// server/exports.py). Same origin only; no third-party requests.
(function () {
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest(".modebar-btn");
    if (!btn) return;
    var title = (btn.getAttribute("data-title") || "").toLowerCase();
    if (title.indexOf("png") < 0 && title.indexOf("download") < 0) return;
    var graph = btn.closest(".dash-graph");
    if (!graph || !graph.id) return;
    fetch("/api/export-log", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({kind: graph.id, page: window.location.pathname})
    });
  }, true);
})();
