import Foundation
import Hummingbird
import ServiceLifecycle

/// `GET /v1/events/stream`: the site's state changes as Server-Sent Events (docs/local-api.md). Each event is
/// `event: <type>` and `data: <LiveEvent JSON>`; a comment line every heartbeat keeps proxies from closing an
/// idle stream and lets the server notice a client that went away.
extension LocalAPI {
    static func addEventStreamRoutes(to v1: RouterGroup<BasicRequestContext>, site: SiteController, heartbeat: Duration) {
        v1.get("events/stream") { _, _ -> Response in
            // Subscribed before the answer starts, so nothing that happens from now on is missed.
            let stream = LiveEventStream(site: site, heartbeat: heartbeat)
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
                          .init("X-Accel-Buffering")!: "no"],
                body: ResponseBody { writer in
                    try await withGracefulShutdownHandler {
                        for await frame in stream.frames {
                            try await writer.write(ByteBuffer(string: frame))
                        }
                    } onGracefulShutdown: {
                        stream.finish()
                    }
                    try await writer.finish(nil)
                })
        }
    }
}

/// One client's stream: the site's live events, audit records, connector statuses and uplink changes merged into
/// SSE frames, with
/// a heartbeat. Everything it subscribed to is released when the frames stream ends (the client disconnected,
/// the daemon stops).
struct LiveEventStream: Sendable {
    let frames: AsyncStream<String>
    private let continuation: AsyncStream<String>.Continuation

    init(site: SiteController, heartbeat: Duration) {
        let (frames, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(512))
        self.frames = frames
        self.continuation = continuation
        let live = site.liveEvents.subscribe()
        let audit = site.store.auditFeed.subscribe()
        let uplink = site.uplinkMonitor.changes.subscribe()
        let connectors = site.connectorStatusBroadcaster.changes()
        continuation.yield(": edge-agent live events; a comment like this one every \(heartbeat.seconds) s\n\n")
        let tasks = [
            Task {
                for await event in live { continuation.yield(Self.frame(event)) }
            },
            Task {
                for await record in audit {
                    continuation.yield(Self.frame(LiveEvent(type: .audit, at: record.recordedAt, record: record)))
                }
            },
            Task {
                for await snapshot in uplink {
                    let change = LiveEvent.Uplink(state: snapshot.state.rawValue, queueDepth: snapshot.queueDepth,
                                                  detail: snapshot.detail)
                    continuation.yield(Self.frame(LiveEvent(type: .uplink, at: Date(), uplink: change)))
                }
            },
            Task {
                for await status in connectors {
                    let connector = LiveEvent.Connector(
                        connectorId: status.connectorId, status: status.status.rawValue, fault: status.fault)
                    continuation.yield(Self.frame(LiveEvent(type: .connector, at: Date(), connector: connector)))
                }
            },
            Task {
                while !Task.isCancelled {
                    do { try await Task.sleep(for: heartbeat) } catch { return }
                    continuation.yield(": heartbeat \(ISO8601DateFormatter().string(from: Date()))\n\n")
                }
            },
        ]
        continuation.onTermination = { _ in
            for task in tasks { task.cancel() }
        }
    }

    /// Ends the stream (the daemon is stopping).
    func finish() {
        continuation.finish()
    }

    /// `event: <type>\ndata: <json>\n\n`; the JSON is one line, so one `data:` line is enough.
    static func frame(_ event: LiveEvent) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(event)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "event: \(event.type.rawValue)\ndata: \(json)\n\n"
    }
}
