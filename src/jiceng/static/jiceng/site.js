// Behaviour without inline script (the CSP forbids it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select.autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("button.toggle").forEach(bindToggle);
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    evt.detail.target.querySelectorAll("button.toggle").forEach(bindToggle);
  });
  document.querySelectorAll(".search-select").forEach(bindSearchSelect);
  document.body.addEventListener("htmx:load", function (evt) {
    evt.detail.elt.querySelectorAll(".search-select").forEach(bindSearchSelect);
  });
  bindSearchRequests(document.body);
});

function bindToggle(btn) {
  if (btn.dataset.bound) return;
  btn.dataset.bound = "1";
  btn.addEventListener("click", function () {
    var list = btn.parentElement.querySelector(":scope > ul");
    if (btn.dataset.loaded && list) {
      list.hidden = !list.hidden;
      btn.textContent = list.hidden ? "+" : "−";
    } else {
      btn.dataset.loaded = "1";
      btn.textContent = "−";
    }
  });
}

// Searchable selects (core.widgets.SearchSelect): the search box shows only with script. It has no
// name, so the form never posts it; what it holds goes to the lookup as ?q=.
function bindSearchSelect(box) {
  if (box.dataset.bound) return;
  box.dataset.bound = "1";
  var input = box.querySelector("input.search-select-q");
  if (!input) return;
  input.parentNode.hidden = false;
  input.addEventListener("keydown", function (evt) {
    if (evt.key === "Enter" || evt.keyCode === 13) {
      // Enter searches at once and keeps the first match; it never submits the form half-filled
      evt.preventDefault();
      htmx.trigger(input, "search");
    }
  });
}

function bindSearchRequests(body) {
  function isSearch(elt) {
    return elt && elt.classList && elt.classList.contains("search-select-q");
  }
  body.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!isSearch(elt)) return;
    var q = elt.value.replace(/^\s+|\s+$/g, "");
    if (q && q.length < Number(elt.dataset.minChars || 1)) {
      evt.preventDefault();
      return;
    }
    evt.detail.parameters.q = q;
  });
  body.addEventListener("htmx:beforeSwap", function (evt) {
    if (!isSearch(evt.detail.elt)) return;
    if (evt.detail.xhr.status === 400) {
      // the answer is one disabled option saying what is wrong with the search: show it
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
    evt.detail.target.dataset.before = evt.detail.target.value;
  });
  body.addEventListener("htmx:afterSwap", function (evt) {
    var select = evt.detail.target;
    if (!isSearch(evt.detail.elt) || select.value === select.dataset.before) return;
    // the first match is now chosen: tell whatever listens to the select (a checklist that reloads)
    var change = document.createEvent("HTMLEvents");
    change.initEvent("change", true, false);
    select.dispatchEvent(change);
  });
}
