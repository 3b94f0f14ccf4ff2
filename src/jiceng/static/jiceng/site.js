// Behaviour without inline script (the CSP forbids it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select.autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("button.toggle").forEach(bindToggle);
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    evt.detail.target.querySelectorAll("button.toggle").forEach(bindToggle);
  });
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
