// Renders the node's own OpenAPI document with Swagger UI (from its WebJar); read-only, since the
// console's credential stays in the console's session and is not handed to Swagger UI.
window.SwaggerUIBundle({
  url: '/v1/openapi.json',
  dom_id: '#swagger',
  supportedSubmitMethods: [],
  deepLinking: true,
});
