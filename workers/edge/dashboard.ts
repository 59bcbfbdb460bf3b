/**
 * The operator dashboard (sources in dashboard/, built into workers/edge/assets/dashboard by
 * scripts/dashboard-assets.ts). Only its sign-in shell is served to anyone: the page, its styles and
 * the sign-in script, which hold no data. The application itself (its code and the chart library) is
 * served only with an operator key, and every figure and action is an operator route.
 */

/** The sign-in shell's files, under /dashboard/assets. */
export const DASHBOARD_SHELL = ["dashboard.css", "signin.js"] as const;
/** The application module, fetched by the sign-in script with the operator key and run from a blob. */
export const DASHBOARD_APP = "app.js";
/** Where the built files are in the edge's static assets. */
export const dashboardAsset = (file: string) => `/dashboard/${file}`;

/**
 * The page's own files and calls to this origin only. `blob:` scripts: the application is fetched
 * with the key in a header (a script tag cannot send one) and run from an object URL of this page.
 * Chart.js sets canvas sizes through the style property, which a CSP does not govern.
 */
export const DASHBOARD_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'", "blob:"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:", "blob:"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};
