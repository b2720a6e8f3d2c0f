// Preload for profiling a server over an exact window: `node --import <this> server.js`.
// The first SIGUSR2 starts the V8 CPU profiler, the second stops it and writes
// $TROUPE_PROF_OUT (default ./window.cpuprofile). Start-up and warm-up stay out of the profile.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";

const session = new Session();
session.connect();
let running = false;
process.on("SIGUSR2", () => {
  if (!running) {
    running = true;
    session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 100 }, () => session.post("Profiler.start")));
    return;
  }
  running = false;
  session.post("Profiler.stop", (err, result) => {
    if (err) console.error("[prof] stop failed", err);
    else writeFileSync(process.env.TROUPE_PROF_OUT ?? "window.cpuprofile", JSON.stringify(result.profile));
    console.error("[prof] written");
  });
});
