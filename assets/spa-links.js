// In-app navigation for links written as HTML (class "spa-link"), the way dcc.Link does it:
// push the URL and tell dcc.Location, instead of reloading the whole app.
(function () {
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a.spa-link");
    if (!a || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    var url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    ev.preventDefault();
    window.history.pushState({}, "", url.pathname + url.search + url.hash);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
    window.scrollTo(0, 0);
  });
})();
