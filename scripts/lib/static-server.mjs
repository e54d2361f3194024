// A small static file server for dist/ (scripts/serve and the e2e tests).
//   node scripts/lib/static-server.mjs DIR [--port P] [--host H] [--cors]
// Serves with correct MIME types (application/wasm), no caching, and the page's CSP as a header too.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.ttf': 'font/ttf', '.txt': 'text/plain; charset=utf-8', '.safetensors': 'application/octet-stream',
};

export function startServer(dir, { port = 8080, host = '127.0.0.1', cors = false, log = false } = {}) {
  const rootDir = path.resolve(dir);
  const server = http.createServer((req, res) => {
    let urlPath;
    try { urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname); } catch { res.writeHead(400).end(); return; }
    let file = path.join(rootDir, urlPath);
    if (!file.startsWith(rootDir)) { res.writeHead(403).end(); return; }
    if (urlPath.endsWith('/')) file = path.join(file, 'index.html');
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) { res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found'); return; }
      const headers = {
        'Content-Type': MIME[path.extname(file)] || 'application/octet-stream',
        'Content-Length': st.size, 'Cache-Control': 'no-cache',
      };
      if (cors) headers['Access-Control-Allow-Origin'] = '*';
      res.writeHead(200, headers);
      if (req.method === 'HEAD') { res.end(); return; }
      fs.createReadStream(file).pipe(res);
      if (log) console.log(req.method, urlPath);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
  const dir = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--port')) && !(i > 0 && args[i - 1] === '--host')) || 'dist';
  const port = Number(opt('--port', 8080)), host = opt('--host', '127.0.0.1');
  startServer(dir, { port, host, cors: args.includes('--cors') }).then(() => {
    console.log(`Attention Lab: serving ${dir} at http://${host}:${port}/`);
  }, (e) => { console.error(`cannot serve on ${host}:${port}: ${e.message}`); process.exit(1); });
}
