/** The docs page: Swagger UI over /openapi.json, its files served by this worker (no CDN). */

/** The files under /docs/assets: Swagger UI's (copied from swagger-ui-dist by scripts/docs-assets.ts) and its start-up. */
export const SWAGGER_UI_FILES = ["swagger-ui-bundle.js", "swagger-ui.css"] as const;
export const DOCS_ASSETS = [...SWAGGER_UI_FILES, "docs-init.js"] as const;

/**
 * What the page needs and no more: its own scripts and styles (Swagger UI sets inline styles), its
 * inline SVG icons, and calls to this origin for the document and "Try it out". The API's JSON
 * answers keep the strict policy.
 */
export const DOCS_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

export const DOCS_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Setlist API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  </head>
  <body>
    <div id="docs"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/docs-init.js"></script>
  </body>
</html>
`;
