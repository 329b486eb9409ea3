/*
 * The coordinator's grouping pages, made quicker with JavaScript; everything
 * works without it.
 *
 * Proposal page: a person can be dragged onto another group. The drop fills
 * in and posts the person's own "Move to…" form (the keyboard and screen-reader
 * way), then puts the page's fresh groups, goals and warnings in place and
 * reads the result out in a live region. If anything goes wrong, the form is
 * simply submitted and the whole page comes back. A drop on a group at a time
 * the person did not agree to moves nobody and says why. On a big proposal,
 * which shows a page of groups at a time, the drop targets are that page's.
 *
 * Accept page: choosing a group's weekday moves its first meeting to the first
 * such day that is still far enough ahead.
 */
(function () {
  "use strict";

  function announce(text, kind) {
    var live = document.getElementById("proposal-announce");
    if (!live) { return; }
    live.textContent = "";
    if (!text) { return; }
    window.setTimeout(function () {
      var note = document.createElement("p");
      note.className = "notice " + (kind || "success");
      note.textContent = text;
      live.appendChild(note);
    }, 100);
  }

  function hasOption(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { return true; }
    }
    return false;
  }

  // A person can be moved only to a group at a time they agreed to: a drop elsewhere says so.
  function refuse(person, card) {
    var item = document.getElementById("person-" + person);
    var board = document.getElementById("proposal-board");
    var text = board && board.getAttribute("data-not-agreed");
    if (!item || !text || card.contains(item)) { return; }  // dropped on the group they are in
    var name = item.getAttribute("data-name") || "";
    var group = card.getAttribute("data-group-name") || "";
    // Functions, so that a "$" in a name is taken as it is.
    announce(text.replace("%(name)s", function () { return name; })
      .replace("%(group)s", function () { return group; }), "warning");
  }

  function move(person, card) {
    var key = card.getAttribute("data-group-key");
    var form = document.getElementById("move-" + person);
    if (!form) { return; }
    var select = form.querySelector("select[name='group']");
    if (!select) { return; }
    if (!hasOption(select, key)) { refuse(person, card); return; }
    select.value = key;
    var body = new FormData(form);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": String(body.get("csrfmiddlewaretoken") || "") }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var incoming = fresh.getElementById("proposal-current");
      var current = document.getElementById("proposal-current");
      if (!incoming || !current) { window.location.reload(); return; }
      current.replaceWith(document.importNode(incoming, true));
      var notes = fresh.querySelectorAll(".messages .notice");
      var text = [];
      notes.forEach(function (note) { text.push(note.textContent.trim()); });
      announce(text.join(" "));
      bindBoard();
      var moved = document.getElementById("move-" + person + "-group");
      if (moved) { moved.focus(); }
    }).catch(function () {
      form.submit();
    });
  }

  function bindBoard() {
    document.querySelectorAll("[data-move-form]").forEach(function (item) {
      item.setAttribute("draggable", "true");
      item.addEventListener("dragstart", function (event) {
        event.dataTransfer.setData("text/plain", item.getAttribute("data-person"));
        event.dataTransfer.effectAllowed = "move";
        item.classList.add("dragging");
      });
      item.addEventListener("dragend", function () { item.classList.remove("dragging"); });
    });
    document.querySelectorAll("[data-group-key]").forEach(function (card) {
      card.addEventListener("dragover", function (event) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        card.classList.add("drop-target");
      });
      card.addEventListener("dragleave", function (event) {
        if (!card.contains(event.relatedTarget)) { card.classList.remove("drop-target"); }
      });
      card.addEventListener("drop", function (event) {
        event.preventDefault();
        card.classList.remove("drop-target");
        var person = event.dataTransfer.getData("text/plain");
        if (person) { move(person, card); }
      });
    });
  }

  function isoDate(day) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return day.getFullYear() + "-" + two(day.getMonth() + 1) + "-" + two(day.getDate());
  }

  function bindWeekdays() {
    document.querySelectorAll("select[data-date-field]").forEach(function (select) {
      select.addEventListener("change", function () {
        var field = document.getElementById(select.getAttribute("data-date-field"));
        var earliest = field && field.getAttribute("data-earliest");
        if (!earliest || select.value === "") { return; }
        var day = new Date(earliest + "T12:00:00");
        var wanted = (Number(select.value) + 1) % 7;  // Monday is 0 here, Sunday is 0 in JavaScript
        day.setDate(day.getDate() + ((wanted - day.getDay() + 7) % 7));
        field.value = isoDate(day);
      });
    });
  }

  function ready() {
    bindBoard();
    bindWeekdays();
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
