/* Årshjul pages: "Copy" buttons for calendar addresses, and in the organisers' item
   form only the fields of the chosen recurrence. Without this script everything still
   works: the address can be selected by hand and every field is shown. (A file, not an
   inline script: the CSP is script-src 'self'.) */
(function () {
  "use strict";

  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    input.focus();
    input.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject();
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) return;
    var field = button.closest(".copy-field");
    var status = field ? field.querySelector(".copy-status") : null;
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(input).then(function () {
        if (status) status.textContent = button.getAttribute("data-copied-text");
      }, function () {
        input.focus();
        input.select();
      });
    });
  });

  var choices = document.querySelectorAll("[data-recurrence-choice]");
  function showRecurrence() {
    var chosen = null;
    choices.forEach(function (radio) { if (radio.checked) chosen = radio.value; });
    document.querySelectorAll("fieldset[data-recurrence]").forEach(function (fieldset) {
      fieldset.hidden = chosen !== null && fieldset.getAttribute("data-recurrence") !== chosen;
    });
  }
  choices.forEach(function (radio) { radio.addEventListener("change", showRecurrence); });
  if (choices.length) showRecurrence();

  var allDay = document.getElementById("all_day");
  var times = document.querySelector("[data-times]");
  function showTimes() { times.hidden = allDay.checked; }
  if (allDay && times) {
    allDay.addEventListener("change", showTimes);
    showTimes();
  }
})();
