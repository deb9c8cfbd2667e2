// Starts Swagger UI on /api/docs. An external file: the CSP forbids inline script.
window.addEventListener('load', function () {
  'use strict';
  window.ui = window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // No validator badge: it would call a third-party service.
    validatorUrl: null
  });
});
