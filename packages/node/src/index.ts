export { serve } from "./serve.js";
export type { ServeOptions, TroupeServer } from "./serve.js";
