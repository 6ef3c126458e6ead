// The API reference page: Swagger UI on the served OpenAPI document (a static file: the CSP forbids inline script).
(function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({ url: node.dataset.specUrl, domNode: node, deepLinking: true });
})();
