// Print the figures behind every chart: open the collapsed data tables before printing.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.print-open").forEach(function (details) {
    details.open = true;
  });
});
