// Nudgeflow storefront snippet for WooCommerce, BigCommerce, Magento and custom storefronts: the generic twin of the
// Shopify theme embed (extensions/cart-capture/assets/cart-capture.js), kept in parallel with it (there is no build
// step that could share code between a theme asset and this file; docs/decisions/0033-generic-storefront-snippet.md).
//
//   <script defer src="https://APP/storefront/v1/nudgeflow.js" data-key="pk_…" data-platform="woocommerce"></script>
//
// It follows the cart through the platform's own storefront cart API (data-platform: woocommerce | bigcommerce |
// magento), re-read after the shop's own cart requests; on a custom storefront the page tells it through
// window.nudgeflow.cart({...}) and .identify(email). It keeps an email typed into any form (newsletter, account,
// checkout) and posts the cart and the email to {APP}/storefront/v1/capture?key=… as text/plain JSON (no CORS
// preflight), debounced and only when something changed. With data-consent="required" nothing is read, kept or sent
// before window.nudgeflow.consent(true). No dependencies, nothing before the page has loaded, every failure
// swallowed: it must never break or slow the shop. Stays under 10 KB gzipped (test/e2e/storefront-snippet.test.ts).
(function () {
  "use strict";

  var w = window;
  var d = document;
  var queued = w.nudgeflow;
  if (queued && queued.started) return;

  function noop() {}

  try {
    var script =
      d.currentScript ||
      d.querySelector('script[data-key][src*="/storefront/v1/nudgeflow.js"]');
    if (!script || !script.src) return;
    var key = script.getAttribute("data-key") || "";
    if (!/^pk_[A-Za-z0-9]{8,64}$/.test(key)) return;
    var appUrl = script.src.replace(
      /\/storefront\/v1\/nudgeflow\.js([?#].*)?$/,
      ""
    );
    var endpoint =
      appUrl + "/storefront/v1/capture?key=" + encodeURIComponent(key);
    var platformName = String(
      script.getAttribute("data-platform") || "custom"
    ).toLowerCase();
    var consentRequired = script.getAttribute("data-consent") === "required";
    var fixedCurrency = /^[A-Za-z]{3}$/.test(
      script.getAttribute("data-currency") || ""
    )
      ? script.getAttribute("data-currency").toUpperCase()
      : null;
    var delay = Number(script.getAttribute("data-debounce-ms")) || 600;
    // Where the cart is read, when the platform's default path is not it (WordPress without pretty permalinks:
    // data-cart-url="/?rest_route=/wc/store/v1/cart"); same origin only.
    var cartUrl = script.getAttribute("data-cart-url");
  } catch (e) {
    return;
  }

  var nativeFetch = typeof w.fetch === "function" ? w.fetch : null;
  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var SENT = "nudgeflow:sent";
  var EMAIL_KEY = "nudgeflow:email";
  var TOKEN_KEY = "nudgeflow:token";
  var consentGiven = false;
  var timer = 0;
  var email = load(w.sessionStorage, EMAIL_KEY);
  /** What we know of the cart: { token (null: ours from localStorage), currency, items, email } or null. */
  var current = null;

  // ---- storage that may be off (private mode, blocked cookies): never an error -----------------------------------

  function load(store, name) {
    try {
      return store.getItem(name);
    } catch (e) {
      return null;
    }
  }

  function save(store, name, value) {
    try {
      if (value == null) store.removeItem(name);
      else store.setItem(name, value);
    } catch (e) {
      /* storage off: we only send a little more often */
    }
  }

  // A platform without a cart id the browser can read (WooCommerce's Cart-Token changes with every answer, Magento
  // keeps its quote id server-side) gets one of ours, kept in localStorage until the cart is seen empty again.
  function ownToken() {
    var token = load(w.localStorage, TOKEN_KEY);
    if (!token) {
      var bytes = new Uint8Array(16);
      try {
        w.crypto.getRandomValues(bytes);
      } catch (e) {
        for (var i = 0; i < bytes.length; i++)
          bytes[i] = Math.floor(Math.random() * 256);
      }
      token = "nf_";
      for (var j = 0; j < bytes.length; j++)
        token += (bytes[j] + 256).toString(16).slice(1);
      save(w.localStorage, TOKEN_KEY, token);
    }
    return token;
  }

  // ---- values -------------------------------------------------------------------------------------------------------

  function text(value, max) {
    return value == null || value === "" ? null : String(value).slice(0, max);
  }

  function id(value) {
    return value == null || value === "" || value === 0
      ? null
      : String(value).slice(0, 64);
  }

  function int(value) {
    var n = typeof value === "number" ? value : parseInt(value, 10);
    return isFinite(n) ? Math.round(n) : NaN;
  }

  // Decimal amount → integer minor units of the currency (JPY has none, most have two).
  function minor(amount, currency, digits) {
    if (digits == null) {
      digits = 2;
      try {
        digits = new Intl.NumberFormat("en", {
          style: "currency",
          currency: currency || "USD",
        }).resolvedOptions().maximumFractionDigits;
      } catch (e) {
        /* unknown code: two */
      }
    }
    return Math.round(Number(amount) * Math.pow(10, digits));
  }

  function url(value) {
    return typeof value === "string" && value.length <= 2048 ? value : null;
  }

  /** One line in the capture endpoint's shape; null when it is not a line we can keep. */
  function line(item) {
    var out = {
      product_id: id(item.product_id),
      variant_id: id(item.variant_id),
      sku: text(item.sku, 255),
      title: text(item.title, 500) || "",
      variant_title: text(item.variant_title, 500),
      quantity: int(item.quantity),
      price: int(item.price),
      image: url(item.image),
      url: url(item.url),
    };
    if (!(out.quantity > 0) || !(out.price >= 0)) return null;
    for (var name in out) if (out[name] === null) delete out[name];
    return out;
  }

  function lines(items) {
    var out = [];
    for (var i = 0; i < (items || []).length && out.length < 250; i++) {
      var kept =
        items[i] && typeof items[i] === "object" ? line(items[i]) : null;
      if (kept) out.push(kept);
    }
    return out;
  }

  function values(list, name) {
    var out = [];
    for (var i = 0; i < (list || []).length; i++)
      if (list[i] && list[i][name]) out.push(list[i][name]);
    return out.join(" / ");
  }

  // ---- the platforms' storefront cart APIs: where to read, which requests change the cart, how to read the answer -----

  var PLATFORMS = {
    // Store API (WooCommerce blocks and the classic cart alike). Prices are strings already in minor units.
    woocommerce: {
      path: "/wp-json/wc/store/v1/cart",
      changes:
        /\/wc\/store(\/v\d+)?\/(cart|batch)|[?&]wc-ajax=(add_to_cart|remove_from_cart|update_order_review|apply_coupon|remove_coupon)|[?&]add-to-cart=/,
      read: function (cart) {
        var totals = cart.totals || {};
        var items = [];
        for (var i = 0; i < (cart.items || []).length; i++) {
          var item = cart.items[i] || {};
          var variation = item.variation && item.variation.length;
          items.push({
            product_id: variation ? null : item.id,
            variant_id: variation ? item.id : null,
            sku: item.sku,
            title: item.name,
            variant_title: values(item.variation, "value"),
            quantity: item.quantity,
            price: (item.prices || {}).price,
            image:
              item.images && item.images[0]
                ? item.images[0].thumbnail || item.images[0].src
                : null,
            url: item.permalink,
          });
        }
        return { token: null, currency: totals.currency_code, items: items };
      },
    },
    // Storefront Carts API: the shopper's carts (zero or one), decimal amounts, a stable cart id, and the email
    // BigCommerce already knows (a logged-in customer, or one typed at checkout).
    bigcommerce: {
      path: "/api/storefront/carts",
      changes:
        /\/api\/storefront\/(carts|checkouts)|\/remote\/v1\/cart\/|\/cart\.php/,
      read: function (carts) {
        var cart = carts && carts[0];
        if (!cart || !cart.id) return null; // no cart (yet, or any more: an order converts and deletes it)
        var currency = (cart.currency || {}).code;
        var places = (cart.currency || {}).decimalPlaces;
        var groups = cart.lineItems || {};
        var all = [].concat(
          groups.physicalItems || [],
          groups.digitalItems || [],
          groups.customItems || []
        );
        var items = [];
        for (var i = 0; i < all.length; i++) {
          var item = all[i] || {};
          items.push({
            product_id: item.productId,
            variant_id: item.variantId,
            sku: item.sku,
            title: item.name,
            variant_title: values(item.options, "value"),
            quantity: item.quantity,
            price: minor(
              item.salePrice != null ? item.salePrice : item.listPrice,
              currency,
              places
            ),
            image: item.imageUrl,
            url: item.url,
          });
        }
        return {
          token: String(cart.id),
          currency: currency,
          items: items,
          email: cart.email,
        };
      },
    },
    // Customer data sections (what Magento's own minicart reads). No currency and no cart id in it: the currency
    // comes from data-currency, the id is ours.
    magento: {
      path: "/customer/section/load/?sections=cart&force_new_section_timestamp=true",
      changes: /\/checkout\/(cart|sidebar)\//,
      read: function (sections) {
        var cart = (sections && sections.cart) || {};
        var items = [];
        for (var i = 0; i < (cart.items || []).length; i++) {
          var item = cart.items[i] || {};
          var price = item.product_price_value;
          if (price && typeof price === "object")
            price = price.incl_tax != null ? price.incl_tax : price.excl_tax;
          items.push({
            product_id: item.product_id,
            sku: item.product_sku,
            title: item.product_name,
            variant_title: values(item.options, "value"),
            quantity: item.qty,
            price: minor(price, fixedCurrency),
            image: item.product_image ? item.product_image.src : null,
            url: item.product_url,
          });
        }
        return { token: null, currency: fixedCurrency, items: items };
      },
    },
  };
  var platform = PLATFORMS[platformName] || null;

  // ---- consent ------------------------------------------------------------------------------------------------------

  function allowed() {
    return !consentRequired || consentGiven;
  }

  // ---- sending ------------------------------------------------------------------------------------------------------

  function hash(value) {
    var h = 5381;
    for (var i = 0; i < value.length; i++)
      h = ((h << 5) + h + value.charCodeAt(i)) | 0;
    return String(h);
  }

  function post(body) {
    // text/plain is a "simple" content type: the browser sends it cross-origin without a preflight.
    return nativeFetch.call(w, endpoint, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      keepalive: body.length < 60000,
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      body: body,
    });
  }

  // Reports the cart (and the email, if any) unless this tab already reported exactly that.
  function send() {
    if (!allowed() || !current || !nativeFetch) return;
    if (email && !EMAIL.test(email)) email = null;
    var previous = load(w.sessionStorage, SENT);
    var items = current.items;
    var who =
      email ||
      (current.email && EMAIL.test(current.email)
        ? String(current.email).toLowerCase()
        : null);
    if (!items.length && !who && !previous) return; // an empty, anonymous cart tells nothing
    var ours = !current.token;
    var payload = { token: current.token || ownToken(), items: items };
    if (current.currency)
      payload.currency = String(current.currency).toUpperCase();
    if (who) payload.email = who;
    if (consentRequired) payload.consent = { marketing: true };
    var body = JSON.stringify(payload);
    var sent = hash(body);
    if (sent === previous) return;
    post(body)
      .then(function (response) {
        if (response.ok) {
          save(w.sessionStorage, SENT, sent);
          // Emptied (an order, or the shopper cleared it): the next cart is a new one.
          if (ours && !items.length) save(w.localStorage, TOKEN_KEY, null);
        } else if (response.status === 429) {
          var wait = Math.min(
            Number(response.headers.get("Retry-After")) || 30,
            300
          );
          setTimeout(send, wait * 1000);
        }
      })
      .catch(noop);
  }

  function refresh() {
    timer = 0;
    if (!allowed()) return;
    if (!platform) return send();
    nativeFetch
      .call(w, /^\/(?!\/)/.test(cartUrl || "") ? cartUrl : platform.path, {
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-Requested-With": "XMLHttpRequest",
        },
      })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (!answer) return;
        var cart = platform.read(answer);
        if (!cart) {
          current = null;
          return;
        }
        current = {
          token: cart.token,
          currency: cart.currency || fixedCurrency,
          items: lines(cart.items),
          email: cart.email,
        };
        send();
      })
      .catch(noop);
  }

  // Debounced: a drawer that adds, then changes, then re-renders causes one read.
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  }

  // ---- email --------------------------------------------------------------------------------------------------------

  // Keeps a typed address for this tab, only when capture is allowed; true when there is one to send.
  function remember(value) {
    var address = String(value || "")
      .trim()
      .toLowerCase();
    if (!EMAIL.test(address) || address.length > 254 || !allowed())
      return false;
    email = address;
    save(w.sessionStorage, EMAIL_KEY, address);
    return true;
  }

  function isEmailInput(el) {
    return (
      !!el &&
      el.tagName === "INPUT" &&
      (el.type === "email" || /email/i.test(el.name || el.id || ""))
    );
  }

  function emailIn(form) {
    var fields = form.querySelectorAll ? form.querySelectorAll("input") : [];
    for (var i = 0; i < fields.length; i++)
      if (isEmailInput(fields[i]) && fields[i].value) return fields[i].value;
    return null;
  }

  // A submitted form may be leaving the page: send now if the cart is known (keepalive carries it).
  function emailChanged(now) {
    if (now && current) {
      if (timer) clearTimeout(timer);
      timer = 0;
      send();
    } else schedule();
  }

  // ---- the shop's own cart requests -------------------------------------------------------------------------------

  function changesCart(method, target) {
    if (!platform || String(method || "GET").toUpperCase() === "GET")
      return false;
    try {
      var parsed = new URL(String(target), w.location.href);
      return (
        parsed.origin === w.location.origin &&
        platform.changes.test(
          parsed.pathname + decodeURIComponent(parsed.search)
        )
      );
    } catch (e) {
      return false;
    }
  }

  function listen() {
    if (platform && nativeFetch) {
      w.fetch = function (input, init) {
        var result = nativeFetch.apply(this, arguments);
        try {
          var method = (init && init.method) || (input && input.method);
          if (changesCart(method, input && input.url ? input.url : input))
            result.then(schedule, schedule);
        } catch (e) {
          /* never in the shop's way */
        }
        return result;
      };
    }
    var xhr = platform && w.XMLHttpRequest && w.XMLHttpRequest.prototype;
    if (xhr && xhr.open) {
      var open = xhr.open;
      xhr.open = function (method, target) {
        try {
          if (changesCart(method, target))
            this.addEventListener("loadend", schedule);
        } catch (e) {
          /* never in the shop's way */
        }
        return open.apply(this, arguments);
      };
    }
    if (platformName === "woocommerce") {
      // WooCommerce Blocks announce cart changes as DOM events; the classic theme's as jQuery events.
      d.addEventListener("wc-blocks_added_to_cart", schedule, true);
      d.addEventListener("wc-blocks_removed_from_cart", schedule, true);
      try {
        if (w.jQuery)
          w.jQuery(d.body).on(
            "added_to_cart removed_from_cart updated_cart_totals",
            schedule
          );
      } catch (e) {
        /* no jQuery events */
      }
    }

    d.addEventListener(
      "submit",
      function (event) {
        try {
          var form = event.target;
          if (form && form.tagName === "FORM" && remember(emailIn(form)))
            emailChanged(true);
        } catch (e) {
          /* never in the shop's way */
        }
      },
      true
    );
    d.addEventListener(
      "change",
      function (event) {
        try {
          if (isEmailInput(event.target) && remember(event.target.value))
            emailChanged(false);
        } catch (e) {
          /* never in the shop's way */
        }
      },
      true
    );
  }

  // ---- the page's API: window.nudgeflow -----------------------------------------------------------------------------

  var api = {
    started: true,
    version: 1,
    /** Custom storefronts: the cart as it is now ({ token?, currency?, items: [{ title, quantity, price (minor units), … }] }). */
    cart: function (cart) {
      try {
        // Kept in memory even before consent (nothing leaves the page until then).
        if (!cart || typeof cart !== "object") return false;
        current = {
          token:
            cart.token != null && cart.token !== ""
              ? String(cart.token).slice(0, 255)
              : null,
          currency: /^[A-Za-z]{3}$/.test(cart.currency || "")
            ? cart.currency
            : fixedCurrency,
          items: lines(cart.items),
          email: null,
        };
        if (cart.email) remember(cart.email);
        schedule();
        return true;
      } catch (e) {
        return false;
      }
    },
    /** Any storefront: the shopper's email, once known (a login, a form the snippet cannot see). */
    identify: function (address) {
      try {
        if (!remember(address)) return false;
        emailChanged(false);
        return true;
      } catch (e) {
        return false;
      }
    },
    /** With data-consent="required": true once the shopper agreed to marketing tracking, false when they withdraw. */
    consent: function (given) {
      try {
        consentGiven = given === true;
        if (consentGiven) schedule();
        else {
          if (timer) clearTimeout(timer);
          timer = 0;
          email = null;
          save(w.sessionStorage, EMAIL_KEY, null);
          save(w.sessionStorage, SENT, null);
        }
        return consentGiven;
      } catch (e) {
        return false;
      }
    },
    /** The queue form, before and after load alike: nudgeflow.push(["identify", "a@b.example"]). */
    push: function (call) {
      try {
        var name = call && call[0];
        if (name === "cart" || name === "identify" || name === "consent")
          return api[name].apply(api, call.slice(1));
      } catch (e) {
        /* never in the shop's way */
      }
    },
  };

  function start() {
    try {
      // Calls the page made before the snippet loaded: window.nudgeflow = window.nudgeflow || []; nudgeflow.push([...]).
      var calls =
        Object.prototype.toString.call(queued) === "[object Array]"
          ? queued
          : [];
      for (var i = 0; i < calls.length; i++) api.push(calls[i]);
      if (platform) schedule();
    } catch (e) {
      /* never in the shop's way */
    }
  }

  try {
    w.nudgeflow = api;
    listen();
    var later = function () {
      if (w.requestIdleCallback)
        w.requestIdleCallback(start, { timeout: 3000 });
      else setTimeout(start, 1);
    };
    if (d.readyState === "complete") later();
    else w.addEventListener("load", later);
  } catch (e) {
    /* never in the shop's way */
  }
})();
