// Nudgeflow cart capture: theme app extension asset, loaded with `defer` by blocks/cart-capture.liquid.
// It follows the storefront cart (/cart.js, read again after the theme's own cart requests and forms), notices an
// email the shopper types into a form (newsletter, contact, account) and reports both to the app through the App
// Proxy on the same origin (/apps/nudgeflow/capture). Where the Customer Privacy API says consent is required and
// not given, nothing is read, kept or sent. No dependencies, nothing before the page has loaded; stays under
// 10 KB gzipped (test/integration/cart-capture-extension.test.ts). docs/decisions/0010-storefront-capture.md
(function () {
  "use strict";

  var w = window;
  var d = document;
  var nf = (w.Nudgeflow = w.Nudgeflow || {});
  if (nf.started) return;
  nf.started = true;

  var cfg = nf.config || {};
  var routes = (w.Shopify && w.Shopify.routes) || {};
  var root = String(routes.root || cfg.root || "/").replace(/\/?$/, "/");
  var endpoint = cfg.endpoint || "/apps/nudgeflow/capture";
  var delay = cfg.debounceMs || 600;
  var nativeFetch = w.fetch;
  var CART_CHANGE = /\/cart\/(add|change|update|clear)(\.js)?\/?$/;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var SENT = "nudgeflow:sent";
  var EMAIL_KEY = "nudgeflow:email";
  var timer = 0;
  var email = load(EMAIL_KEY);
  var lastCart = null;

  function noop() {}

  function load(key) {
    try {
      return w.sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function save(key, value) {
    try {
      w.sessionStorage.setItem(key, value);
    } catch (e) {
      /* storage off: we only send a little more often */
    }
  }

  function privacy() {
    return (w.Shopify && w.Shopify.customerPrivacy) || null;
  }

  // true: capture allowed; false: not allowed (or not known yet). Without Shopify's storefront there is no consent
  // framework to ask, so capture is allowed; on a Shopify storefront the Customer Privacy API decides, and until it
  // has loaded nothing is captured.
  function allowed() {
    var p = privacy();
    if (!p) return !(w.Shopify && w.Shopify.loadFeatures);
    try {
      if (typeof p.marketingAllowed === "function") return p.marketingAllowed() === true;
      if (typeof p.userCanBeTracked === "function") return p.userCanBeTracked() === true;
    } catch (e) {
      /* a broken API allows nothing */
    }
    return false;
  }

  function consentFlags() {
    var p = privacy();
    if (!p) return null;
    var flag = function (name) {
      try {
        return typeof p[name] === "function" ? p[name]() === true : null;
      } catch (e) {
        return null;
      }
    };
    return { marketing: flag("marketingAllowed"), analytics: flag("analyticsProcessingAllowed") };
  }

  function loadPrivacy(then) {
    var s = w.Shopify;
    if (privacy() || !s || typeof s.loadFeatures !== "function") return then();
    try {
      s.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], function (error) {
        if (!error) then();
      });
    } catch (e) {
      /* no API, no capture */
    }
  }

  function pathOf(url) {
    try {
      var parsed = new URL(String(url), w.location.href);
      return parsed.origin === w.location.origin ? parsed.pathname : "";
    } catch (e) {
      return "";
    }
  }

  function isCartChange(url) {
    return CART_CHANGE.test(pathOf(url));
  }

  function hash(text) {
    var h = 5381;
    for (var i = 0; i < text.length; i++) h = ((h << 5) + h + text.charCodeAt(i)) | 0;
    return String(h);
  }

  function text(value, max) {
    return value == null ? null : String(value).slice(0, max);
  }

  function line(item) {
    return {
      variant_id: item.variant_id,
      product_id: item.product_id,
      sku: text(item.sku, 255),
      title: text(item.title, 500) || "",
      product_title: text(item.product_title, 500),
      variant_title: text(item.variant_title, 500),
      quantity: item.quantity,
      price: item.price,
      image: typeof item.image === "string" && item.image.length <= 2048 ? item.image : null,
    };
  }

  function post(body) {
    return nativeFetch.call(w, endpoint, {
      method: "POST",
      credentials: "same-origin",
      keepalive: body.length < 60000,
      headers: { "Content-Type": "application/json" },
      body: body,
    });
  }

  // Reports the cart (and the email, if any) unless this tab already reported exactly that.
  function send(cart) {
    if (!allowed() || !cart || !cart.token) return;
    if (email && !EMAIL.test(email)) email = null;
    var items = (cart.items || []).slice(0, 250);
    var previous = load(SENT);
    if (!items.length && !email && !previous) return; // an empty, anonymous cart tells nothing
    var payload = { token: String(cart.token), currency: cart.currency || null, items: items.map(line) };
    if (email) payload.email = email;
    var flags = consentFlags();
    if (flags) payload.consent = flags;
    var body = JSON.stringify(payload);
    // The proxy adds the logged-in customer: the same cart after a login is news (it names the shopper).
    var key = hash(body + "|" + (cfg.customer || ""));
    if (key === previous) return;
    post(body)
      .then(function (response) {
        if (response.ok) save(SENT, key);
      })
      .catch(noop);
  }

  function readCart() {
    timer = 0;
    if (!allowed()) return;
    nativeFetch
      .call(w, root + "cart.js", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (cart) {
        if (!cart || !cart.token) return;
        lastCart = cart;
        send(cart);
        prompt(cart);
      })
      .catch(noop);
  }

  // Debounced: a drawer that adds, then changes, then re-renders causes one read.
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(readCart, delay);
  }

  // Keeps a typed address for this tab, only when capture is allowed; true when there is one to send.
  function remember(value) {
    var address = String(value || "").trim().toLowerCase();
    if (!EMAIL.test(address) || address.length > 254 || !allowed()) return false;
    email = address;
    save(EMAIL_KEY, address);
    return true;
  }

  function isEmailInput(el) {
    return !!el && el.tagName === "INPUT" && (el.type === "email" || /email/i.test(el.name || ""));
  }

  function emailIn(form) {
    var fields = form.querySelectorAll ? form.querySelectorAll("input") : [];
    for (var i = 0; i < fields.length; i++) if (isEmailInput(fields[i]) && fields[i].value) return fields[i].value;
    return null;
  }

  // The theme's own cart requests: fetch…
  if (typeof nativeFetch === "function") {
    w.fetch = function (input) {
      var result = nativeFetch.apply(this, arguments);
      try {
        if (isCartChange(input && input.url ? input.url : input)) result.then(schedule, schedule);
      } catch (e) {
        /* never in the theme's way */
      }
      return result;
    };
  }

  // …and XMLHttpRequest (older themes, jQuery).
  var xhr = w.XMLHttpRequest && w.XMLHttpRequest.prototype;
  if (xhr && xhr.open) {
    var open = xhr.open;
    xhr.open = function (method, url) {
      try {
        if (isCartChange(url)) this.addEventListener("loadend", schedule);
      } catch (e) {
        /* never in the theme's way */
      }
      return open.apply(this, arguments);
    };
  }

  // Forms: a submitted email is sent at once (the page may be leaving; keepalive carries it), a cart form re-reads.
  d.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form || form.tagName !== "FORM") return;
      if (remember(emailIn(form))) {
        if (lastCart) send(lastCart);
        else schedule();
      }
      if (isCartChange(form.getAttribute("action") || "")) schedule();
    },
    true,
  );

  d.addEventListener(
    "change",
    function (event) {
      if (isEmailInput(event.target) && remember(event.target.value)) schedule();
    },
    true,
  );

  // The shopper answered the consent banner.
  d.addEventListener("visitorConsentCollected", schedule);

  // The merchant's optional prompt: once per session, after something is in the cart, for a shopper we cannot name.
  function prompt(cart) {
    if (!cfg.prompt || email || cfg.customer || !cart.item_count || load("nudgeflow:prompted") || !d.body) return;
    save("nudgeflow:prompted", "1");
    var box = d.createElement("form");
    box.setAttribute("data-nudgeflow-prompt", "");
    box.style.cssText =
      "position:fixed;right:16px;bottom:16px;z-index:2147483000;max-width:320px;padding:16px;background:#fff;color:#111;" +
      "border:1px solid #ccc;border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.15);font:14px/1.4 sans-serif";
    var message = d.createElement("p");
    message.style.margin = "0 0 8px";
    message.textContent = cfg.promptText || "";
    var input = d.createElement("input");
    input.type = "email";
    input.required = true;
    input.autocomplete = "email";
    input.setAttribute("aria-label", cfg.promptText || "Email");
    input.style.cssText = "width:100%;box-sizing:border-box;padding:8px;margin:0 0 8px";
    var ok = d.createElement("button");
    ok.type = "submit";
    ok.textContent = cfg.promptButton || "OK";
    var close = d.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", cfg.promptClose || "Close");
    close.style.marginLeft = "8px";
    close.onclick = function () {
      box.remove();
    };
    box.onsubmit = function (event) {
      event.preventDefault(); // the document listener above has taken the address
      box.remove();
    };
    box.appendChild(message);
    box.appendChild(input);
    box.appendChild(ok);
    box.appendChild(close);
    d.body.appendChild(box);
  }

  function start() {
    loadPrivacy(schedule);
  }

  function idle() {
    if (w.requestIdleCallback) w.requestIdleCallback(start, { timeout: 3000 });
    else setTimeout(start, 1);
  }

  if (d.readyState === "complete") idle();
  else w.addEventListener("load", idle);
})();
