// Solves the login form's proof of work (docs/privacy.md) before it is sent: find a
// number n such that BLAKE2b-256("<challenge>:<n>") starts with the challenge's number
// of zero bits. A solved attempt is not limited per address, so someone guessing codes
// from the same network cannot lock this reporter out. Without JavaScript the form is
// sent without a proof and counts against the stricter per-address limit.
(function () {
  "use strict";

  var form = document.getElementById("mailbox-login");
  if (!form || !window.sodium) {
    return;
  }
  var sodium = window.sodium;
  var solving = false;

  function zeroBits(hash) {
    var bits = 0;
    for (var i = 0; i < hash.length; i++) {
      if (hash[i] === 0) {
        bits += 8;
        continue;
      }
      return bits + Math.clz32(hash[i]) - 24;
    }
    return bits;
  }

  function solve(challenge, done) {
    var wanted = parseInt(challenge.split(".")[2], 10);
    var counter = 0;
    // In slices, so the page stays responsive while it works.
    function slice() {
      for (var end = counter + 4000; counter < end; counter++) {
        var hash = sodium.crypto_generichash(32, sodium.from_string(challenge + ":" + counter));
        if (zeroBits(hash) >= wanted) {
          done(String(counter));
          return;
        }
      }
      window.setTimeout(slice, 0);
    }
    slice();
  }

  sodium.ready.then(function () {
    form.addEventListener("submit", function (event) {
      if (form.elements.proof.value !== "") {
        return; // solved: let it go
      }
      event.preventDefault();
      if (solving) {
        return;
      }
      solving = true;
      solve(form.elements.challenge.value, function (proof) {
        form.elements.proof.value = proof;
        form.submit();
      });
    });
  });
})();
