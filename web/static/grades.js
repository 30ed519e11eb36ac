// Cartable – marks entry grid (/notes/evaluations/:id/saisie).
// Keyboard moves (Enter or arrow down: next pupil; arrow up: previous), a/d shortcuts for
// Abs/Disp, pasting a spreadsheet column, and a pre-check of each cell next to it. The server
// checks everything again and refuses the whole grid on any error: this script only saves
// time, and the page works without it.
(function () {
  "use strict";

  var form = document.getElementById("grille");
  if (!form) {
    return;
  }
  var scaleText = form.getAttribute("data-scale") || "20";
  var scale = toHundredths(scaleText);
  var status = document.getElementById("grid-status");
  var dirty = form.getAttribute("data-unsaved") === "1";
  var submitting = false;

  // toHundredths reads "12", "12,5", "12.25" (two decimals at most) as an integer number of
  // hundredths, or returns null (same rule as the server's ParseHundredths).
  function toHundredths(text) {
    var m = /^(\d{0,4})(?:[.,](\d{0,2}))?$/.exec(text);
    if (!m || (m[1] === "" && (m[2] === undefined || m[2] === ""))) {
      return null;
    }
    var frac = ((m[2] || "") + "00").slice(0, 2);
    return parseInt(m[1] || "0", 10) * 100 + parseInt(frac, 10);
  }

  // normalise turns the shortcuts into the codes the server stores.
  function normalise(input) {
    var v = input.value.trim();
    var codes = { a: "Abs", abs: "Abs", d: "Disp", disp: "Disp", nn: "NN" };
    var code = codes[v.toLowerCase()];
    if (code) {
      v = code;
    }
    if (v !== input.value) {
      input.value = v;
    }
  }

  // problem returns the French message for a wrong cell, "" when it is acceptable.
  function problem(text) {
    if (text === "" || /^(abs|disp|nn|a|d)$/i.test(text)) {
      return "";
    }
    var v = toHundredths(text);
    if (v === null) {
      return "« " + text + " » n'est pas une note : un nombre (deux décimales au plus, ex. 12,5), Abs, Disp ou NN";
    }
    if (scale !== null && v > scale) {
      return text + " dépasse le barème (/" + scaleText + ")";
    }
    return "";
  }

  function showProblem(input) {
    var id = "err-" + input.id.replace(/^note-/, "");
    var p = document.getElementById(id);
    var msg = problem(input.value.trim());
    if (!msg) {
      if (p) {
        p.parentNode.removeChild(p);
      }
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      return false;
    }
    if (!p) {
      p = document.createElement("p");
      p.className = "field-error";
      p.id = id;
      input.parentNode.insertBefore(p, input.nextSibling);
    }
    p.textContent = msg;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    return true;
  }

  function check(input) {
    normalise(input);
    return showProblem(input);
  }

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  var marks = Array.prototype.slice.call(form.querySelectorAll("input.grid-mark"));
  var comments = Array.prototype.slice.call(form.querySelectorAll("input[name^='comm_']"));

  function move(input, step) {
    var next = marks[marks.indexOf(input) + step];
    if (next) {
      next.focus();
      next.select();
    }
    return next;
  }

  function onKey(e) {
    var input = e.target;
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) {
      return;
    }
    if (e.key === "Enter" || e.key === "ArrowDown" || e.key === "Down") {
      e.preventDefault();
      check(input);
      if (!move(input, 1) && e.key === "Enter") {
        // Last pupil: Enter goes to the save button rather than submitting at once.
        var button = form.querySelector("button[type=submit]");
        if (button) {
          button.focus();
        }
      }
    } else if (e.key === "ArrowUp" || e.key === "Up") {
      e.preventDefault();
      check(input);
      move(input, -1);
    }
  }

  // onCommentKey: Enter in a comment goes on to the next pupil's mark, not to the server.
  function onCommentKey(e) {
    if (e.key !== "Enter") {
      return;
    }
    e.preventDefault();
    var i = comments.indexOf(e.target);
    var next = marks[i + 1];
    if (next) {
      next.focus();
    }
  }

  // onPaste spreads a pasted column (one value a line; the first cell of each line when a
  // spreadsheet sends tabs) over this cell and the ones below.
  function onPaste(e) {
    var data = e.clipboardData || window.clipboardData;
    if (!data) {
      return;
    }
    var text = data.getData("text") || data.getData("Text") || "";
    var lines = text.split(/\r\n|\n|\r/);
    while (lines.length > 0 && lines[lines.length - 1].trim() === "") {
      lines.pop();
    }
    if (lines.length <= 1 && text.indexOf("\t") < 0) {
      return; // an ordinary paste of one value
    }
    e.preventDefault();
    var start = marks.indexOf(e.target);
    var filled = 0;
    var wrong = 0;
    for (var i = 0; i < lines.length && start + i < marks.length; i++) {
      var input = marks[start + i];
      input.value = lines[i].split("\t")[0].trim();
      if (check(input)) {
        wrong++;
      }
      filled++;
    }
    dirty = true;
    var msg = filled + " case(s) remplie(s) par le collage.";
    if (lines.length > filled) {
      msg += " " + (lines.length - filled) + " ligne(s) en trop ignorée(s) : plus de lignes que d'élèves.";
    }
    if (wrong > 0) {
      msg += " " + wrong + " case(s) à corriger.";
    }
    say(msg);
    var last = marks[start + filled - 1];
    if (last) {
      last.focus();
    }
  }

  marks.forEach(function (input) {
    input.addEventListener("keydown", onKey);
    input.addEventListener("paste", onPaste);
    input.addEventListener("change", function () { check(input); });
    input.addEventListener("input", function () { dirty = true; });
    input.addEventListener("focus", function () { input.select(); });
  });
  comments.forEach(function (input) {
    input.addEventListener("keydown", onCommentKey);
    input.addEventListener("input", function () { dirty = true; });
  });

  form.addEventListener("submit", function () {
    var wrong = 0;
    marks.forEach(function (input) {
      if (check(input)) {
        wrong++;
      }
    });
    if (wrong > 0) {
      say(wrong + " case(s) semblent incorrectes : le serveur les vérifie et n'enregistre rien tant qu'elles ne sont pas corrigées.");
    }
    submitting = true;
  });

  // Leaving the page with typed marks not saved asks first.
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !submitting) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
})();
