import Foundation
import OCPP
import Testing
@testable import EdgeAgent

@Suite("Authorization: local list and cache in the store")
struct AuthorizationStoreTests {
    let limits = LocalListLimits(sendLocalListMaxLength: 100, localAuthListMaxLength: 5)
    let expiry = Date(timeIntervalSince1970: 1_800_000_000)

    func entry(_ idTag: String, _ status: AuthorizationStatus? = .accepted, parent: String? = nil) -> AuthorizationData {
        AuthorizationData(idTag: idTag, idTagInfo: status.map { IdTagInfo(status: $0, expiryDate: expiry, parentIdTag: parent) })
    }

    func full(_ version: Int, _ entries: [AuthorizationData]) -> SendLocalListRequest {
        SendLocalListRequest(listVersion: version, localAuthorizationList: entries, updateType: .full)
    }

    func differential(_ version: Int, _ entries: [AuthorizationData]) -> SendLocalListRequest {
        SendLocalListRequest(listVersion: version, localAuthorizationList: entries, updateType: .differential)
    }

    @Test func aNewStoreHasAnEmptyListAtVersionZero() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        #expect(try store.localAuthorizationListVersion() == 0)
        #expect(try store.localAuthorizationListSize() == 0)
        #expect(try store.localAuthorizationEntry(for: "ANY") == nil)
    }

    @Test func aFullUpdateReplacesTheListAndSetsTheVersion() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        #expect(try store.applyLocalListUpdate(full(3, [entry("A"), entry("B", .blocked)]), limits: limits).status == .accepted)
        let result = try store.applyLocalListUpdate(full(2, [entry("C", parent: "FLEET")]), limits: limits)
        #expect(result == LocalListUpdateResult(status: .accepted, reason: result.reason, version: 2, size: 1))
        #expect(try store.localAuthorizationEntry(for: "A") == nil)
        #expect(try store.localAuthorizationEntry(for: "C") == IdTagInfo(status: .accepted, expiryDate: expiry, parentIdTag: "FLEET"))
        #expect(try store.localAuthorizationListVersion() == 2)
    }

    @Test func aDifferentialUpdateUpsertsAndDeletesAndMustMoveTheVersionForward() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        _ = try store.applyLocalListUpdate(full(1, [entry("A"), entry("B")]), limits: limits)
        let update = differential(2, [entry("A", .blocked), entry("B", nil), entry("C")])
        #expect(try store.applyLocalListUpdate(update, limits: limits).status == .accepted)
        #expect(try store.localAuthorizationEntry(for: "A")?.status == .blocked)
        #expect(try store.localAuthorizationEntry(for: "B") == nil)
        #expect(try store.localAuthorizationEntry(for: "C")?.status == .accepted)
        for version in [2, 1] {
            let refused = try store.applyLocalListUpdate(differential(version, [entry("D")]), limits: limits)
            #expect(refused.status == .versionMismatch && refused.version == 2)
        }
        #expect(try store.localAuthorizationEntry(for: "D") == nil)
        #expect(try store.localAuthorizationListVersion() == 2)
    }

    @Test func tooManyEntriesFailAndChangeNothing() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        _ = try store.applyLocalListUpdate(full(1, (1...4).map { entry("ID\($0)") }), limits: limits)
        // Over LocalAuthListMaxLength after a differential update: rolled back, deletions included.
        let growing = differential(2, [entry("ID1", nil), entry("ID5"), entry("ID6"), entry("ID7")])
        let result = try store.applyLocalListUpdate(growing, limits: limits)
        #expect(result.status == .failed && result.reason.contains("LocalAuthListMaxLength"))
        #expect(try store.localAuthorizationEntry(for: "ID1") != nil)
        #expect(try store.localAuthorizationListSize() == 4 && store.localAuthorizationListVersion() == 1)
        // Over SendLocalListMaxLength in one message.
        let tight = LocalListLimits(sendLocalListMaxLength: 2, localAuthListMaxLength: 100)
        #expect(try store.applyLocalListUpdate(full(9, (1...3).map { entry("X\($0)") }), limits: tight).status == .failed)
        // A full list longer than the list may be.
        #expect(try store.applyLocalListUpdate(full(9, (1...6).map { entry("X\($0)") }), limits: limits).status == .failed)
        #expect(try store.localAuthorizationListVersion() == 1)
    }

    @Test func malformedUpdatesFail() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        #expect(try store.applyLocalListUpdate(full(1, [entry("A"), entry("B", nil)]), limits: limits).status == .failed)
        #expect(try store.applyLocalListUpdate(full(1, [entry("A"), entry("a")]), limits: limits).status == .failed)
        #expect(try store.applyLocalListUpdate(full(-1, [entry("A")]), limits: limits).status == .failed)
        #expect(try store.localAuthorizationListSize() == 0)
    }

    @Test func anEmptyFullUpdateClearsTheList() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        _ = try store.applyLocalListUpdate(full(1, [entry("A")]), limits: limits)
        let cleared = SendLocalListRequest(listVersion: 2, localAuthorizationList: nil, updateType: .full)
        #expect(try store.applyLocalListUpdate(cleared, limits: limits) == LocalListUpdateResult(
            status: .accepted, reason: "Full update with 0 entries applied", version: 2, size: 0))
    }

    @Test func idTagsCompareCaseInsensitively() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        _ = try store.applyLocalListUpdate(full(1, [entry("AbC123")]), limits: limits)
        #expect(try store.localAuthorizationEntry(for: "abc123")?.status == .accepted)
        _ = try store.applyLocalListUpdate(differential(2, [entry("ABC123", .blocked)]), limits: limits)
        #expect(try store.localAuthorizationListSize() == 1)
        #expect(try store.localAuthorizationEntry(for: "abc123")?.status == .blocked)
    }

    @Test func theListSurvivesReopeningTheStore() throws {
        let folder = makeTemporaryFolder()
        let first = try SiteStore(folder: folder, logger: quietLogger)
        _ = try first.applyLocalListUpdate(full(7, [entry("A")]), limits: limits)
        first.close()
        let second = try SiteStore(folder: folder, logger: quietLogger)
        #expect(try second.localAuthorizationListVersion() == 7)
        #expect(try second.localAuthorizationEntry(for: "A")?.expiryDate == expiry)
    }

    @Test func largeListsLoadAndLookUp() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        let entries = (0..<20_000).map { entry(String(format: "TAG%08d", $0), $0 % 2 == 0 ? .accepted : .blocked) }
        let big = LocalListLimits(sendLocalListMaxLength: 20_000, localAuthListMaxLength: 20_000)
        #expect(try store.applyLocalListUpdate(full(1, entries), limits: big).status == .accepted)
        #expect(try store.localAuthorizationListSize() == 20_000)
        #expect(try store.localAuthorizationEntry(for: "tag00012345")?.status == .blocked)
        #expect(try store.localAuthorizationEntry(for: "TAG00012346")?.status == .accepted)
    }

    @Test func theBenchmarkRunsEndToEndOnASmallList() async throws {
        let report = try await AuthorizationBenchmark.run(ids: 300, lookups: 200, folder: makeTemporaryFolder())
        #expect(report.ids == 300 && report.lookups == 200 && report.frameBytes > 300 * 30)
        // 10 % of the list is Blocked and about 10 % of the lookups are not on it.
        #expect(report.acceptedShare > 0.5 && report.acceptedShare < 0.95)
        #expect(report.medianSeconds <= report.p99Seconds)
    }

    // MARK: Cache

    @Test func theCacheKeepsTheLatestInfoAndEvictsTheLeastRecentlyUsed() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        for idTag in ["A", "B", "C"] {
            try store.recordInAuthorizationCache(IdTagInfo(status: .accepted), for: idTag, capacity: 3)
        }
        try store.markAuthorizationCacheEntryUsed("a")  // B is now the least recently used
        try store.recordInAuthorizationCache(IdTagInfo(status: .blocked, parentIdTag: "G"), for: "D", capacity: 3)
        #expect(try store.authorizationCacheSize() == 3)
        #expect(try store.authorizationCacheEntry(for: "B") == nil)
        #expect(try store.authorizationCacheEntry(for: "A") != nil)
        #expect(try store.authorizationCacheEntry(for: "d") == IdTagInfo(status: .blocked, parentIdTag: "G"))
        // An update of a known id replaces it and makes it the most recently used.
        try store.recordInAuthorizationCache(IdTagInfo(status: .invalid), for: "C", capacity: 3)
        try store.recordInAuthorizationCache(IdTagInfo(status: .accepted), for: "E", capacity: 3)
        #expect(try store.authorizationCacheEntry(for: "C")?.status == .invalid)
        #expect(try store.authorizationCacheEntry(for: "A") == nil)
    }

    @Test func clearingTheCacheLeavesTheList() throws {
        let store = try SiteStore(folder: makeTemporaryFolder(), logger: quietLogger)
        _ = try store.applyLocalListUpdate(full(1, [entry("A")]), limits: limits)
        try store.recordInAuthorizationCache(IdTagInfo(status: .accepted), for: "A", capacity: 10)
        try store.clearAuthorizationCache()
        #expect(try store.authorizationCacheSize() == 0)
        let both = try store.authorizationEntries(for: "A")
        #expect(both.list?.status == .accepted && both.cache == nil)
    }
}
