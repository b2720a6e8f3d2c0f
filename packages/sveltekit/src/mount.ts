/** Where the registry is mounted, and whether a pathname falls under it. */

/** `"/api/actors/"` and `"api/actors"` both become `"/api/actors"`; `""` and `"/"` become `""` (everything). */
export function normalizeMountPath(basePath: string): string {
  if (basePath === "" || basePath === "/") return "";
  let path = basePath.startsWith("/") ? basePath : "/" + basePath;
  while (path.endsWith("/")) path = path.slice(0, -1);
  return path;
}

/** True for the mount path itself and anything below it, never for a sibling like `/api/actors-other`. */
export function isUnderMount(pathname: string, mountPath: string): boolean {
  if (mountPath === "") return true;
  return pathname === mountPath || pathname.startsWith(mountPath + "/");
}
