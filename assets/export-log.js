// Report chart downloads (the plotly modebar's "download as png") to the server, which writes
// them to the security log. Same origin only; no third-party requests.
(function () {
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest(".modebar-btn");
    if (!btn) return;
    var title = (btn.getAttribute("data-title") || "").toLowerCase();
    if (title.indexOf("png") < 0 && title.indexOf("download") < 0) return;
    var graph = btn.closest(".dash-graph");
    var what = (graph && graph.id) || "chart";
    fetch("/api/export-log", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({what: what, page: window.location.pathname + window.location.search})
    });
  }, true);
})();
