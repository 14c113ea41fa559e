// Nudgeflow cart capture (theme app extension asset; no dependencies, loaded with `defer` by
// blocks/cart-capture.liquid). For now it only reads the storefront cart token and exposes it as
// window.Nudgeflow.cartToken(); posting it to the App Proxy arrives with the storefront-capture issue.
(function () {
  "use strict";

  var nudgeflow = (window.Nudgeflow = window.Nudgeflow || {});
  var root = (window.Shopify && window.Shopify.routes && window.Shopify.routes.root) || "/";

  // Since 2024 /cart.js answers tokens like "c1-abc…?key=…"; webhooks carry the bare token, so strip ?key=….
  function bareToken(token) {
    return typeof token === "string" && token ? token.split("?")[0] : null;
  }

  // Resolves to the bare cart token, or null when there is no cart or the request fails.
  nudgeflow.cartToken = function () {
    return fetch(root + "cart.js", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (cart) {
        return cart ? bareToken(cart.token) : null;
      })
      .catch(function () {
        return null;
      });
  };
})();
