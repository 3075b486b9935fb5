# workerd's own config for this worker, as the test suite runs it (no wrangler): the
# package's files are modules named by their paths, so its relative imports resolve.
#   npx workerd serve config.capnp --socket-addr http=127.0.0.1:8787
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "main") ],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "ogmill-wasm", esModule = embed "node_modules/ogmill-wasm/workerd.js"),
    (name = "index.js", esModule = embed "node_modules/ogmill-wasm/index.js"),
    (name = "pkg/ogmill.js", esModule = embed "node_modules/ogmill-wasm/pkg/ogmill.js"),
    (name = "pkg/ogmill_bg.wasm", wasm = embed "node_modules/ogmill-wasm/pkg/ogmill_bg.wasm"),
  ],
  compatibilityDate = "2025-09-01",
);
