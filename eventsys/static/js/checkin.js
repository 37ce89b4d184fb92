// Check-in at the door, enhanced: the search filters as you type, and a tap sends the
// row's form with fetch and updates the row and the counter in place, so the page
// keeps its scroll position and the search. Without this file the same forms work
// with a page load each.
(function () {
  "use strict";

  function norm(text) {
    return (text || "").toLocaleLowerCase().trim();
  }

  function init() {
    var list = document.getElementById("checkin-list");
    var search = document.getElementById("checkin-search");
    var input = document.getElementById("q");
    var status = document.getElementById("checkin-status");
    var counter = document.getElementById("checkin-counter");
    var progress = document.getElementById("checkin-progress");
    var none = document.getElementById("checkin-none");
    if (!list || !search || !input) return;

    function currentQuery() {
      return input.value.trim();
    }

    function filter() {
      var words = norm(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      list.querySelectorAll(".checkin-row").forEach(function (row) {
        var text = row.getAttribute("data-search") || "";
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (none) none.hidden = shown !== 0;
      var url = new URL(window.location.href);
      if (currentQuery()) url.searchParams.set("q", currentQuery());
      else url.searchParams.delete("q");
      url.hash = "";
      window.history.replaceState(null, "", url.toString());
      list.querySelectorAll('input[name="q"]').forEach(function (q) { q.value = currentQuery(); });
    }

    input.addEventListener("input", filter);
    search.addEventListener("submit", function (event) {
      event.preventDefault();
      filter();
    });
    // A search that came from the server (?q=) lists only the matches; filtering the
    // whole list needs every row, which the server sent only without a query.
    if (currentQuery() && list.querySelectorAll(".checkin-row").length) filter();

    list.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList.contains("checkin-form")) return;
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      // getAttribute: the form has an input named "action", which shadows form.action.
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (result) {
          if (!result.ok) {
            status.textContent = (result.data.error && result.data.error.message) || "";
            status.classList.add("is-error");
            return;
          }
          var data = result.data;
          var row = form.closest(".checkin-row");
          var arrived = data.state === "attended";
          row.classList.toggle("is-in", arrived);
          form.querySelector('input[name="action"]').value = arrived ? "undo" : "in";
          button.classList.toggle("secondary", arrived);
          button.querySelector("[data-label]").textContent =
            list.getAttribute(arrived ? "data-label-undo" : "data-label-in");
          var state = row.querySelector("[data-state]");
          if (state) state.textContent = arrived ? "✓ " + row.closest("ul").dataset.arrived : "";
          counter.innerHTML = "";
          var strong = document.createElement("strong");
          strong.textContent = data.counter;
          counter.appendChild(strong);
          if (progress) {
            progress.max = Math.max(1, data.expected);
            progress.value = data.arrived;
          }
          status.classList.remove("is-error");
          // One line on screen (the counter is just above); the count is read out too.
          status.textContent = data.message + " ";
          var count = document.createElement("span");
          count.className = "visually-hidden";
          count.textContent = data.counter + ".";
          status.appendChild(count);
        })
        .catch(function () {
          // No answer (the network at the door): send the form the ordinary way.
          form.submit();
        })
        .finally(function () {
          button.disabled = false;
          button.focus();
        });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
