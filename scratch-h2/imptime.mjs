const mods = process.argv.slice(2);
for (const m of mods) { const t = performance.now(); await import(m); console.log(String(Math.round(performance.now() - t)).padStart(5), m); }
