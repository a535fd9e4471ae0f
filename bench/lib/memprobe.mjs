// Preload (`node --import bench/lib/memprobe.mjs ...`): prints the peak of each process.memoryUsage() field on exit,
// to tell V8 heap from external strings and buffers when the peak RSS is too high.
const peak = {};
const sample = () => {
  const usage = process.memoryUsage();
  for (const [key, value] of Object.entries(usage)) peak[key] = Math.max(peak[key] ?? 0, value);
};
setInterval(sample, 20).unref();
process.on("exit", () => {
  sample();
  const fields = Object.entries(peak).map(([key, value]) => `${key}=${(value / 2 ** 20).toFixed(0)}MB`);
  process.stderr.write(`memprobe peak ${fields.join(" ")}\n`);
});
