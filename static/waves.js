/* The case page's clarification panel and hoax wave: Shift+1..3 attaches the suggested
   clarification with that number (1..6 alone pick the decision's action), and the wave
   table's "select all" box. Plain JavaScript, no inline script. */
(function () {
  "use strict";

  var NOT_TEXT = ["radio", "checkbox", "button", "submit", "reset", "hidden"];
  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "INPUT") return NOT_TEXT.indexOf((el.type || "text").toLowerCase()) === -1;
    return tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (ev) {
    if (!ev.shiftKey || ev.ctrlKey || ev.metaKey || ev.altKey || isTyping(ev.target)) return;
    var digit = /^Digit([1-9])$/.exec(ev.code || "");
    if (!digit) return;
    var button = document.querySelector('button[data-attach-key="' + digit[1] + '"]');
    if (!button || button.disabled) return;
    ev.preventDefault();
    button.disabled = true; /* one press, one attachment */
    button.form.requestSubmit();
  });

  document.addEventListener("change", function (ev) {
    var all = ev.target;
    if (!all.matches || !all.matches("input[data-select-all]")) return;
    var form = all.form || all.closest("form");
    if (!form) return;
    form.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]').forEach(function (box) {
      if (!box.disabled) box.checked = all.checked;
    });
  });
})();
