// Starts Swagger UI on the docs page; a file of its own, so the page's CSP allows no inline script.
window.addEventListener("load", () => {
  window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#docs",
    deepLinking: true,
    // No call to the public validator service: the page works offline.
    validatorUrl: null,
  });
});
