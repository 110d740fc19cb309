/** The analytics module's public surface: the only file other modules may import. */
export * from "./noshow/index.js";
