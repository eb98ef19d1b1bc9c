// Enhancements only: the page works without this file.
(function () {
  "use strict";
  var form = document.getElementById("password-form");
  if (!form) { return; }
  var checkUrl = form.getAttribute("data-check-url");
  var csrf = form.querySelector('input[name="csrf_token"]');
  var password = document.getElementById("password");
  var confirmation = document.getElementById("confirmation");
  var meter = document.getElementById("strength");
  var timer = null;

  function paint(rules) {
    rules.forEach(function (rule) {
      var item = document.querySelector('[data-rule="' + rule.code + '"]');
      if (!item) { return; }
      item.className = rule.ok ? "ok" : "ko";
      item.querySelector(".mark").textContent = rule.ok ? "✔" : "✘";
      var sr = item.querySelector(".sr-only");
      if (sr) { sr.textContent = rule.ok ? " : respecté" : " : pas encore respecté"; }
    });
  }

  function check() {
    fetch(checkUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : "" },
      credentials: "same-origin",
      body: JSON.stringify({ password: password.value, confirmation: confirmation.value })
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (report) {
      if (!report) { return; }
      paint(report.rules);
      meter.hidden = false;
      meter.value = report.strength;
    }).catch(function () { /* the server checks again on submit */ });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(check, 250);
  }
  password.addEventListener("input", later);
  confirmation.addEventListener("input", later);

  var show = document.getElementById("show-password");
  show.addEventListener("change", function () {
    var type = show.checked ? "text" : "password";
    password.type = type;
    confirmation.type = type;
  });

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = document.getElementById(button.getAttribute("data-copy")).textContent;
      navigator.clipboard.writeText(text).then(function () { button.textContent = "Copié"; });
    });
  });
  if (password.value) { check(); }
})();
