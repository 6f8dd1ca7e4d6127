import Foundation
import Logging
import OCPP

/// `edge-agent bench authorization`: a full SendLocalList of many idTags as the central system sends it
/// (frame decoded and schema-checked, then applied to a store in a temporary folder), and the time of
/// authorization decisions against it. A measurement, not a test.
public enum AuthorizationBenchmark {
    public struct Report: Sendable {
        public var ids: Int
        public var frameBytes: Int
        public var decodeSeconds: Double
        public var applySeconds: Double
        public var lookups: Int
        public var medianSeconds: Double
        public var p99Seconds: Double
        public var acceptedShare: Double
    }

    public enum Failure: Error, CustomStringConvertible {
        case frameRejected(String)
        case notApplied(String)

        public var description: String {
            switch self {
            case .frameRejected(let why): "the generated SendLocalList frame was rejected: \(why)"
            case .notApplied(let why): "the generated SendLocalList was not applied: \(why)"
            }
        }
    }

    /// Runs in `folder` (a fresh store is created there). Decisions run offline with LocalAuthorizeOffline,
    /// so every one reads the list and cache; a tenth of the ids looked up are not on the list.
    public static func run(ids: Int, lookups: Int, folder: String) async throws -> Report {
        let store = try SiteStore(folder: folder, logger: Logger(label: "edge-agent.bench"))
        defer { store.close() }
        let expiry = Date().addingTimeInterval(365 * 86_400)
        let entries = (0..<ids).map { index in
            AuthorizationData(idTag: idTag(index), idTagInfo: IdTagInfo(
                status: index % 10 == 9 ? .blocked : .accepted, expiryDate: expiry, parentIdTag: "FLEET\(index % 50)"))
        }
        let frame = try RPCFrame.call(
            id: "bench-1", request: SendLocalListRequest(listVersion: 1, localAuthorizationList: entries, updateType: .full))

        let clock = ContinuousClock()
        var started = clock.now
        guard case .success(.call(let call)) = RPCFrame.decode(frame), case .sendLocalList(let request) = call.request else {
            throw Failure.frameRejected("\(RPCFrame.decode(frame))".prefix(300).description)
        }
        let decoded = clock.now - started
        started = clock.now
        let result = try store.applyLocalListUpdate(request, limits: LocalListLimits(sendLocalListMaxLength: ids, localAuthListMaxLength: ids))
        let applied = clock.now - started
        guard result.status == .accepted else { throw Failure.notApplied(result.reason) }

        let authorizer = Authorizer(store: store, offlinePolicy: AuthorizationPolicy(), logger: Logger(label: "edge-agent.bench"))
        var generator = SystemRandomNumberGenerator()
        var samples: [Double] = []
        samples.reserveCapacity(lookups)
        var accepted = 0
        for _ in 0..<lookups {
            let index = Int.random(in: 0..<(ids + ids / 9 + 1), using: &generator)  // about 10 % beyond the list
            let tag = idTag(index)
            let begin = clock.now
            let outcome = await authorizer.authorize(idTag: tag)
            samples.append(seconds(clock.now - begin))
            if outcome.isAccepted { accepted += 1 }
        }
        samples.sort()
        return Report(
            ids: ids, frameBytes: frame.utf8.count, decodeSeconds: seconds(decoded), applySeconds: seconds(applied),
            lookups: lookups, medianSeconds: samples.isEmpty ? 0 : samples[samples.count / 2],
            p99Seconds: samples.isEmpty ? 0 : samples[min(samples.count - 1, samples.count * 99 / 100)],
            acceptedShare: lookups == 0 ? 0 : Double(accepted) / Double(lookups))
    }

    static func idTag(_ index: Int) -> String { String(format: "04%08X", index) }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
