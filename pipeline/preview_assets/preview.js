// The review page: search by text, filter by tag, page and status, day/night; state mirrored in the URL hash.
(function () {
  "use strict";
  var errors = document.getElementById("pv-errors");
  window.addEventListener("error", function (event) {
    errors.hidden = false;
    errors.textContent += (event.message || "error") + "\n";
  });
  var cards = Array.prototype.slice.call(document.querySelectorAll(".pv-card"));
  var search = document.getElementById("pv-search");
  var tag = document.getElementById("pv-tag");
  var source = document.getElementById("pv-source");
  var status = document.getElementById("pv-status");
  var night = document.getElementById("pv-night");
  var count = document.getElementById("pv-count");
  var box = document.getElementById("pv-cards");

  function words(value) { return value ? value.split(" ") : []; }

  function apply() {
    var text = search.value.trim().toLowerCase();
    var shown = 0;
    cards.forEach(function (card) {
      var ok = (!text || card.dataset.text.indexOf(text) >= 0) &&
        (!tag.value || words(card.dataset.tags).indexOf(tag.value) >= 0) &&
        (!source.value || words(card.dataset.sources).indexOf(source.value) >= 0) &&
        (!status.value || card.dataset.status === status.value);
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    box.classList.toggle("nightMode", night.checked);
    box.classList.toggle("night_mode", night.checked);
    count.textContent = shown + " of " + cards.length + " cards";
    document.body.dataset.shown = String(shown);
  }

  function fromHash() {
    var params = new URLSearchParams(window.location.hash.slice(1));
    search.value = params.get("q") || "";
    tag.value = params.get("tag") || "";
    source.value = params.get("page") || "";
    status.value = params.get("status") || "";
    night.checked = params.get("night") === "1";
  }

  function toHash() {
    var params = new URLSearchParams();
    if (search.value) { params.set("q", search.value); }
    if (tag.value) { params.set("tag", tag.value); }
    if (source.value) { params.set("page", source.value); }
    if (status.value) { params.set("status", status.value); }
    if (night.checked) { params.set("night", "1"); }
    history.replaceState(null, "", "#" + params.toString());
  }

  [search, tag, source, status, night].forEach(function (control) {
    control.addEventListener("input", function () { apply(); toHash(); });
    control.addEventListener("change", function () { apply(); toHash(); });
  });
  fromHash();
  apply();
}());
