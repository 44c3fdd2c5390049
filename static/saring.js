/* Saring workspace behaviour: keyboard shortcuts, live SLA countdowns, the decision form,
   drafts that survive a reload, and releasing a claimed case when its page is left.
   Plain JavaScript; HTMX does the polling (static/vendor/htmx-*.min.js). */
(function () {
  "use strict";

  var lang = (document.documentElement.lang || "id").slice(0, 2);
  var UNITS = {
    id: { d: "h", h: "j", m: "m", past: "lewat " },
    en: { d: "d", h: "h", m: "m", past: "overdue " },
  }[lang] || { d: "h", h: "j", m: "m", past: "lewat " };

  var NOT_TEXT = ["radio", "checkbox", "button", "submit", "reset", "hidden"];
  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    if (tag === "INPUT") return NOT_TEXT.indexOf((el.type || "text").toLowerCase()) === -1;
    return tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function visible(el) {
    return !!(el && (el.offsetWidth || el.offsetHeight || el.getClientRects().length));
  }

  /* --- The ? overlay ---------------------------------------------------------------------- */
  var overlay = document.getElementById("shortcut-help");
  function toggleOverlay(show) {
    if (!overlay) return;
    var open = show === undefined ? overlay.hidden : show;
    overlay.hidden = !open;
    if (open) {
      var btn = overlay.querySelector("[data-close-overlay]");
      if (btn) btn.focus();
    }
  }
  document.addEventListener("click", function (ev) {
    if (ev.target.closest("[data-close-overlay]") || ev.target === overlay) toggleOverlay(false);
  });

  /* --- Table rows: j / k / o -------------------------------------------------------------- */
  var rowIndex = -1;
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-rows] tbody tr[data-row-link]"));
  }
  function selectRow(i) {
    var all = rows();
    if (!all.length) return;
    rowIndex = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r, j) { r.classList.toggle("selected", j === rowIndex); });
    all[rowIndex].scrollIntoView({ block: "nearest" });
  }

  /* --- Keyboard ---------------------------------------------------------------------------- */
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") {
      toggleOverlay(false);
      document.querySelectorAll("details[open].popover").forEach(function (d) { d.open = false; });
      return;
    }
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      var form = ev.target.closest && ev.target.closest("form[data-submit-shortcut]");
      if (!form) form = document.querySelector("form[data-submit-shortcut]");
      if (form) { ev.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (isTyping(ev.target) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "?") { ev.preventDefault(); toggleOverlay(); return; }
    if (overlay && !overlay.hidden) return;

    var key = ev.key;
    var target = document.querySelector('[data-shortcut="' + CSS.escape(key) + '"]');
    if (target && (visible(target) || target.tagName === "LABEL")) {
      ev.preventDefault();
      target.click();
      return;
    }
    var opener = document.querySelector('[data-shortcut-open="' + CSS.escape(key) + '"]');
    if (opener) {
      ev.preventDefault();
      opener.open = true;
      var first = opener.querySelector("select, input, textarea");
      if (first) first.focus();
      return;
    }
    var focus = document.querySelector('[data-shortcut-focus="' + CSS.escape(key) + '"]');
    if (focus) { ev.preventDefault(); focus.focus(); return; }
    if (key === "j") { ev.preventDefault(); selectRow(rowIndex + 1); return; }
    if (key === "k") { ev.preventDefault(); selectRow(rowIndex - 1); return; }
    if ((key === "o" || key === "Enter") && rowIndex >= 0) {
      var row = rows()[rowIndex];
      if (row) { ev.preventDefault(); window.location.href = row.dataset.rowLink; }
    }
  });

  /* Clicking anywhere on a queue row opens the case. */
  document.addEventListener("click", function (ev) {
    var row = ev.target.closest && ev.target.closest("tr[data-row-link]");
    if (!row || ev.target.closest("a, button, summary, details, input, select")) return;
    window.location.href = row.dataset.rowLink;
  });

  /* "Next" on a case one holds: leaving it is a skip, so open the skip form (its reason is
     required) and go on to the next case once it is sent. */
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-skip-then-next]");
    if (!button) return;
    ev.preventDefault();
    var popover = document.getElementById("skip-popover");
    if (!popover) return;
    popover.open = true;
    var advance = popover.querySelector('input[name="advance"]');
    if (advance) advance.value = "1";
    var hint = popover.querySelector("[data-skip-next-hint]");
    if (hint) hint.hidden = false;
    var first = popover.querySelector("select, input:not([type=hidden]), textarea");
    if (first) first.focus();
  });

  /* Thumbnails: blurred until the moderator reveals them (their preference); a thumbnail the
     proxy could not fetch says so instead of showing a broken image. */
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-reveal-thumb]");
    if (!button) return;
    var wrap = button.closest("[data-thumb]");
    if (wrap) wrap.classList.remove("blurred");
  });
  document.addEventListener("error", function (ev) {
    var img = ev.target;
    if (!img.matches || !img.matches("[data-thumb-img]")) return;
    var wrap = img.closest("[data-thumb]");
    img.hidden = true;
    if (wrap) {
      wrap.classList.remove("blurred");
      var failed = wrap.querySelector(".thumb-failed");
      if (failed) failed.hidden = false;
    }
  }, true);

  /* --- Auto-submit selects (the language switch) ----------------------------------------- */
  document.addEventListener("change", function (ev) {
    if (ev.target.matches && ev.target.matches("select[data-autosubmit]")) ev.target.form.submit();
  });

  /* --- SLA countdowns ---------------------------------------------------------------------- */
  function fmt(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var d = Math.floor(minutes / 1440), h = Math.floor((minutes % 1440) / 60), m = minutes % 60;
    if (d) return d + " " + UNITS.d + " " + h + " " + UNITS.h;
    if (h) return h + " " + UNITS.h + " " + m + " " + UNITS.m;
    return m + " " + UNITS.m;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      if (!el.dataset.due) return;
      var left = Date.parse(el.dataset.due) - now;
      el.textContent = left < 0 ? UNITS.past + fmt(left) : fmt(left);
      el.classList.remove("sla-ok", "sla-near", "sla-past");
      el.classList.add(left < 0 ? "sla-past" : left <= 3600000 ? "sla-near" : "sla-ok");
    });
  }
  setInterval(tick, 30000);

  /* --- The decision form ------------------------------------------------------------------- */
  function syncDecisionForm() {
    var form = document.getElementById("decision-form");
    if (!form) return;
    var checked = form.querySelector('input[name="action"]:checked');
    var action = checked ? checked.value : "";
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = el.dataset.showFor !== action;
    });
    form.querySelectorAll(".action-option").forEach(function (el) {
      el.classList.toggle("chosen", el.dataset.action === action);
    });
  }
  document.addEventListener("change", function (ev) {
    if (ev.target.name === "action") syncDecisionForm();
  });

  /* Drafts: the statement a moderator typed survives a reload or a lost claim. */
  function draftForms() { return document.querySelectorAll("form[data-draft-key]"); }
  function restoreDrafts() {
    draftForms().forEach(function (form) {
      var saved;
      try { saved = JSON.parse(sessionStorage.getItem("draft:" + form.dataset.draftKey) || "null"); }
      catch (e) { saved = null; }
      if (!saved) return;
      Object.keys(saved).forEach(function (name) {
        var field = form.elements[name];
        if (field && field.tagName === "TEXTAREA" && !field.value) field.value = saved[name];
      });
    });
  }
  document.addEventListener("input", function (ev) {
    var form = ev.target.form;
    if (!form || !form.dataset.draftKey || ev.target.tagName !== "TEXTAREA") return;
    var data = {};
    form.querySelectorAll("textarea").forEach(function (t) { data[t.name] = t.value; });
    try { sessionStorage.setItem("draft:" + form.dataset.draftKey, JSON.stringify(data)); } catch (e) { /* full */ }
  });

  /* --- Release the claim when the case page is left --------------------------------------- */
  var keepClaim = false;
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.matches("[data-keeps-claim]")) keepClaim = true;
    if (form.dataset.draftKey) {
      try { sessionStorage.removeItem("draft:" + form.dataset.draftKey); } catch (e) { /* ignore */ }
    }
  });
  window.addEventListener("pagehide", function () {
    var root = document.getElementById("case-root");
    if (!root || !root.hasAttribute("data-holds-claim") || keepClaim) return;
    if (document.getElementById("lease") && document.querySelector(".lease-expired")) return;
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    var body = new FormData();
    body.append("beacon", "1");
    if (token) body.append("csrfmiddlewaretoken", token.value);
    navigator.sendBeacon(root.dataset.releaseUrl, body);
  });
  /* Back/forward cache: a page restored from it holds no claim any more; reload it. */
  window.addEventListener("pageshow", function (ev) {
    if (ev.persisted && document.getElementById("case-root")) window.location.reload();
  });

  document.addEventListener("DOMContentLoaded", function () {
    syncDecisionForm();
    restoreDrafts();
  });
})();
