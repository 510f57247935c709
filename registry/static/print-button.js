// The renewal pack's "Print or save as PDF" button (renewal-pack.css shows it only when JavaScript runs).
document.querySelectorAll("[data-registry-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
