import Foundation
import Hummingbird

/// The commissioning page (docs/local-api.md, "Commissioning page"): static files compiled into the binary, so
/// the release binary installed alone serves them. The page holds no data and no secret: it asks for the API
/// token, keeps it in the tab's sessionStorage, and does everything through the local API.
enum CommissioningPage {
    /// The paths the page is served under; they (and only they) need no token.
    static func isPagePath(_ path: String) -> Bool {
        // Exact names only: nothing else under /ui/ (a `..` in a path must never skip the token check).
        path == "/" || path == "/ui" || path == "/ui/" || (path.hasPrefix("/ui/") && files[String(path.dropFirst(4))] != nil)
    }

    struct File: Sendable {
        let contentType: String
        let body: String
    }

    static let files: [String: File] = [
        "index.html": File(contentType: "text/html; charset=utf-8", body: html),
        "app.css": File(contentType: "text/css; charset=utf-8", body: css),
        "app.js": File(contentType: "text/javascript; charset=utf-8", body: script),
    ]

    /// Scripts and styles only from the daemon itself, nothing inline, no frames.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"

    static let html = ##"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>edge-agent commissioning</title>
    <link rel="stylesheet" href="/ui/app.css">
    <script src="/ui/app.js" defer></script>
    </head>
    <body>
    <header>
      <div class="brand"><strong>edge-agent</strong> <span id="station">not connected</span></div>
      <div class="badges">
        <span id="uplink" class="badge" title="OCPP uplink">uplink: ?</span>
        <span id="live" class="badge off" title="live event stream">live: off</span>
      </div>
      <form id="token-form" autocomplete="off">
        <input id="token" type="password" placeholder="API token (edge-agent token)" aria-label="API token">
        <button id="connect" type="submit">Connect</button>
        <button id="forget" type="button" class="secondary">Forget token</button>
      </form>
    </header>
    <div id="message" role="status" hidden></div>
    <main id="content" hidden>
      <section>
        <h2>Compartments</h2>
        <div id="compartments" class="grid"></div>
      </section>
      <section id="meters-section" hidden>
        <h2>Meters</h2>
        <table id="meters"><thead><tr><th>Device</th><th>Role</th><th>Power W</th><th>Energy Wh</th><th>Age s</th><th>State</th></tr></thead><tbody></tbody></table>
      </section>
      <section id="balancing-section" hidden>
        <h2>Balancing</h2>
        <div id="balancing"></div>
      </section>
      <section id="simulation" hidden>
        <h2>Simulated board</h2>
        <div class="panels">
          <form id="card-form" class="panel">
            <h3>Present a card</h3>
            <label>Reader <input id="card-reader" value="front" required></label>
            <label>idTag <input id="card-idtag" placeholder="04A2B3C4" required></label>
            <button id="card-present" type="submit">Present card</button>
          </form>
          <form id="keys-form" class="panel">
            <h3>Keypad</h3>
            <label>Reader <input id="keys-reader" value="front" required></label>
            <label>Keys <input id="keys-text" placeholder="3#" required></label>
            <button id="keys-send" type="submit">Type</button>
          </form>
          <form id="sms-form" class="panel" hidden>
            <h3>Send an SMS</h3>
            <label>From <input id="sms-from" placeholder="+491701234567" required></label>
            <label>Text <input id="sms-text" placeholder="START A1" required></label>
            <button id="sms-send" type="submit">Send SMS</button>
            <ol id="sms-sent" class="log small"></ol>
          </form>
          <div class="panel">
            <h3>Emergency input</h3>
            <button id="emergency-toggle" type="button" class="danger">Raise emergency</button>
          </div>
        </div>
        <h3>Loads (simulated meters: pin the power a device reads; empty unpins)</h3>
        <div id="loads" class="loads"></div>
      </section>
      <section class="columns">
        <div>
          <h2>Audit log</h2>
          <ol id="audit" class="log"></ol>
        </div>
        <div>
          <h2>Live events</h2>
          <ol id="events" class="log"></ol>
        </div>
      </section>
    </main>
    <dialog id="unlock-dialog">
      <form id="unlock-form" method="dialog">
        <h3>Unlock <span id="unlock-name"></span>?</h3>
        <p>The door is released now. A session holding the compartment is ended first (reason UnlockCommand).
        The reason goes into the audit log.</p>
        <label>Reason (required) <textarea id="unlock-reason" rows="3" placeholder="driver locked out, ticket 4711"></textarea></label>
        <p id="unlock-error" class="error" hidden></p>
        <div class="actions">
          <button id="unlock-cancel" type="button" class="secondary">Cancel</button>
          <button id="unlock-confirm" type="submit" class="danger">Unlock</button>
        </div>
      </form>
    </dialog>
    </body>
    </html>
    """##

    static let css = ##"""
    :root { --bg: #f4f6f8; --card: #fff; --ink: #1d2733; --muted: #66727f; --line: #d9dee4; --accent: #0b6bcb;
            --ok: #1f8a4c; --warn: #c77700; --bad: #c62828; --idle: #7a8896; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
    header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; justify-content: space-between;
             padding: 10px 18px; background: #15202b; color: #fff; }
    header .brand strong { font-size: 16px; margin-right: 8px; }
    header form { display: flex; gap: 6px; }
    header input { width: 260px; }
    .badges { display: flex; gap: 8px; }
    .badge { padding: 2px 10px; border-radius: 10px; background: var(--idle); color: #fff; font-size: 12px; }
    .badge.ok { background: var(--ok); } .badge.warn { background: var(--warn); } .badge.bad { background: var(--bad); }
    .badge.off { background: var(--idle); }
    main { padding: 8px 18px 30px; }
    h2 { font-size: 16px; margin: 18px 0 8px; } h3 { font-size: 14px; margin: 0 0 8px; }
    input, textarea, select { font: inherit; padding: 5px 7px; border: 1px solid var(--line); border-radius: 4px; }
    textarea { width: 100%; }
    button { font: inherit; padding: 5px 12px; border: 0; border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
    button.secondary { background: #e3e8ee; color: var(--ink); }
    button.danger { background: var(--bad); }
    button:disabled { opacity: .5; cursor: default; }
    #message { margin: 10px 18px 0; padding: 8px 12px; border-radius: 4px; background: #e7f1fb; border: 1px solid #b6d4f2; }
    #message.error { background: #fdecea; border-color: #f5b7b1; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px; }
    .card { background: var(--card); border: 1px solid var(--line); border-left: 6px solid var(--idle); border-radius: 6px; padding: 10px 12px; }
    .card.status-Available { border-left-color: var(--ok); }
    .card.status-Preparing, .card.status-Finishing, .card.status-Reserved { border-left-color: var(--warn); }
    .card.status-Charging, .card.status-SuspendedEV, .card.status-SuspendedEVSE { border-left-color: var(--accent); }
    .card.status-Faulted, .card.status-Unavailable { border-left-color: var(--bad); }
    .card-head { display: flex; align-items: baseline; gap: 6px; margin-bottom: 6px; }
    .card-head .name { font-size: 18px; font-weight: 700; }
    .card-head .connector { color: var(--muted); }
    .card-head .status { margin-left: auto; font-weight: 600; }
    .card dl { display: grid; grid-template-columns: 64px 1fr; gap: 2px 8px; margin: 0 0 8px; }
    .card dt { color: var(--muted); } .card dd { margin: 0; overflow-wrap: anywhere; }
    .card dd.fault { color: var(--bad); font-weight: 600; }
    .card .actions { display: flex; flex-wrap: wrap; gap: 6px; }
    .card .actions button { padding: 3px 9px; font-size: 13px; }
    .panels { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 10px; }
    .panel { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; display: flex; flex-direction: column; gap: 6px; }
    .panel label { display: flex; justify-content: space-between; gap: 8px; align-items: center; }
    .panel input { width: 140px; }
    table { border-collapse: collapse; background: var(--card); width: 100%; }
    th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); }
    th { color: var(--muted); font-weight: 600; }
    td input { width: 90px; }
    .loads { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 6px; }
    .load { display: flex; align-items: center; gap: 6px; background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; }
    .load .label { flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .load .pinned { color: var(--muted); font-size: 12px; }
    .load input { width: 80px; }
    .log.small { max-height: 90px; }
    tr.stale td { color: var(--bad); }
    .columns { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
    .log { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow: auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
    .log li { padding: 4px 10px; border-bottom: 1px solid #eef1f4; font-size: 13px; }
    .log time { color: var(--muted); margin-right: 8px; font-variant-numeric: tabular-nums; }
    dialog { border: 1px solid var(--line); border-radius: 8px; width: min(440px, 92vw); }
    dialog .actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 10px; }
    .error { color: var(--bad); }
    #balancing dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; background: var(--card); padding: 8px 12px; border: 1px solid var(--line); border-radius: 6px; }
    #balancing dd { margin: 0; }
    @media (max-width: 760px) { .columns { grid-template-columns: 1fr; } header input { width: 160px; } }
    """##
}

extension LocalAPI {
    /// `/` and `/ui/` serve the page; `/ui/<file>` its script and style sheet. No token needed (see
    /// BearerTokenMiddleware); everything the page shows comes from the API with the token the user gives it.
    static func addCommissioningPageRoutes(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ -> Response in
            Response(status: .found, headers: [.location: "/ui/"])
        }
        // The router matches `/ui` and `/ui/` alike.
        router.get("ui") { _, _ -> Response in
            pageFile("index.html")
        }
        router.get("ui/:file") { _, context -> Response in
            pageFile(context.parameters.get("file") ?? "")
        }
    }

    static func pageFile(_ name: String) -> Response {
        guard let file = CommissioningPage.files[name] else {
            return Response(
                status: .notFound, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"error": "no such file of the commissioning page; open /ui/"}"#)))
        }
        return Response(
            status: .ok,
            headers: [.contentType: file.contentType, .cacheControl: "no-cache",
                      .contentSecurityPolicy: CommissioningPage.contentSecurityPolicy,
                      .init("X-Content-Type-Options")!: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(string: file.body)))
    }
}
