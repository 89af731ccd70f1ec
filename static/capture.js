// The capture flow's enhancement. Every step works without it; with it the consent form
// sends the screen size, a chosen photo is previewed, and a large camera photo is scaled
// down (longer side 2400 px, JPEG) before it is uploaded, which saves a phone on a slow
// network most of a 12-megapixel file.
(function () {
  "use strict";
  var MAX_SIDE = 2400;

  document.querySelectorAll("form[data-screen] input[name=screen]").forEach(function (input) {
    var s = window.screen;
    if (s && s.width && s.height) {
      input.value = Math.round(s.width) + "x" + Math.round(s.height);
    }
  });

  function downscale(file, done) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) {
      return done(file);
    }
    createImageBitmap(file).then(function (bitmap) {
      var longer = Math.max(bitmap.width, bitmap.height);
      if (longer <= MAX_SIDE) {
        return done(file);
      }
      var scale = MAX_SIDE / longer;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (!blob) {
          return done(file);
        }
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        done(new File([blob], name, { type: "image/jpeg" }));
      }, "image/jpeg", 0.9);
    }, function () { done(file); });
  }

  document.querySelectorAll("form[data-photo]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var preview = form.querySelector(".cap-preview");
    if (!input) {
      return;
    }
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) {
        return;
      }
      downscale(file, function (smaller) {
        if (smaller !== file && window.DataTransfer) {
          var dt = new DataTransfer();
          dt.items.add(smaller);
          input.files = dt.files;
        }
        if (preview && /^image\//.test(smaller.type)) {
          if (preview.dataset.url) {
            URL.revokeObjectURL(preview.dataset.url);
          }
          preview.dataset.url = URL.createObjectURL(smaller);
          preview.src = preview.dataset.url;
          preview.hidden = false;
        }
      });
    });
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button && form.dataset.checking) {
        button.textContent = form.dataset.checking;
      }
      form.classList.add("cap-busy");
    });
  });
})();
