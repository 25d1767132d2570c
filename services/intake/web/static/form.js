// Seals an anonymous reporter's contact details in the browser (libsodium sealed box to
// the confidential adviser's public key), so the plain details never leave this page.
// Without JavaScript, or before libsodium is ready, the form still works: the server
// seals instead, and the page says so.
(function () {
  "use strict";

  var form = document.getElementById("melding-form");
  var status = document.getElementById("sealing-status");
  if (!form || !status || !window.sodium) {
    return;
  }
  var sodium = window.sodium;
  var identityFields = ["name", "email", "phone"];
  var ready = false;

  sodium.ready.then(function () {
    ready = true;
    status.textContent = status.getAttribute("data-browser");
  });

  function anonymous() {
    var choice = form.querySelector('input[name="anonymous"]:checked');
    return choice !== null && choice.value === "true";
  }

  // The server cannot check what it cannot read: check email and phone here, and show
  // the problem next to the field the same way the server does.
  function showError(input) {
    var id = input.id + "-error";
    var message = document.getElementById(id);
    if (message === null) {
      message = document.createElement("p");
      message.id = id;
      message.className = "error";
      input.parentNode.insertBefore(message, input);
    }
    message.textContent = input.getAttribute("data-error");
    input.setAttribute("aria-invalid", "true");
    var described = (input.getAttribute("aria-describedby") || "").split(" ");
    if (described.indexOf(id) < 0) {
      described.push(id);
      input.setAttribute("aria-describedby", described.join(" ").trim());
    }
  }

  function invalidFields() {
    return ["email", "phone"].map(function (name) {
      return form.elements[name];
    }).filter(function (input) {
      return input.value.trim() !== "" && !input.validity.valid;
    });
  }

  form.addEventListener("submit", function (event) {
    if (!ready || !anonymous()) {
      return;
    }
    var identity = {};
    identityFields.forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value !== "") {
        identity[name] = value;
      }
    });
    if (Object.keys(identity).length === 0) {
      return; // nothing typed: nothing to seal (an earlier sealed value may stay)
    }
    var invalid = invalidFields();
    if (invalid.length > 0) {
      event.preventDefault();
      invalid.forEach(showError);
      invalid[0].focus();
      return;
    }
    // Each kind names the adviser it goes to (VPI or VPOO), each with their own key.
    var kind = form.querySelector("input[name=kind]:checked");
    var prefix = kind && kind.getAttribute("data-adviser") === "conduct" ? "data-conduct-" : "data-";
    var key = sodium.from_base64(form.getAttribute(prefix + "adviser-key"),
      sodium.base64_variants.ORIGINAL);
    var sealed = sodium.crypto_box_seal(sodium.from_string(JSON.stringify(identity)), key);
    form.elements.identity_sealed.value = sodium.to_base64(sealed,
      sodium.base64_variants.ORIGINAL);
    form.elements.key_id.value = form.getAttribute(prefix + "key-id");
    // Disabled fields are not sent: only the sealed box leaves the browser.
    identityFields.forEach(function (name) {
      form.elements[name].disabled = true;
    });
  });

  // Coming back to the page (history): let the reporter edit the details again.
  window.addEventListener("pageshow", function () {
    identityFields.forEach(function (name) {
      form.elements[name].disabled = false;
    });
  });
})();
