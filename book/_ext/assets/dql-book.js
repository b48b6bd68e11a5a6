/* On every page of the book (book/_ext/dql_assets.py), deferred: an inline formula wider than
 * its paragraph (a long polynomial on a phone) scrolls in its own box instead of running off
 * the screen. MathJax 3 has no line breaking, so the formula is marked once it is typeset.
 * Prints nothing to the console.
 */
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".bd-content mjx-container:not([display='true'])").forEach(
      function (el) {
        var box = el.closest("p, li, td, th, dd, figcaption") || el.parentNode;
        var wide = el.getBoundingClientRect().width > box.getBoundingClientRect().width;
        el.classList.toggle("dql-wide-math", wide);
      }
    );
  }
  function start() {
    var typeset = window.MathJax && MathJax.startup && MathJax.startup.promise;
    (typeset || Promise.resolve()).then(mark, function () {});
    var timer;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(mark, 200);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
