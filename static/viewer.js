// Session Desk: the document viewer. Without this file each document is shown whole, fitted
// to its frame. With it, the image is sized (never CSS-scaled) to the zoom level inside a
// scrolling stage, so every part of it can be scrolled to at every zoom: drag to pan,
// wheel or pinch to zoom around the pointer, and on the focused stage + / - / 0 and the
// arrow keys. Rotation turns the image inside a box sized to the turned image.
(function () {
  "use strict";

  var LEVELS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3, 4, 6];
  var MIN = LEVELS[0];
  var MAX = LEVELS[LEVELS.length - 1];

  function clamp(z) { return Math.min(MAX, Math.max(MIN, z)); }
  function round(z) { return Math.round(z * 100) / 100; }

  function setup(viewer) {
    var stage = viewer.querySelector(".viewer-stage");
    var img = viewer.querySelector(".viewer-image");
    var level = viewer.querySelector("[data-zoom-label]");
    if (!stage || !img) return;
    var canvas = document.createElement("div");
    canvas.className = "viewer-canvas";
    stage.insertBefore(canvas, img);
    canvas.appendChild(img);
    viewer.classList.add("viewer-live");
    var state = { zoom: 1, rotate: 0, touched: false };

    function turned() { return ((state.rotate % 360) + 360) % 360; }

    // The image's size at 100 %: the whole (turned) image fits the stage.
    function fit() {
      var w = img.naturalWidth || 1;
      var h = img.naturalHeight || 1;
      var sideways = turned() % 180 !== 0;
      var bw = sideways ? h : w;
      var bh = sideways ? w : h;
      var sw = stage.clientWidth || bw;
      var sh = stage.clientHeight || bh;
      var s = Math.min(sw / bw, sh / bh);
      return { w: w * s, h: h * s, sideways: sideways };
    }

    // Sizes the image for the zoom, keeping the stage point (px, py) over the same spot of
    // the image.
    function apply(px, py) {
      var before = { w: canvas.offsetWidth || 1, h: canvas.offsetHeight || 1 };
      if (px === undefined) { px = stage.clientWidth / 2; py = stage.clientHeight / 2; }
      var fx = (stage.scrollLeft + px - canvas.offsetLeft) / before.w;
      var fy = (stage.scrollTop + py - canvas.offsetTop) / before.h;
      var base = fit();
      var w = base.w * state.zoom;
      var h = base.h * state.zoom;
      var cw = base.sideways ? h : w;
      var ch = base.sideways ? w : h;
      canvas.style.width = cw + "px";
      canvas.style.height = ch + "px";
      img.style.width = w + "px";
      img.style.height = h + "px";
      img.style.left = (cw - w) / 2 + "px";
      img.style.top = (ch - h) / 2 + "px";
      img.style.transform = turned() ? "rotate(" + turned() + "deg)" : "";
      stage.scrollLeft = fx * cw + canvas.offsetLeft - px;
      stage.scrollTop = fy * ch + canvas.offsetTop - py;
      if (state.touched) {
        img.setAttribute("data-zoom-level", String(round(state.zoom)));
        img.setAttribute("data-rotation", String(turned()));
      }
      if (level) level.textContent = Math.round(state.zoom * 100) + "%";
    }

    function zoomTo(z, px, py) {
      state.touched = true;
      state.zoom = round(clamp(z));
      apply(px, py);
    }
    function step(direction) {
      var z = state.zoom;
      var next = direction > 0
        ? LEVELS.find(function (l) { return l > z + 0.001; })
        : LEVELS.slice().reverse().find(function (l) { return l < z - 0.001; });
      zoomTo(next === undefined ? z : next);
    }
    function pan(dx, dy) {
      stage.scrollLeft += dx;
      stage.scrollTop += dy;
    }

    if (img.complete && img.naturalWidth) apply();
    img.addEventListener("load", function () { apply(); });
    window.addEventListener("resize", function () { apply(); });

    viewer.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var zoom = button.getAttribute("data-zoom");
      var rotate = button.getAttribute("data-rotate");
      if (zoom === "in") step(1);
      if (zoom === "out") step(-1);
      if (zoom === "reset") { state.rotate = 0; zoomTo(1); }
      if (rotate) { state.touched = true; state.rotate += parseInt(rotate, 10); apply(); }
    });

    stage.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var k = event.key;
      var dx = stage.clientWidth / 8;
      var dy = stage.clientHeight / 8;
      if (k === "+" || k === "=") step(1);
      else if (k === "-" || k === "_") step(-1);
      else if (k === "0") { state.rotate = 0; zoomTo(1); }
      else if (k === "ArrowLeft") pan(-dx, 0);
      else if (k === "ArrowRight") pan(dx, 0);
      else if (k === "ArrowUp") pan(0, -dy);
      else if (k === "ArrowDown") pan(0, dy);
      else return;
      event.preventDefault();
      event.stopPropagation();
    });

    function local(event) {
      var r = stage.getBoundingClientRect();
      return { x: event.clientX - r.left - stage.clientLeft, y: event.clientY - r.top - stage.clientTop };
    }

    // Wheel (and a touchpad's pinch, which Chromium sends as a wheel with Ctrl) zooms
    // around the pointer.
    stage.addEventListener("wheel", function (event) {
      event.preventDefault();
      var p = local(event);
      var factor = Math.exp(-event.deltaY * (event.ctrlKey ? 0.01 : 0.002));
      zoomTo(state.zoom * factor, p.x, p.y);
    }, { passive: false });

    // One pointer drags the image; two pinch it.
    var pointers = {};
    var pinch = null;
    function spread() {
      var ps = Object.keys(pointers).map(function (k) { return pointers[k]; });
      if (ps.length < 2) return null;
      return {
        d: Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y),
        x: (ps[0].x + ps[1].x) / 2,
        y: (ps[0].y + ps[1].y) / 2
      };
    }
    stage.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      pointers[event.pointerId] = local(event);
      stage.setPointerCapture(event.pointerId);
      stage.classList.add("dragging");
      var s = spread();
      if (s) pinch = { d: s.d, zoom: state.zoom };
    });
    stage.addEventListener("pointermove", function (event) {
      var last = pointers[event.pointerId];
      if (!last) return;
      var now = local(event);
      pointers[event.pointerId] = now;
      var s = spread();
      if (s && pinch && pinch.d > 0) {
        zoomTo(pinch.zoom * (s.d / pinch.d), s.x, s.y);
      } else if (!s) {
        pan(last.x - now.x, last.y - now.y);
      }
      event.preventDefault();
    });
    function lift(event) {
      delete pointers[event.pointerId];
      if (!spread()) pinch = null;
      if (!Object.keys(pointers).length) stage.classList.remove("dragging");
    }
    stage.addEventListener("pointerup", lift);
    stage.addEventListener("pointercancel", lift);
  }

  document.querySelectorAll("[data-viewer]").forEach(setup);
})();
