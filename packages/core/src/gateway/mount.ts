/**
 * The mount prefix (`basePath`) the gateway answers under, in one place for the gateway and the
 * adapters that decide which requests to hand it.
 */

/** `"/api/actors/"` and `"api/actors"` both become `"/api/actors"`; `""`, `"/"` and none become `""` (everything). */
export function normalizeMountPath(basePath: string | undefined): string {
  if (!basePath || basePath === "/") return "";
  let path = basePath.startsWith("/") ? basePath : "/" + basePath;
  while (path.endsWith("/")) path = path.slice(0, -1);
  return path;
}

/**
 * True when `target` (an absolute URL, or a path starting with `/`) is the normalized mount path
 * or below it: `/api/actors`, `/api/actors/...`, `/api/actors?x`, never a sibling like
 * `/api/actors-other`. Reads the string as is, without parsing or decoding it.
 */
export function isUnderMount(target: string, mountPath: string): boolean {
  if (mountPath === "") return true;
  const pathStart = target.startsWith("/") ? 0 : target.indexOf("/", target.indexOf("://") + 3);
  if (pathStart < 0 || !target.startsWith(mountPath, pathStart)) return false;
  const after = target.charCodeAt(pathStart + mountPath.length);
  // End, "/", "?" or "#".
  return Number.isNaN(after) || after === 47 || after === 63 || after === 35;
}
